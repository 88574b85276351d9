"""Benchmark: ai-analysis cache hits next to the runtime's health endpoint, and what the pattern cache saves.

1. Cache hits over HTTP. The functions run as `maxpulse functions serve` runs
   them (uvicorn, one worker, no access log) with an API key and
   OPENAI_BASE_URL on a loopback stand-in for the OpenAI API; one request fills
   the cache, then wrk sends the same assessment over and over, alternating
   with runs against GET /functions/v1/ai-analysis/health, the runtime's own
   endpoint (token check skipped, one database round trip), in the same
   invocation. Server time is what the runtime itself measured from arrival
   to last byte (its `performance_metrics` rows, written at shutdown); wrk's
   own latencies are printed too. Goal: hit p50 <= 3 ms server time.

2. LLM calls the pattern cache saves, over 10,000 made-up but plausible
   assessments (ages 18-80, scores 0-10 from correlated, person-to-person
   varying distributions, as sliders give them): once as if they came within
   one cache lifetime, once spread over a day with the 1-hour TTL, and the
   same with a key of the exact values for comparison.

    python bench/bench_ai_analysis.py [--seconds 10] [--rounds 2] [--connections 32]
    python bench/bench_ai_analysis.py --patterns-only

Part 1 needs wrk (Debian: apt-get install wrk); it is installed when missing
and we are root, else that part says so and is skipped.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import orjson
import psycopg

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bench._common import (  # noqa: E402
    WrkResult,
    ensure_wrk,
    migrate,
    run_wrk,
    served,
    throwaway_cluster,
)
from functions.ai_analysis.models import AssessmentInput  # noqa: E402
from functions.ai_analysis.patterns import cache_key, pattern_of  # noqa: E402
from tests.support.openai_fake import fake_openai  # noqa: E402

JWT_SECRET = "bench-secret-bench-secret-bench-secret-0123456789"
HIT_P50_GOAL_MS = 3.0
ASSESSMENTS = 10_000
TTL_SECONDS = 3600
DAY_SECONDS = 24 * 3600
BODY = {
    "input": {
        "assessmentType": "health",
        "demographics": {"age": 30, "weight": 70, "height": 175, "gender": "other"},
        "healthMetrics": {"hydration": 7, "sleep": 6, "exercise": 8, "nutrition": 7},
    }
}


# Part 2: what the pattern cache saves ---------------------------------------------


def realistic_assessment(rng: random.Random) -> dict[str, Any]:
    """One made-up assessment: an age, and four slider scores that go together a little."""
    age = min(80.0, max(18.0, rng.gauss(42, 14)))
    wellness = rng.gauss(0, 1.2)  # people who look after one area tend to look after others
    means = {"hydration": 6.0, "sleep": 6.3, "exercise": 5.2, "nutrition": 5.9}
    spread = {"hydration": 2.0, "sleep": 1.8, "exercise": 2.4, "nutrition": 2.0}
    metrics = {
        area: float(min(10, max(0, round(mean + wellness + rng.gauss(0, spread[area])))))
        for area, mean in means.items()
    }
    return {
        "assessmentType": "health",
        "demographics": {"age": int(age), "weight": round(rng.gauss(75, 14), 1), "height": 172},
        "healthMetrics": metrics,
    }


def llm_calls(keys_and_times: list[tuple[str, float]], ttl: float) -> int:
    """LLM calls a cache with lifetime `ttl` makes for requests (key, time) in time order."""
    expires: dict[str, float] = {}
    calls = 0
    for key, moment in sorted(keys_and_times, key=lambda pair: pair[1]):
        if expires.get(key, -math.inf) <= moment:
            calls += 1
            expires[key] = moment + ttl
    return calls


def pattern_savings(count: int = ASSESSMENTS, seed: int = 2026) -> None:
    """Print how many LLM calls `count` plausible assessments cost with and without the pattern key."""
    rng = random.Random(seed)
    people = [AssessmentInput.model_validate(realistic_assessment(rng)) for _ in range(count)]
    times = [rng.uniform(0, DAY_SECONDS) for _ in people]
    pattern_keys = [cache_key("0" * 16, pattern_of(person)) for person in people]
    exact_keys = [
        orjson.dumps([p.demographics.age, *p.health_metrics.model_dump().values()]).decode()
        for p in people
    ]
    print(f"pattern cache: {count:,} plausible assessments (ages 18-80, scores 0-10)")
    print(f"{'':50}{'LLM calls':>10}{'saved':>9}")
    for name, keys in (
        ("pattern key (decade, even scores)", pattern_keys),
        ("exact values", exact_keys),
    ):
        within = len(set(keys))
        over_day = llm_calls(list(zip(keys, times, strict=True)), TTL_SECONDS)
        for label, calls in ((f"{name}, one TTL", within), (f"{name}, a day, 1 h TTL", over_day)):
            print(f"{label:50}{calls:>10,}{1 - calls / count:>9.1%}")


# Part 1: cache hits over HTTP --------------------------------------------------------

APP = ["--factory", "functions.gateway:create_gateway"]
HIT_PATH = "/functions/v1/ai-analysis"
HEALTH_PATH = "/functions/v1/ai-analysis/health"


@dataclass(frozen=True)
class ServerTime:
    """What the runtime measured for one route: requests, p50 and p99 in ms."""

    count: int
    p50_ms: float
    p99_ms: float


@contextmanager
def benchmark_database() -> Iterator[str]:
    """A throw-away cluster with fsync on and every migration."""
    with throwaway_cluster(durable=True) as cluster:
        url = cluster.dsn()
        with psycopg.connect(url, autocommit=True) as conn:
            migrate(conn)
        yield url


def anon_token() -> str:
    return jwt.encode(
        {"role": "anon", "iss": "supabase", "exp": int(time.time()) + 3600}, JWT_SECRET, "HS256"
    )


def post_script(token: str) -> str:
    """A wrk script that POSTs the benchmark's assessment with the anon key."""
    # A Lua long string needs no escaping: the JSON holds no "]]".
    return "\n".join(
        [
            'wrk.method = "POST"',
            f"wrk.body = [[{orjson.dumps(BODY).decode()}]]",
            'wrk.headers["Content-Type"] = "application/json"',
            f'wrk.headers["Authorization"] = "Bearer {token}"',
        ]
    )


