"""POST /functions/v1/ai-analysis over HTTP: the seed's contract, callers, validation, rate limit.

The gateway serves ai-analysis alone on a database of this module, with an
API key and respx standing in for the OpenAI HTTP API.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import respx

from functions.gateway import create_gateway
from tests.functions.conftest import BASE_URL, Tokens, gateway_settings, serving
from tests.support.assessments import SEED_BODY, body_with
from tests.support.openai_fake import analysis_completion

LLM_URL = "https://llm.test/v1"
PATH = "/functions/v1/ai-analysis"


@pytest.fixture(scope="module")
def db_url(database_factory: Callable[..., str]) -> str:
    return database_factory(migrated=True)


@pytest.fixture
def upstream() -> Iterator[respx.Route]:
    with respx.mock(base_url=LLM_URL, assert_all_called=False) as mock:
        route = mock.post("/chat/completions")
        route.return_value = httpx.Response(200, json=analysis_completion())
        yield route


@asynccontextmanager
async def ai_client(
    db_url: str, tokens: Tokens, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a started gateway that serves ai-analysis alone."""
    values = {
        "maxpulse_function": "ai-analysis",
        "openai_api_key": "sk-test-key",
        "openai_base_url": LLM_URL,
        "maxpulse_ai_max_retries": 0,
        **settings,
    }
    app = create_gateway(gateway_settings(db_url, tokens.secret, **values))
    async with serving(app) as served:
        transport = httpx.ASGITransport(app=served, client=("198.51.100.9", 40000))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            yield http


@pytest.fixture
async def http(db_url: str, tokens: Tokens) -> AsyncIterator[httpx.AsyncClient]:
    async with ai_client(db_url, tokens) as client:
        yield client


async def test_the_seed_frontends_request_gets_its_answer_and_then_the_cached_one(
    http: httpx.AsyncClient, tokens: Tokens, upstream: respx.Route
) -> None:
    headers = tokens.bearer(tokens.anon)
    body = body_with("input.demographics.age", 47)  # a bucket of its own in this module

    first = await http.post(PATH, json=body, headers=headers)
    second = await http.post(PATH, json=body, headers=headers)

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.headers["access-control-allow-origin"] == "*"
    answer = first.json()
    assert set(answer) == {"analysis", "cached", "source", "processingTime"}
    assert set(answer["analysis"]) == {
        "overallGrade",
        "overallMessage",
        "areaInsights",
        "priorityActions",
        "keyInsights",
        "improvementPotential",
    }
    assert [set(i) for i in answer["analysis"]["areaInsights"]] == [
        {"area", "score", "message", "recommendation"}
    ] * 4
    assert [i["score"] for i in answer["analysis"]["areaInsights"]] == [7, 6, 8, 7]
    assert (answer["source"], answer["cached"]) == ("llm", False)
    assert (second.json()["source"], second.json()["cached"]) == ("llm", True)
    assert isinstance(answer["processingTime"], int | float)
    assert upstream.call_count == 1


@pytest.mark.parametrize("role", ["anon", "authenticated", "service_role"])
async def test_the_anon_key_a_user_token_and_the_service_key_may_call(
    http: httpx.AsyncClient, tokens: Tokens, upstream: respx.Route, role: str
) -> None:
    token = tokens.user(uuid.uuid4()) if role == "authenticated" else tokens.for_role(role)

    response = await http.post(PATH, json=SEED_BODY, headers=tokens.bearer(token))

    assert response.status_code == 200
    assert response.json()["source"] == "llm"


async def test_without_a_token_the_answer_is_401(http: httpx.AsyncClient) -> None:
    response = await http.post(PATH, json=SEED_BODY)

    assert response.status_code == 401
    assert response.json()["code"] == "missing_authorization"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (body_with("input.demographics.age", 121), "input.demographics.age"),
        (body_with("input.healthMetrics.hydration", 11), "input.healthMetrics.hydration"),
        (body_with("input.healthMetrics.exercise", "8"), "input.healthMetrics.exercise"),
        (body_with("input.healthMetrics.sleep", ...), "input.healthMetrics.sleep"),
        (body_with("input.assessmentType", "wealth"), "input.assessmentType"),
        ({"assessmentType": "health"}, "input"),
    ],
    ids=["age", "metric range", "metric type", "missing metric", "unknown type", "no input"],
)
async def test_bad_input_is_422_naming_the_field(
    http: httpx.AsyncClient, tokens: Tokens, upstream: respx.Route, body: Any, field: str
) -> None:
    response = await http.post(PATH, json=body, headers=tokens.bearer(tokens.anon))

    assert response.status_code == 422
    error = response.json()
    assert (error["code"], error["field"]) == ("validation_failed", field)
    assert error["error"].startswith(f"{field}: ")
    assert upstream.call_count == 0


async def test_malformed_json_is_400(http: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await http.post(
        PATH,
        content=b'{"input": ',
        headers={**tokens.bearer(tokens.anon), "content-type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


async def test_a_caller_over_the_rate_limit_gets_429_with_retry_after(
    db_url: str, tokens: Tokens, upstream: respx.Route
) -> None:
    user = tokens.bearer(tokens.user(uuid.uuid4()))
    async with ai_client(db_url, tokens, maxpulse_ai_rate_limit_per_minute=2) as http:
        allowed = [
            (await http.post(PATH, json=SEED_BODY, headers=user)).status_code for _ in range(2)
        ]
        refused = await http.post(PATH, json=SEED_BODY, headers=user)
        other_user = await http.post(
            PATH, json=SEED_BODY, headers=tokens.bearer(tokens.user(uuid.uuid4()))
        )
        service = await http.post(PATH, json=SEED_BODY, headers=tokens.bearer(tokens.service_role))

    assert allowed == [200, 200]
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 30
    assert (other_user.status_code, service.status_code) == (200, 200)


async def test_anon_callers_are_limited_by_address(
    db_url: str, tokens: Tokens, upstream: respx.Route
) -> None:
    anon = tokens.bearer(tokens.anon)
    async with ai_client(db_url, tokens, maxpulse_ai_rate_limit_per_minute=1) as http:
        first = await http.post(PATH, json=SEED_BODY, headers=anon)
        second = await http.post(PATH, json=SEED_BODY, headers=anon)

    assert (first.status_code, second.status_code) == (200, 429)


async def test_an_upstream_failure_is_answered_by_rules(
    http: httpx.AsyncClient, tokens: Tokens, upstream: respx.Route
) -> None:
    upstream.return_value = httpx.Response(503, json={"error": {"message": "overloaded"}})
    body = body_with("input.demographics.age", 62)  # a bucket no other test fills

    response = await http.post(PATH, json=body, headers=tokens.bearer(tokens.anon))

    assert response.status_code == 200
    assert (response.json()["source"], response.json()["cached"]) == ("rules", False)
    assert upstream.call_count == 1


async def test_without_a_key_the_rules_answer(
    db_url: str, tokens: Tokens, upstream: respx.Route
) -> None:
    async with ai_client(db_url, tokens, openai_api_key=None) as http:
        response = await http.post(PATH, json=SEED_BODY, headers=tokens.bearer(tokens.anon))

    assert response.status_code == 200
    answer = response.json()
    assert (answer["source"], answer["cached"]) == ("rules", False)
    assert answer["analysis"]["overallGrade"] == "B"
    assert upstream.call_count == 0
