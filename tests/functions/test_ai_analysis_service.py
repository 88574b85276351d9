"""ai-analysis's service on a real database, with respx standing in for the OpenAI HTTP API.

The tests share a database (migrations, no seed) whose ai-analysis tables
are emptied before each; a test builds the service as the function does for
a process, and two services on one database act as two processes sharing it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx
import psycopg
import pytest
import respx

from functions._shared.database import Database
from functions.ai_analysis.lifespan import AiAnalysisState, build_state
from maxpulse_tools.local.cluster import find_free_port
from tests.functions.conftest import gateway_settings
from tests.support.assessments import assessment
from tests.support.openai_fake import analysis_completion, analysis_text, completion

BASE_URL = "https://llm.test/v1"
ServiceFactory = Callable[..., Awaitable[AiAnalysisState]]


@pytest.fixture(scope="module")
def db_url(database_factory: Callable[..., str]) -> str:
    return database_factory(migrated=True)


@pytest.fixture
def sql(db_url: str) -> Iterator[Callable[..., list[tuple[Any, ...]]]]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "truncate public.ai_analysis_results, public.ai_analysis_generations,"
            " public.ai_analysis_usage, private.ai_analysis_leases, private.ai_analysis_usage_batches"
        )

        def run(query: Any, params: Any = None) -> list[tuple[Any, ...]]:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

        yield run


@pytest.fixture
def upstream() -> Iterator[respx.Route]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as mock:
        yield mock.post("/chat/completions")


@pytest.fixture
async def make_service(
    db_url: str, sql: Callable[..., list[tuple[Any, ...]]]
) -> AsyncIterator[ServiceFactory]:
    """`await make_service(**settings)`: a service as one process builds it, on the test's database."""
    started: list[tuple[Database, httpx.AsyncClient]] = []

    async def make(**overrides: Any) -> AiAnalysisState:
        values: dict[str, Any] = {
            "openai_api_key": "sk-test-key",
            "openai_base_url": BASE_URL,
            "maxpulse_ai_timeout_seconds": 2.0,
            "maxpulse_ai_max_retries": 0,
            **overrides,
        }
        settings = gateway_settings(db_url, "unused-secret-unused-secret-unused-secret", **values)
        database = Database(db_url)
        await database.open()
        http = httpx.AsyncClient()
        started.append((database, http))
        return build_state(settings, database, http)

    yield make
    for database, http in started:
        await http.aclose()
        await database.close()


async def test_a_miss_calls_the_llm_once_and_the_next_request_is_a_hit(
    make_service: ServiceFactory, upstream: respx.Route, sql: Callable[..., Any]
) -> None:
    upstream.return_value = httpx.Response(200, json=analysis_completion())
    service = (await make_service()).service

    first = await service.respond(assessment())
    second = await service.respond(assessment())

    assert (first["cached"], first["source"]) == (False, "llm")
    assert (second["cached"], second["source"]) == (True, "llm")
    assert first["analysis"] == second["analysis"]
    assert upstream.call_count == 1
    await service.usage.flush()
    assert dict(sql("select outcome, requests from public.ai_analysis_usage")) == {
        "miss": 1,
        "hit": 1,
    }
    assert sql("select hit_count from public.ai_analysis_results") == [(1,)]


async def test_the_answer_is_the_llm_text_with_the_persons_own_scores(
    make_service: ServiceFactory, upstream: respx.Route
) -> None:
    upstream.return_value = httpx.Response(200, json=analysis_completion(grade="C"))
    service = (await make_service()).service

    body = await service.respond(assessment(hydration=7, sleep=5.5, exercise=8, nutrition=3))

    text = analysis_text(grade="C")
    assert body["analysis"]["overallGrade"] == "C"
    assert body["analysis"]["priorityActions"] == text["priorityActions"]
    scores = {i["area"]: i["score"] for i in body["analysis"]["areaInsights"]}
    assert scores == {"hydration": 7, "sleep": 5.5, "exercise": 8, "nutrition": 3}
    assert isinstance(body["processingTime"], float)