def prime_cache(base: str, token: str) -> None:
    """Fill the cache (one miss, unless an earlier server did); the next request must be a hit."""
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(2):
        answer = httpx.post(base + HIT_PATH, json=BODY, headers=headers, timeout=30).json()
    if (answer.get("source"), answer.get("cached")) != ("llm", True):
        raise RuntimeError(f"the cache did not fill as expected: {answer}")


def server_times(db_url: str, method: str, route_part: str) -> ServerTime:
    """The runtime's own timings of 200 answers to `method` on routes containing `route_part`.

    The runtime writes one row per 10-second window; p50 is the windows' p50
    weighted by their counts, p99 the worst window's. The rows are deleted
    after reading, so the next phase's server starts from none.
    """
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "delete from public.performance_metrics"
            " where component_name = 'functions/ai-analysis' and tags ->> 'method' = %s"
            " and tags ->> 'status' = '200' and strpos(tags ->> 'route', %s) > 0"
            " returning (tags ->> 'count')::int, (tags ->> 'p50')::float8, (tags ->> 'p99')::float8",
            (method, route_part),
        ).fetchall()
    count = sum(row[0] for row in rows)
    if not count:
        return ServerTime(0, math.nan, math.nan)
    p50 = sum(row[0] * row[1] for row in rows) / count
    return ServerTime(count, p50, max(row[2] for row in rows))


@dataclass(frozen=True)
class Phase:
    """wrk runs of both endpoints at one concurrency, and the server's own timings of them."""

    connections: int
    health: list[WrkResult]
    hits: list[WrkResult]
    health_time: ServerTime
    hit_time: ServerTime


