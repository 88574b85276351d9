"""REST and Auth checks against Supabase's HTTP APIs (respx), Realtime against a loopback
Phoenix server speaking the protocol the `realtime` client uses."""

from __future__ import annotations

import httpx
import pytest
import respx

from maxpulse_tools.ops.api_checks import check_auth, check_rest
from maxpulse_tools.ops.checks import Status
from maxpulse_tools.ops.realtime_check import check_realtime
from tests.support.phoenix import phoenix_server

PROJECT = "https://abcdefghijklmnop.supabase.co"
KEY = "service-role-key-for-tests"


async def test_rest_counts_users_through_postgrest(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.head(f"{PROJECT}/rest/v1/users", params={"select": "id"}).respond(
        200, headers={"Content-Range": "*/42"}
    )

    result = await check_rest(PROJECT, KEY, timeout=2)

    assert (result.status, result.detail.split(";")[0]) == (Status.healthy, "42 users")
    request = route.calls.last.request
    assert (request.headers["apikey"], request.headers["Prefer"]) == (KEY, "count=exact")


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        (
            httpx.Response(401, json={"code": "PGRST301", "message": "JWT expired"}),
            "PostgREST refused the query: JWT expired",
        ),
        (httpx.ConnectError("connection refused"), "PostgREST did not answer"),
    ],
)
async def test_rest_failures_are_unhealthy(
    respx_mock: respx.MockRouter, answer: httpx.Response | Exception, detail: str
) -> None:
    route = respx_mock.head(f"{PROJECT}/rest/v1/users")
    if isinstance(answer, Exception):
        route.side_effect = answer
    else:
        route.return_value = answer

    result = await check_rest(PROJECT, KEY, timeout=2)

    assert result.status is Status.unhealthy
    assert result.detail.startswith(detail)


async def test_auth_health_through_the_auth_client(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get(f"{PROJECT}/auth/v1/health").respond(
        200,
        json={
            "version": "v2.180.0",
            "name": "GoTrue",
            "description": "GoTrue is a user registration and authentication API",
        },
    )

    result = await check_auth(PROJECT, KEY, timeout=2)

    assert result.status is Status.healthy
    assert result.detail.startswith("GoTrue v2.180.0; answered in")
    assert route.calls.last.request.headers["apikey"] == KEY


async def test_auth_answering_503_is_unhealthy(respx_mock: respx.MockRouter) -> None:
    respx_mock.get(f"{PROJECT}/auth/v1/health").respond(
        503, json={"code": 503, "error_code": "unexpected_failure", "msg": "database down"}
    )

    result = await check_auth(PROJECT, KEY, timeout=2)

    assert result.status is Status.unhealthy
    assert result.detail == "Auth answered with an error: database down"


async def test_realtime_broadcast_round_trip_on_a_private_channel() -> None:
    async with phoenix_server() as server:
        result = await check_realtime(server.url, KEY, timeout=3)

    assert result.status is Status.healthy, result.detail
    assert result.detail.startswith("broadcast round trip: answered in")
    assert server.paths[0].startswith("/realtime/v1/websocket?apikey=")
    [join] = server.joins
    assert join["config"]["private"] is True
    assert join["access_token"] == KEY


async def test_realtime_slower_than_500_ms_is_unhealthy() -> None:
    async with phoenix_server(echo_delay=0.6) as server:
        result = await check_realtime(server.url, KEY, timeout=3)

    assert result.status is Status.unhealthy
    assert result.latency_ms is not None and result.latency_ms >= 600
    assert "limit 500 ms" in result.detail


async def test_realtime_refusing_the_channel_is_unhealthy() -> None:
    async with phoenix_server() as server:
        result = await check_realtime(server.url, "", timeout=3)

    assert result.status is Status.unhealthy
    assert "could not join a private channel" in result.detail


async def test_realtime_not_answering_is_unhealthy() -> None:
    async with phoenix_server() as server:
        url = server.url  # the port is free again once the server has stopped

    result = await check_realtime(url, KEY, timeout=2)

    assert result.status is Status.unhealthy
    assert "Realtime did not answer" in result.detail
