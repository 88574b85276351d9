"""The gateway and what every function shares: routing, CORS, errors, limits, health, OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Request

from functions._shared.config import ConfigFileError, FunctionConfig, read_function_configs
from functions._shared.function import Function
from functions._shared.http import ALLOWED_HEADERS
from functions._shared.runtime import Runtime
from functions.gateway import FUNCTION_NAMES, GatewayConfigError, build_app, create_gateway
from maxpulse_tools.finance.money import AMOUNT_PATTERN
from tests.functions.conftest import BASE_URL, Tokens, gateway_settings, serving

Sql = Callable[..., list[tuple[Any, ...]]]
EVENTS = "/functions/v1/link-tracker/events"


def assert_cors(response: httpx.Response) -> None:
    assert response.headers["access-control-allow-origin"] == "*"
    allowed = {h.strip() for h in response.headers["access-control-allow-headers"].split(",")}
    assert allowed >= {"authorization", "x-client-info", "apikey", "content-type", "x-retry-count"}
    assert "POST" in response.headers["access-control-allow-methods"]


@pytest.mark.parametrize("name", FUNCTION_NAMES)
async def test_preflight_is_answered_without_a_token(client: httpx.AsyncClient, name: str) -> None:
    response = await client.options(
        f"/functions/v1/{name}",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": ALLOWED_HEADERS,
        },
    )

    assert response.status_code == 200
    assert response.text == "ok"
    assert_cors(response)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/functions/v1/link-tracker/health", 200),
        ("GET", "/functions/v1/ai-analysis", 401),
        ("POST", EVENTS, 401),
        ("GET", "/functions/v1/no-such-function", 404),
        ("GET", "/elsewhere", 404),
        ("GET", "/functions/v1/link-tracker/a/b", 404),
        ("DELETE", EVENTS, 405),
        ("POST", "/functions/v1/link-tracker/some-code", 405),
    ],
)
async def test_every_response_carries_cors_headers_errors_included(
    client: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    response = await client.request(method, path)

    assert response.status_code == status
    assert_cors(response)
    if status >= 400:
        error = response.json()
        assert set(error) >= {"error", "code"}
        assert error["error"]


@pytest.mark.parametrize("name", FUNCTION_NAMES)
async def test_health_needs_no_token_and_reports_the_database(
    client: httpx.AsyncClient, name: str
) -> None:
    response = await client.get(f"/functions/v1/{name}/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["function"] == name
    assert body["version"]
    assert body["database"]["reachable"] is True
    assert body["database"]["latencyMs"] >= 0


async def test_openapi_describes_every_function(client: httpx.AsyncClient) -> None:
    response = await client.get("/functions/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    paths = document["paths"]
    assert "post" in paths[EVENTS]
    assert "get" in paths["/functions/v1/link-tracker/{code}"]
    for name in FUNCTION_NAMES:
        assert f"/functions/v1/{name}/health" in paths
    assert paths["/functions/v1/ai-analysis/"]["post"]["security"] == [{"supabaseJwt": []}]
    assert "ErrorEnvelope" in document["components"]["schemas"]


async def test_openapi_declares_the_payment_event_the_commission_processor_reads_raw(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/functions/v1/openapi.json")).json()

    body = document["paths"]["/functions/v1/commission-processor/"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    models = document["components"]["schemas"]
    assert body["required"] is True
    assert schema["discriminator"]["propertyName"] == "type"
    assert [ref["$ref"] for ref in schema["oneOf"]] == [
        "#/components/schemas/SaleEvent",
        "#/components/schemas/RefundEvent",
        "#/components/schemas/OrderPaidEvent",
    ]
    assert "$defs" not in schema
    sale = models["SaleEvent"]
    assert sale["properties"]["items"]["anyOf"][0]["items"] == {
        "$ref": "#/components/schemas/SaleItem"
    }
    assert models["SaleItem"]["required"] == ["sku", "quantity"]
    # a decimal string, as the route reads it, not the number a Decimal would take
    amount = models["RefundEvent"]["properties"]["amount"]
    assert (amount["type"], amount["pattern"]) == ("string", AMOUNT_PATTERN)


def test_every_app_built_has_the_same_document(functions_db_url: str, tokens: Tokens) -> None:
    """Building a document leaves the routes it reads as they were."""
    settings = gateway_settings(functions_db_url, tokens.secret)

    first, second = (create_gateway(settings).openapi() for _ in range(2))

    assert first == second
    assert "SaleEvent" in second["components"]["schemas"]


async def test_oversized_body_is_413_before_it_is_read(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    response = await client.post(
        EVENTS,
        content=b"{" + b" " * (64 * 1024) + b"}",
        headers={**tokens.bearer(tokens.anon), "Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert_cors(response)


async def test_oversized_chunked_body_is_413(client: httpx.AsyncClient, tokens: Tokens) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 4096

    response = await client.post(
        EVENTS,
        content=chunks(),
        headers={**tokens.bearer(tokens.anon), "Content-Type": "application/json"},
    )

    assert response.status_code == 413


async def test_a_body_of_exactly_64_kib_is_read(client: httpx.AsyncClient, tokens: Tokens) -> None:
    padding = " " * (64 * 1024 - 2)
    response = await client.post(
        EVENTS,
        content=("{" + padding + "}").encode(),
        headers={**tokens.bearer(tokens.anon), "Content-Type": "application/json"},
    )

    assert response.status_code == 422  # read and parsed: it lacks the fields


@pytest.mark.parametrize(
    "body", [b"{not json", b'{"sessionId": ', b"\xff\xfe", b"[" * 30000 + b"]" * 30000]
)
async def test_malformed_json_is_400(
    client: httpx.AsyncClient, tokens: Tokens, body: bytes
) -> None:
    response = await client.post(
        EVENTS,
        content=body,
        headers={**tokens.bearer(tokens.anon), "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


async def test_non_json_body_is_415(client: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await client.post(
        EVENTS,
        content=b"sessionId=1",
        headers={**tokens.bearer(tokens.anon), "Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 415


async def test_missing_body_is_422(client: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await client.post(EVENTS, headers=tokens.bearer(tokens.anon))

    assert response.status_code == 422
    assert response.json()["field"] == "body"


async def test_one_function_only_when_maxpulse_function_is_set(
    functions_db_url: str, tokens: Tokens
) -> None:
    app = create_gateway(
        gateway_settings(functions_db_url, tokens.secret, maxpulse_function="ai-analysis")
    )
    async with serving(app) as gateway:
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            served = await http.get("/functions/v1/ai-analysis/health")
            other = await http.get("/functions/v1/link-tracker/health")
            document = (await http.get("/functions/v1/openapi.json")).json()

    assert served.status_code == 200
    assert other.status_code == 404
    assert not any(path.startswith("/functions/v1/link-tracker") for path in document["paths"])


def test_unknown_maxpulse_function_is_refused(functions_db_url: str, tokens: Tokens) -> None:
    with pytest.raises(GatewayConfigError, match="link-tracker, ai-analysis"):
        create_gateway(gateway_settings(functions_db_url, tokens.secret, maxpulse_function="nope"))


async def test_verify_jwt_comes_from_config_toml(
    functions_db_url: str, tokens: Tokens, tmp_path: Path
) -> None:
    (tmp_path / "supabase").mkdir()
    (tmp_path / "supabase" / "config.toml").write_text(
        "[functions.analytics-aggregator]\nverify_jwt = false\n"
        "[functions.commission-processor]\nenabled = false\n"
    )
    gateway = create_gateway(
        gateway_settings(functions_db_url, tokens.secret, maxpulse_project_dir=tmp_path)
    )
    async with (
        serving(gateway) as served,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=served), base_url=BASE_URL) as http,
    ):
        open_function = await http.post("/functions/v1/analytics-aggregator/nowhere")
        default_function = await http.post("/functions/v1/ai-analysis/nowhere")
        disabled_function = await http.post("/functions/v1/commission-processor")

    assert open_function.status_code == 404  # no token needed: it got to the routing
    assert default_function.status_code == 401  # no section: Supabase's default, verify_jwt
    assert disabled_function.status_code == 404


def test_config_toml_reader(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'project_id = "x"\n[functions.a]\nverify_jwt = false\n[functions.b]\nenabled = false\n'
    )

    assert read_function_configs(config) == {
        "a": FunctionConfig(enabled=True, verify_jwt=False),
        "b": FunctionConfig(enabled=False, verify_jwt=True),
    }
    assert read_function_configs(None) == {}


@pytest.mark.parametrize(
    "text", ['[functions.a]\nverify_jwt = "no"\n', "[functions\n", "functions = 3\n"]
)
def test_config_toml_mistakes_are_reported(tmp_path: Path, text: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)

    with pytest.raises(ConfigFileError, match=str(config)):
        read_function_configs(config)


def test_the_repository_config_toml_leaves_token_checks_to_two_functions() -> None:
    """Shared links open without a token; payment events are signed, not sent with a JWT."""
    configs = read_function_configs(Path(__file__).resolve().parents[2] / "supabase/config.toml")

    assert {name: config.verify_jwt for name, config in configs.items()} == {
        "link-tracker": False,
        "ai-analysis": True,
        "commission-processor": False,
        "analytics-aggregator": True,
    }


def faulty_function() -> Function:
    """A function with a bug, to see what a caller gets from an unexpected exception."""
    router = APIRouter()

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    return Function(name="faulty", summary="Raises", router=router)


async def test_an_unexpected_exception_is_a_500_envelope_with_cors(
    functions_db_url: str, tokens: Tokens, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = Runtime.create(gateway_settings(functions_db_url, tokens.secret))
    app = build_app(runtime, [(faulty_function(), FunctionConfig(verify_jwt=False))])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        response = await http.get("/functions/v1/faulty/boom")

    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "a bug" not in response.text  # details go to the log, not to the caller
    assert_cors(response)
    assert sum("a bug" in str(record.exc_info) for record in caplog.records) == 1


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/rest/v1/users?select=*", "REST"),
        ("/auth/v1/token?grant_type=password", "Auth"),
        ("/realtime/v1/websocket", "Realtime"),
        ("/storage/v1/object/list/avatars", "Storage"),
    ],
)
async def test_platform_paths_say_where_they_are_served(
    client: httpx.AsyncClient, path: str, service: str
) -> None:
    preflight = await client.options(
        path, headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    )
    response = await client.post(path, json={})

    assert preflight.status_code == 200
    assert_cors(preflight)
    assert response.status_code == 501
    assert_cors(response)
    error = response.json()
    assert error["code"] == "not_served_here"
    assert service in error["error"]
    assert "SUPABASE_URL" in error["error"]


async def test_a_guarded_function_refuses_unknown_sub_paths_before_routing(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    without_token = await client.get("/functions/v1/analytics-aggregator/no/such/route")
    with_token = await client.get(
        "/functions/v1/analytics-aggregator/no/such/route", headers=tokens.bearer(tokens.anon)
    )

    assert without_token.status_code == 401  # as on Supabase: the token first
    assert with_token.status_code == 404  # then the function's own routing


@pytest.mark.parametrize("path", ["/functions/v1/ai-analysis", "/functions/v1/ai-analysis/"])
async def test_a_function_answers_at_its_root_with_or_without_a_slash(
    client: httpx.AsyncClient, tokens: Tokens, path: str
) -> None:
    response = await client.post(path, json={}, headers=tokens.bearer(tokens.anon))

    assert response.status_code == 422  # ai-analysis itself refused the empty input
    assert response.json()["field"] == "input"
    assert "location" not in response.headers


async def test_head_of_health_is_answered(client: httpx.AsyncClient) -> None:
    response = await client.head("/functions/v1/link-tracker/health")

    assert response.status_code == 200
    assert_cors(response)


def disconnecting_function() -> Function:
    """A function whose handler reads the body itself, as a signature check must."""
    router = APIRouter()

    @router.post("/raw")
    async def raw(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    return Function(name="raw", summary="Reads its body", router=router)


async def test_a_client_gone_before_its_body_is_no_error(
    functions_db_url: str, tokens: Tokens, caplog: pytest.LogCaptureFixture, sql: Sql
) -> None:
    runtime = Runtime.create(gateway_settings(functions_db_url, tokens.secret))
    await runtime.start()
    app = build_app(runtime, [(disconnecting_function(), FunctionConfig(verify_jwt=False))])
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/functions/v1/raw/raw",
        "raw_path": b"/functions/v1/raw/raw",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/octet-stream")],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
        "state": {"runtime": runtime},
    }
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    await runtime.stop()  # writes the timings

    assert sent == []  # nobody to answer
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
    statuses = sql(
        "select tags ->> 'status' from public.performance_metrics"
        " where component_name = 'functions/raw' and tags ->> 'route' = '/raw'"
    )
    assert statuses == [("499",)]