async def test_everyone_in_a_bucket_shares_the_cached_analysis(
    make_service: ServiceFactory, upstream: respx.Route, sql: Callable[..., Any]
) -> None:
    upstream.return_value = httpx.Response(200, json=analysis_completion())
    service = (await make_service()).service

    await service.respond(assessment(age=31, hydration=7, sleep=5))
    other = await service.respond(assessment(age=38, hydration=8, sleep=6.4))

    assert other["cached"] is True
    assert upstream.call_count == 1
    [(pattern, analysis)] = sql("select pattern, analysis_data from public.ai_analysis_results")
    assert pattern == {
        "assessmentType": "health",
        "ageDecade": 30,
        "healthMetrics": {"hydration": 8, "sleep": 6, "exercise": 8, "nutrition": 8},
    }
    assert "score" not in str(analysis)  # no person's score in the cache


async def test_an_expired_analysis_is_generated_anew(
    make_service: ServiceFactory, upstream: respx.Route, sql: Callable[..., Any]
) -> None:
    upstream.side_effect = [
        httpx.Response(200, json=analysis_completion(note=" First.")),
        httpx.Response(200, json=analysis_completion(note=" Second.")),
    ]
    service = (await make_service(maxpulse_ai_cache_ttl_seconds=1)).service
    await service.respond(assessment())
    fresh = await service.respond(assessment())
    [(ttl,)] = sql("select expires_at - updated_at from public.ai_analysis_results")

    await asyncio.sleep(1.1)
    refreshed = await service.respond(assessment())

    assert ttl.total_seconds() == pytest.approx(1, abs=0.1)
    assert fresh["cached"] is True
    assert refreshed["cached"] is False
    assert refreshed["analysis"]["overallMessage"].endswith("Second.")
    assert upstream.call_count == 2
    assert sql("select count(*) from public.ai_analysis_results") == [(1,)]


async def test_hits_are_answered_from_memory_and_still_counted(
    make_service: ServiceFactory, upstream: respx.Route, sql: Callable[..., Any]
) -> None:
    upstream.return_value = httpx.Response(200, json=analysis_completion())
    service = (await make_service()).service
    await service.respond(assessment())
    sql("delete from public.ai_analysis_results")  # as `maxpulse ai cache clear` does

    remembered = await service.respond(assessment())

    assert (remembered["cached"], remembered["source"]) == (True, "llm")
    assert upstream.call_count == 1
    await service.usage.flush()
    assert dict(sql("select outcome, requests from public.ai_analysis_usage")) == {
        "miss": 1,
        "hit": 1,
    }


async def test_a_new_model_is_a_new_key_version(
    make_service: ServiceFactory, upstream: respx.Route, sql: Callable[..., Any]
) -> None:
    upstream.return_value = httpx.Response(200, json=analysis_completion())
    before = (await make_service()).service
    after = (await make_service(maxpulse_ai_model="gpt-5-mini")).service

    await before.respond(assessment())
    answer = await after.respond(assessment())

    assert answer["cached"] is False
    assert upstream.call_count == 2
    versions = sql("select distinct key_version from public.ai_analysis_results")
    assert sorted(v for (v,) in versions) == sorted([before.key_version, after.key_version])


async def test_fifty_concurrent_requests_for_a_missing_key_make_one_llm_call(
    make_service: ServiceFactory, upstream: respx.Route, sql: Callable[..., Any]
) -> None:
    async def slow_answer(_: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.3)
        return httpx.Response(200, json=analysis_completion())

    upstream.side_effect = slow_answer
    service = (await make_service()).service

    bodies = await asyncio.gather(*(service.respond(assessment()) for _ in range(50)))

    assert upstream.call_count == 1
    assert sorted(body["cached"] for body in bodies) == [False] + [True] * 49
    assert {body["source"] for body in bodies} == {"llm"}
    await service.usage.flush()
    assert dict(sql("select outcome, requests from public.ai_analysis_usage")) == {
        "miss": 1,
        "hit": 49,
    }
    assert sql("select count(*) from public.ai_analysis_generations") == [(1,)]


