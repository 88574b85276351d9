"""The LLM client through the OpenAI SDK, with respx standing in for the OpenAI HTTP API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx

from functions.ai_analysis.llm import LlmAnalyst, create_client
from functions.ai_analysis.patterns import Pattern
from tests.support.openai_fake import MODEL, analysis_completion, analysis_text, completion

BASE_URL = "https://llm.test/v1"
PATTERN = Pattern("health", 30, (("hydration", 8), ("sleep", 6), ("exercise", 8), ("nutrition", 8)))


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def upstream() -> Iterator[respx.Route]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as mock:
        yield mock.post("/chat/completions")


def analyst(http: httpx.AsyncClient, *, budget: float = 10.0, retries: int = 1) -> LlmAnalyst:
    client = create_client("sk-test-key", BASE_URL, http, timeout_seconds=2.0, max_retries=retries)
    return LlmAnalyst(client, "gpt-4.1-mini", budget)


async def test_structured_output_is_parsed_with_usage(
    http: httpx.AsyncClient, upstream: respx.Route
) -> None:
    upstream.return_value = httpx.Response(200, json=analysis_completion(grade="C"))

    answer = await analyst(http).analyse(PATTERN)

    assert answer.outcome == "stored"
    assert answer.analysis is not None and answer.analysis.as_json() == analysis_text(grade="C")
    assert (answer.model, answer.prompt_tokens, answer.completion_tokens) == (MODEL, 310, 420)


async def test_request_asks_for_a_strict_json_schema_of_the_pattern(
    http: httpx.AsyncClient, upstream: respx.Route
) -> None:
    upstream.return_value = httpx.Response(200, json=analysis_completion())

    await analyst(http).analyse(PATTERN)

    request = upstream.calls.last.request
    body = json.loads(request.content)
    assert request.headers["authorization"] == "Bearer sk-test-key"
    assert body["model"] == "gpt-4.1-mini"
    assert body["response_format"]["type"] == "json_schema"
    schema = body["response_format"]["json_schema"]
    assert schema["strict"] is True
    assert schema["schema"]["additionalProperties"] is False
    assert set(schema["schema"]["required"]) == set(analysis_text())
    assert "hydration 8, sleep 6, exercise 8, nutrition 8" in body["messages"][1]["content"]


@pytest.mark.parametrize(
    ("body", "outcome"),
    [
        (completion(None, refusal="I can't help with that."), "refused"),
        (completion('{"overallGrade": "B", '), "invalid_output"),
        (completion(json.dumps({**analysis_text(), "areaInsights": []})), "invalid_output"),
        (completion(json.dumps({**analysis_text(), "overallGrade": "A+"})), "invalid_output"),
        (completion('{"overallGrade": "B"', finish_reason="length"), "invalid_output"),
    ],
    ids=["refusal", "invalid JSON", "missing areas", "grade outside the enum", "cut off"],
)
async def test_unusable_answers_are_outcomes_with_their_tokens(
    http: httpx.AsyncClient, upstream: respx.Route, body: dict[str, Any], outcome: str
) -> None:
    upstream.return_value = httpx.Response(200, json=body)

    answer = await analyst(http).analyse(PATTERN)

    assert answer.outcome == outcome
    assert answer.analysis is None
    assert (answer.prompt_tokens, answer.completion_tokens) == (310, 420)


async def test_server_errors_are_retried_with_backoff_then_given_up(
    http: httpx.AsyncClient, upstream: respx.Route
) -> None:
    upstream.return_value = httpx.Response(500, json={"error": {"message": "overloaded"}})

    answer = await analyst(http, retries=2).analyse(PATTERN)

    assert answer.outcome == "upstream_error"
    assert upstream.call_count == 3
    assert answer.prompt_tokens is None


async def test_a_retry_that_succeeds_is_a_success(
    http: httpx.AsyncClient, upstream: respx.Route
) -> None:
    upstream.side_effect = [
        httpx.Response(503, json={"error": {"message": "busy"}}),
        httpx.Response(200, json=analysis_completion()),
    ]

    answer = await analyst(http, retries=1).analyse(PATTERN)

    assert answer.outcome == "stored"
    assert upstream.call_count == 2


async def test_a_timeout_of_every_attempt_is_a_timeout(
    http: httpx.AsyncClient, upstream: respx.Route
) -> None:
    upstream.side_effect = httpx.ReadTimeout("no answer")

    answer = await analyst(http, retries=1).analyse(PATTERN)

    assert answer.outcome == "timeout"
    assert upstream.call_count == 2


async def test_the_budget_bounds_a_slow_upstream(
    http: httpx.AsyncClient, upstream: respx.Route
) -> None:
    async def slow(_: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json=analysis_completion())

    upstream.side_effect = slow

    answer = await analyst(http, budget=0.3).analyse(PATTERN)

    assert answer.outcome == "timeout"
    assert answer.seconds < 1.0


async def test_the_api_key_never_reaches_the_log(
    http: httpx.AsyncClient, upstream: respx.Route, caplog: pytest.LogCaptureFixture
) -> None:
    upstream.return_value = httpx.Response(401, json={"error": {"message": "bad key sk-test-key"}})

    with caplog.at_level("DEBUG"):
        answer = await analyst(http).analyse(PATTERN)

    assert answer.outcome == "upstream_error"
    assert "sk-test-key" not in caplog.text
