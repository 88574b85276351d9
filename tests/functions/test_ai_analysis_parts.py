"""ai-analysis's in-process parts: the per-caller rate limit and single-flight."""

from __future__ import annotations

import asyncio

import pytest

from functions.ai_analysis.memory import RecentAnalyses
from functions.ai_analysis.ratelimit import RateLimiter, retry_after_header
from functions.ai_analysis.singleflight import SingleFlight


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_caller_gets_the_burst_then_waits_for_the_refill() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=6, burst=3, clock=clock)

    allowed = [limiter.acquire("user:a") for _ in range(3)]
    refused = limiter.acquire("user:a")

    assert allowed == [None, None, None]
    assert refused == pytest.approx(10.0)  # one request per 10 s
    clock.now += 10
    assert limiter.acquire("user:a") is None


def test_callers_are_limited_separately() -> None:
    limiter = RateLimiter(per_minute=1, clock=Clock())

    assert limiter.acquire("user:a") is None
    assert limiter.acquire("user:a") is not None
    assert limiter.acquire("address:203.0.113.7") is None


def test_the_limiter_remembers_a_bounded_number_of_callers() -> None:
    limiter = RateLimiter(per_minute=1, max_callers=2, clock=Clock())

    for caller in ("a", "b", "c"):
        limiter.acquire(caller)

    assert limiter.acquire("b") is not None  # still remembered
    assert limiter.acquire("a") is None  # forgotten, the oldest


@pytest.mark.parametrize(("seconds", "header"), [(0.01, "1"), (1.0, "1"), (9.2, "10")])
def test_retry_after_is_whole_seconds(seconds: float, header: str) -> None:
    assert retry_after_header(seconds) == header


async def test_concurrent_callers_share_one_run() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    runs = 0

    async def work() -> int:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.05)
        return 42

    results = await asyncio.gather(*(flights.run("k", work, timeout=1) for _ in range(10)))

    assert runs == 1
    assert [r.value for r in results] == [42] * 10
    assert [r.joined for r in results] == [False] + [True] * 9
    assert len(flights) == 0  # forgotten once done


async def test_the_work_outlives_a_caller_that_gives_up() -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    finished = asyncio.Event()

    async def work() -> str:
        await asyncio.sleep(0.2)
        finished.set()
        return "done"

    with pytest.raises(TimeoutError):
        await flights.run("k", work, timeout=0.05)
    joined = await flights.run("k", work, timeout=1)

    assert finished.is_set()
    assert (joined.value, joined.joined) == ("done", True)


async def test_a_failure_reaches_every_caller_and_the_next_call_starts_afresh() -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    calls = 0

    async def failing() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise RuntimeError("boom")

    outcomes = await asyncio.gather(
        *(flights.run("k", failing, timeout=1) for _ in range(3)), return_exceptions=True
    )
    with pytest.raises(RuntimeError):
        await flights.run("k", failing, timeout=1)

    assert all(isinstance(outcome, RuntimeError) for outcome in outcomes)
    assert calls == 2


def test_recent_analyses_are_kept_for_a_few_seconds_at_most() -> None:
    clock = Clock()
    recent = RecentAnalyses(seconds=10, clock=clock)
    recent.put("short", {"n": 1}, fresh_seconds=3)  # the cache row expires in 3 s
    recent.put("long", {"n": 2}, fresh_seconds=3600)

    clock.now += 5
    assert (recent.get("short"), recent.get("long")) == (None, {"n": 2})
    clock.now += 5
    assert recent.get("long") is None


def test_recent_analyses_are_bounded() -> None:
    recent = RecentAnalyses(max_entries=2, clock=Clock())
    for key in ("a", "b", "c"):
        recent.put(key, {"key": key}, fresh_seconds=60)

    assert [recent.get(key) for key in ("a", "b", "c")] == [None, {"key": "b"}, {"key": "c"}]
