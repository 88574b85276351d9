"""X-Forwarded-For counts only when the platform's proxy sent it: a visitor cannot pick the hashed IP.

A real uvicorn serves the gateway with proxy headers on, as the image does.
Unique clicks are the measure: if a visitor could choose the address that is
hashed, five forged headers would be five "unique" visitors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.functions.conftest import BROWSER_UA, REPO_ROOT, Link, Served
from tests.support.served import uvicorn_serving

Sql = Callable[..., list[tuple[Any, ...]]]
FORGED = [f"198.51.100.{n}" for n in range(1, 6)]


def image_trusted_proxies() -> str:
    """FORWARDED_ALLOW_IPS as the Dockerfile sets it."""
    found = re.search(r'FORWARDED_ALLOW_IPS="([^"]*)"', (REPO_ROOT / "Dockerfile").read_text())
    assert found, "the Dockerfile sets no FORWARDED_ALLOW_IPS"
    return found.group(1)


async def click_with(port: int, link: Link, forwarded_for: list[str]) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        for value in forwarded_for:
            response = await http.get(
                f"/functions/v1/link-tracker/{link.code}",
                headers={"User-Agent": BROWSER_UA, "X-Forwarded-For": value},
            )
            assert response.status_code == 302


def unique_clicks(sql: Sql, link: Link) -> int:
    [(count,)] = sql(
        "select unique_clicks from public.tracked_link_stats where link_id = %s", (link.id,)
    )
    return int(count)


def test_the_image_does_not_trust_everyone() -> None:
    assert "*" not in image_trusted_proxies()


async def test_a_visitor_forging_x_forwarded_for_counts_once(
    gateway: Served, make_link: Callable[..., Link], sql: Sql
) -> None:
    # The image's setting, reached directly (from 127.0.0.1, no platform proxy in between).
    link = make_link()
    async with uvicorn_serving(gateway, forwarded_allow_ips=image_trusted_proxies()) as port:
        await click_with(port, link, FORGED)

    assert unique_clicks(sql, link) == 1


@pytest.mark.parametrize(
    ("visitors", "uniques"),
    [
        # The proxy appends the address it saw after whatever the visitor sent.
        ([f"{forged}, 203.0.113.50" for forged in FORGED], 1),
        (["203.0.113.50", "203.0.113.51", "10.9.9.9, 203.0.113.52"], 3),
    ],
    ids=["one-visitor-forging", "three-visitors"],
)
async def test_behind_a_trusted_proxy_the_address_it_appended_is_the_visitor(
    gateway: Served,
    make_link: Callable[..., Link],
    sql: Sql,
    visitors: list[str],
    uniques: int,
) -> None:
    # This test's client plays the platform's proxy on 127.0.0.1.
    link = make_link()
    async with uvicorn_serving(gateway, forwarded_allow_ips="127.0.0.1") as port:
        await click_with(port, link, visitors)

    assert unique_clicks(sql, link) == uniques