async def test_two_processes_on_one_database_make_one_llm_call(
    make_service: ServiceFactory, upstream: respx.Route
) -> None:
    async def slow_answer(_: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.5)
        return httpx.Response(200, json=analysis_completion())

    upstream.side_effect = slow_answer
    first, second = (await make_service()).service, (await make_service()).service

    bodies = await asyncio.gather(
        *(service.respond(assessment()) for service in (first, second) for _ in range(5))
    )

    assert upstream.call_count == 1
    assert [body["cached"] for body in bodies].count(False) == 1
    assert {body["source"] for body in bodies} == {"llm"}


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (httpx.Response(500, json={"error": {"message": "down"}}), "upstream_error"),
        (httpx.ReadTimeout("no answer"), "timeout"),
        (httpx.Response(200, json=completion(None, refusal="I can't help with that.")), "refused"),
        (httpx.Response(200, json=completion("this is not JSON")), "invalid_output"),
    ],
    ids=["500", "timeout", "refusal", "invalid JSON"],
)
async def test_llm_failures_fall_back_to_rules_and_store_nothing(
    make_service: ServiceFactory,
    upstream: respx.Route,
    sql: Callable[..., Any],
    answer: httpx.Response | Exception,
    outcome: str,
) -> None:
    if isinstance(answer, Exception):
        upstream.side_effect = answer
    else:
        upstream.return_value = answer
    service = (await make_service()).service

    body = await service.respond(assessment(hydration=2))

    assert (body["source"], body["cached"]) == ("rules", False)
    assert "score of 2 " in body["analysis"]["areaInsights"][0]["message"]
    assert sql("select count(*) from public.ai_analysis_results") == [(0,)]
    assert sql("select outcome from public.ai_analysis_generations") == [(outcome,)]


async def test_a_failed_key_answers_by_rules_without_calling_again(
    make_service: ServiceFactory, upstream: respx.Route
) -> None:
    upstream.return_value = httpx.Response(500, json={"error": {"message": "down"}})
    service = (await make_service()).service

    bodies = [await service.respond(assessment()) for _ in range(3)]

    assert [body["source"] for body in bodies] == ["rules"] * 3
    assert upstream.call_count == 1


async def test_without_a_key_the_rules_answer_and_nothing_is_called(
    make_service: ServiceFactory, upstream: respx.Route, sql: Callable[..., Any]
) -> None:
    service = (await make_service(openai_api_key=None)).service

    body = await service.respond(assessment())

    assert (body["source"], body["cached"]) == ("rules", False)
    assert upstream.call_count == 0
    await service.usage.flush()
    assert sql("select outcome, requests from public.ai_analysis_usage") == [("rules", 1)]
    assert sql("select count(*) from public.ai_analysis_results") == [(0,)]


async def test_each_generation_records_model_tokens_and_cost(
    make_service: ServiceFactory, upstream: respx.Route, sql: Callable[..., Any]
) -> None:
    upstream.return_value = httpx.Response(200, json=analysis_completion())
    service = (await make_service()).service

    await service.respond(assessment())

    rows = sql(
        "select model, outcome, prompt_tokens, completion_tokens, cost_usd, key_version"
        " from public.ai_analysis_generations"
    )
    # 310 prompt and 420 completion tokens of gpt-4.1-mini at 0.40 and 1.60 USD per million
    assert rows == [
        ("gpt-4.1-mini-2025-04-14", "stored", 310, 420, Decimal("0.00079600"), service.key_version)
    ]


async def test_while_the_database_is_away_the_rules_answer(
    upstream: respx.Route, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"postgresql://postgres:postgres@127.0.0.1:{find_free_port()}/postgres"
    settings = gateway_settings(
        url,
        "unused-secret-unused-secret-unused-secret",
        openai_api_key="sk-test-key",
        openai_base_url=BASE_URL,
    )
    database = Database(url)
    await database.open()
    async with httpx.AsyncClient() as http:
        service = build_state(settings, database, http).service
        body = await service.respond(assessment())
    await database.close()

    assert (body["source"], body["cached"]) == ("rules", False)
    assert upstream.call_count == 0
    assert "pattern cache failed" not in caplog.text
