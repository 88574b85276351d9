"""analytics-aggregator over HTTP: POST runs the rollups (service_role), GET answers the RPC's document."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.functions.conftest import Tokens
from tests.support.world import ADMIN, DISTRIBUTOR_A, PARTICIPANT

URL = "/functions/v1/analytics-aggregator"


@pytest.fixture
def distributor_with_events(
    sql: Callable[..., Any], make_distributor: Callable[[], uuid.UUID]
) -> uuid.UUID:
    """A new distributor (UTC) with two analytics events and a client today."""
    distributor = make_distributor()
    sql(
        "insert into public.analytics_events (distributor_id, event_type)"
        " values (%s, 'results.viewed'), (%s, 'share.clicked')",
        (distributor, distributor),
    )
    sql("insert into public.clients (distributor_id, first_name) values (%s, 'Q')", (distributor,))
    return distributor


async def test_service_role_runs_the_aggregator(client: httpx.AsyncClient, tokens: Tokens) -> None:
    first = await client.post(URL, headers=tokens.bearer(tokens.service_role))
    second = await client.post(URL, json={}, headers=tokens.bearer(tokens.service_role))

    assert first.status_code == second.status_code == 200
    summary = second.json()
    assert set(summary) == {
        "rolledUpUntil",
        "previouslyRolledUpUntil",
        "recountedFrom",
        "distributors",
        "retimedDistributors",
        "daysCounted",
        "daysWritten",
        "daysRemoved",
        "seconds",
    }
    assert summary["previouslyRolledUpUntil"] == first.json()["rolledUpUntil"]
    assert summary["distributors"] >= 2
    assert first.headers["access-control-allow-origin"] == "*"


async def test_since_recounts_from_that_day(client: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await client.post(
        URL, json={"since": "2026-01-01"}, headers=tokens.bearer(tokens.service_role)
    )

    assert response.status_code == 200
    recounted_from = datetime.fromisoformat(response.json()["recountedFrom"])
    assert recounted_from == datetime(2025, 12, 31, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"since": "last week"}, "since"),
        ({"since": 0}, "since"),  # found by schemathesis: read as 1970-01-01, a recount of all
        ({"window": "1 day"}, "window"),
    ],
)
async def test_a_bad_body_is_a_422_naming_the_field(
    client: httpx.AsyncClient, tokens: Tokens, body: dict[str, Any], field: str
) -> None:
    response = await client.post(URL, json=body, headers=tokens.bearer(tokens.service_role))

    assert response.status_code == 422
    assert response.json()["field"] == field


@pytest.mark.parametrize("who", ["none", "anon", "distributor", "admin"])
async def test_only_service_role_runs_the_aggregator(
    client: httpx.AsyncClient, tokens: Tokens, who: str
) -> None:
    headers = {
        "none": {},
        "anon": tokens.bearer(tokens.anon),
        "distributor": tokens.bearer(tokens.user(DISTRIBUTOR_A)),
        "admin": tokens.bearer(tokens.user(ADMIN)),
    }[who]

    response = await client.post(URL, headers=headers)

    assert response.status_code == (401 if who == "none" else 403)
    assert response.json()["error"]


async def test_get_answers_the_rpcs_document_as_the_caller(
    client: httpx.AsyncClient,
    tokens: Tokens,
    sql: Callable[..., Any],
    distributor_with_events: uuid.UUID,
) -> None:
    response = await client.get(
        URL, params={"periodDays": 7}, headers=tokens.bearer(tokens.user(distributor_with_events))
    )
    [(document,)] = sql(
        "select public.get_distributor_analytics(%s, 7)", (distributor_with_events,)
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == document
    assert document["totals"]["analytics_events"] == {"results.viewed": 1, "share.clicked": 1}
    assert document["totals"]["new_clients"] == 1
    assert len(document["daily"]) == 7


@pytest.mark.parametrize("who", ["admin", "service_role"])
async def test_admins_and_service_role_read_anyones_analytics(
    client: httpx.AsyncClient, tokens: Tokens, distributor_with_events: uuid.UUID, who: str
) -> None:
    token = tokens.user(ADMIN) if who == "admin" else tokens.service_role

    response = await client.get(
        URL, params={"distributorId": str(distributor_with_events)}, headers=tokens.bearer(token)
    )

    assert response.status_code == 200
    assert response.json()["distributor_id"] == str(distributor_with_events)


@pytest.mark.parametrize("who", ["another distributor", "participant", "anon"])
async def test_someone_elses_analytics_are_a_403_never_data(
    client: httpx.AsyncClient, tokens: Tokens, distributor_with_events: uuid.UUID, who: str
) -> None:
    token = {
        "another distributor": tokens.user(DISTRIBUTOR_A),
        "participant": tokens.user(PARTICIPANT),
        "anon": tokens.anon,
    }[who]

    response = await client.get(
        URL, params={"distributorId": str(distributor_with_events)}, headers=tokens.bearer(token)
    )

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert "totals" not in response.text


@pytest.mark.parametrize(
    ("params", "token", "field"),
    [
        ({"periodDays": "0"}, "distributor", "periodDays"),
        ({"periodDays": "366"}, "distributor", "periodDays"),
        ({"periodDays": "a month"}, "distributor", "periodDays"),
        ({"distributorId": "ava"}, "distributor", "distributorId"),
        ({"distributorId": str(PARTICIPANT)}, "admin", "distributorId"),
        ({}, "service_role", "distributorId"),
    ],
)
async def test_bad_parameters_are_a_422_naming_them(
    client: httpx.AsyncClient, tokens: Tokens, params: dict[str, str], token: str, field: str
) -> None:
    bearer = {
        "distributor": tokens.user(DISTRIBUTOR_A),
        "admin": tokens.user(ADMIN),
        "service_role": tokens.service_role,
    }[token]

    response = await client.get(URL, params=params, headers=tokens.bearer(bearer))

    assert response.status_code == 422
    error = response.json()
    assert (error["code"], error["field"]) == ("validation_failed", field)
    assert error["error"]


async def test_get_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get(URL)

    assert response.status_code == 401