def run_phase(
    db_url: str, env: dict[str, str], connections: int, args: argparse.Namespace
) -> Phase:
    """A server of its own, alternating wrk runs of health and cache hits, then its timings."""
    token = anon_token()
    health: list[WrkResult] = []
    hits: list[WrkResult] = []
    with served(APP, env, HEALTH_PATH) as base:
        prime_cache(base, token)
        script = post_script(token)
        run_wrk(base + HEALTH_PATH, connections, args.warmup)
        run_wrk(base + HIT_PATH, connections, args.warmup, script=script)
        for _ in range(args.rounds):
            health.append(run_wrk(base + HEALTH_PATH, connections, args.seconds))
            hits.append(run_wrk(base + HIT_PATH, connections, args.seconds, script=script))
    # the server has stopped and written its timings
    return Phase(
        connections,
        health,
        hits,
        server_times(db_url, "GET", "health"),
        server_times(db_url, "POST", "/"),
    )


def measure_hits(args: argparse.Namespace) -> int:
    """Latency at one connection, throughput at many: cache hits next to the health endpoint."""
    with benchmark_database() as db_url, fake_openai(delay_seconds=0.05) as upstream:
        env = {
            "SUPABASE_DB_URL": db_url,
            "SUPABASE_JWT_SECRET": JWT_SECRET,
            "MAXPULSE_PROJECT_DIR": str(REPO_ROOT),
            "OPENAI_API_KEY": "sk-bench-not-a-real-key",
            "OPENAI_BASE_URL": upstream.base_url,
            "MAXPULSE_AI_RATE_LIMIT_PER_MINUTE": str(10**9),
        }
        phases = [
            run_phase(db_url, env, connections, args) for connections in (1, args.connections)
        ]
    print(
        f"ai-analysis cache hits: {args.rounds} alternating runs of {args.seconds} s per endpoint"
        f" and concurrency, uvicorn with 1 worker; LLM calls made: {upstream.calls}"
    )
    for phase in phases:
        print_phase(phase)
    latency = phases[0]
    mark = "meets" if latency.hit_time.p50_ms <= HIT_P50_GOAL_MS else "MISSES"
    ratio = latency.hit_time.p50_ms / latency.health_time.p50_ms
    print(
        f"cache hit p50 {latency.hit_time.p50_ms:.2f} ms server time at 1 connection ({mark} the"
        f" {HIT_P50_GOAL_MS:.0f} ms goal), {ratio:.2f}x the health endpoint's"
        f" {latency.health_time.p50_ms:.2f} ms"
    )
    return 0 if upstream.calls == 1 else 1


def print_phase(phase: Phase) -> None:
    print(f"-- {phase.connections} connection(s)")
    print(f"{'':28}{'requests/s':>11}{'wrk p50':>9}{'wrk p99':>9}{'errors':>8}")
    for name, runs in (("health endpoint", phase.health), ("cache hit", phase.hits)):
        for number, run in enumerate(runs, 1):
            print(
                f"{name + ', run ' + str(number):28}{run.per_second:>11.0f}{run.p50_ms:>9.2f}"
                f"{run.p99_ms:>9.2f}{run.errors:>8}"
            )
    print(f"{'server time (runtime)':28}{'requests':>11}{'p50 ms':>9}{'p99 ms':>9}")
    for name, measured in (("health endpoint", phase.health_time), ("cache hit", phase.hit_time)):
        print(f"{name:28}{measured.count:>11}{measured.p50_ms:>9.2f}{measured.p99_ms:>9.2f}")
    hit_rate = sum(run.per_second for run in phase.hits) / len(phase.hits)
    health_rate = sum(run.per_second for run in phase.health) / len(phase.health)
    print(
        f"throughput: cache hits {hit_rate:.0f}/s, {hit_rate / health_rate:.0%} of the health"
        f" endpoint's {health_rate:.0f}/s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of each endpoint")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--patterns-only", action="store_true", help="only part 2, no server")
    args = parser.parse_args()
    pattern_savings()
    if args.patterns_only:
        return 0
    if not ensure_wrk():
        print(
            "SKIPPED part 1: wrk is not installed and cannot be installed here (apt-get install wrk)"
        )
        return 0
    return measure_hits(args)


if __name__ == "__main__":
    sys.exit(main())
