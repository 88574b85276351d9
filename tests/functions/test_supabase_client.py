"""supabase-py pointed at the gateway: `functions.invoke` works as against Supabase itself."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from supabase import AsyncClientOptions, acreate_client
from supabase_functions.errors import FunctionsHttpError

from tests.functions.conftest import BASE_URL, BROWSER_UA, Link, Served, Tokens


async def test_invoke_records_an_event_with_the_anon_key(
    gateway: Served, client: httpx.AsyncClient, tokens: Tokens, make_link: Callable[..., Link]
) -> None:
    link = make_link()
    redirect = await client.get(
        f"/functions/v1/link-tracker/{link.code}", headers={"User-Agent": BROWSER_UA}
    )
    session_id = parse_qs(urlsplit(redirect.headers["location"]).query)["sessionId"][0]
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway))
    supabase = await acreate_client(
        BASE_URL, tokens.anon, options=AsyncClientOptions(httpx_client=http)
    )

    answer = await supabase.functions.invoke(
        "link-tracker/events",
        {"body": {"sessionId": session_id, "event": "assessment_started"}, "responseType": "json"},
    )

    assert isinstance(answer, dict)
    assert answer["sessionId"] == session_id
    assert answer["tracked"] is True
    await http.aclose()


async def test_invoke_with_bad_input_raises_with_its_status_and_sentence(
    gateway: Served, tokens: Tokens
) -> None:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway))
    supabase = await acreate_client(
        BASE_URL, tokens.anon, options=AsyncClientOptions(httpx_client=http)
    )

    with pytest.raises(FunctionsHttpError) as raised:
        await supabase.functions.invoke("ai-analysis", {"body": {"sessionId": "x"}})

    assert raised.value.status == 422
    # supabase-py makes the envelope's "error" sentence the exception's message
    assert raised.value.message == "input: Field required"
    await http.aclose()
