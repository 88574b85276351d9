"""Benchmark: link-tracker redirects per second, every click stored, next to a bare ASGI redirect.

Both apps are served by uvicorn (one worker, no access log) on this machine,
the link-tracker with the HTTP protocol `maxpulse functions serve` uses (the
bounded one, as in production), and driven by wrk with the same connections
and duration, in alternating runs of the same invocation. The link-tracker stores each click (durably, on a cluster with fsync on)
before its 302 leaves; afterwards the stored clicks are checked against the
302s the server answered (from its own request timings) and the 302s wrk
received.

    python bench/bench_link_tracker.py [--seconds 10] [--rounds 2] [--connections 64]

Needs wrk (Debian: apt-get install wrk); it is installed when missing and we
are root, else the benchmark says so and skips.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from starlette.types import Receive, Scope, Send

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
from maxpulse_tools.local.functions_server import HTTP_PROTOCOL  # noqa: E402

CODE = "bench-link"
DESTINATION = "https://assessment.example/start?lang=en"
USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/124.0.0.0 Mobile Safari/537.36"
)
BROWSER = (f"User-Agent: {USER_AGENT}",)
JWT_SECRET = "bench-secret-bench-secret-bench-secret-0123456789"
RATIO_GOAL = 0.60
P99_GOAL_MS = 25.0
_BARE_HEADERS = [
    (b"location", (DESTINATION + "&sessionId=0f8e3c1a-1111-4222-8333-444455556666").encode()),
    (b"cache-control", b"no-store"),
    (b"access-control-allow-origin", b"*"),
    (b"content-length", b"0"),
]


async def bare_redirect(scope: Scope, receive: Receive, send: Send) -> None:
    """The baseline: a 302 with the same headers and no work at all."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 302, "headers": _BARE_HEADERS})
    await send({"type": "http.response.body", "body": b""})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of each app")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    if not ensure_wrk():
        print("SKIPPED: wrk is not installed and cannot be installed here (apt-get install wrk)")
        return 0
    with benchmark_database() as db_url:
        bare_runs, tracker_runs, received = measure(db_url, args)
        answered = answered_redirects(db_url)
        with psycopg.connect(db_url) as conn:
            row = conn.execute("select count(*) from public.link_clicks").fetchone()
    stored = int(row[0]) if row else 0
    print_figures(bare_runs, tracker_runs, args)
    return check_clicks(stored, answered, received, args)


def measure(db_url: str, args: argparse.Namespace) -> tuple[list[WrkResult], list[WrkResult], int]:
    """Alternating wrk runs against both apps; and the 302s wrk received from the link-tracker."""
    env = {
        "SUPABASE_DB_URL": db_url,
        "SUPABASE_JWT_SECRET": JWT_SECRET,
        "MAXPULSE_PROJECT_DIR": str(REPO_ROOT),
    }
    bare_app = ["--app-dir", str(REPO_ROOT / "bench"), "bench_link_tracker:bare_redirect"]
    tracker_app = ["--factory", "functions.gateway:create_gateway", "--http", HTTP_PROTOCOL]
    bare_runs: list[WrkResult] = []
    tracker_runs: list[WrkResult] = []
    with (
        served(bare_app, {}, "/") as bare_base,
        served(tracker_app, env, "/functions/v1/link-tracker/health") as tracker_base,
    ):
        bare_url = f"{bare_base}/functions/v1/link-tracker/{CODE}"
        tracker_url = f"{tracker_base}/functions/v1/link-tracker/{CODE}"
        run_wrk(bare_url, args.connections, args.warmup, headers=BROWSER)
        warmup = run_wrk(tracker_url, args.connections, args.warmup, headers=BROWSER)
        for _ in range(args.rounds):
            bare_runs.append(run_wrk(bare_url, args.connections, args.seconds, headers=BROWSER))
            tracker_runs.append(
                run_wrk(tracker_url, args.connections, args.seconds, headers=BROWSER)
            )
    # the link-tracker has stopped (its timings are written): count what wrk got
    received = sum(run.requests - run.errors for run in [warmup, *tracker_runs])
    return bare_runs, tracker_runs, received


def combined(runs: list[WrkResult]) -> WrkResult:
    """Several runs as one: summed counts and lengths, mean rate, worst percentiles."""
    return WrkResult(
        requests=sum(run.requests for run in runs),
        errors=sum(run.errors for run in runs),
        per_second=sum(run.per_second for run in runs) / len(runs),
        p50_ms=max(run.p50_ms for run in runs),
        p99_ms=max(run.p99_ms for run in runs),
        seconds=sum(run.seconds for run in runs),
    )


@contextmanager
def benchmark_database() -> Iterator[str]:
    """A throw-away cluster with fsync on, every migration, one distributor and one link."""
    with throwaway_cluster(durable=True) as cluster:
        url = cluster.dsn()
        with psycopg.connect(url, autocommit=True) as conn:
            migrate(conn)
            conn.execute(
                "insert into auth.users (id, email, raw_app_meta_data) values"
                " ('0b000000-0000-4000-8000-000000000001', 'bench@maxpulse.example',"
                ' \'{"role": "distributor"}\')'
            )
            conn.execute(
                "insert into public.tracked_links (distributor_id, short_code, destination_url,"
                " utm_source) values ('0b000000-0000-4000-8000-000000000001', %s, %s, 'bench')",
                (CODE, DESTINATION),
            )
        yield url


def answered_redirects(db_url: str) -> int:
    """302s the link-tracker answered, from the timings it wrote at shutdown."""
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "select coalesce(sum((tags ->> 'count')::bigint), 0) from public.performance_metrics"
            " where component_name = 'functions/link-tracker' and tags ->> 'route' = '/{code}'"
            " and tags ->> 'status' = '302'"
        ).fetchone()
    return int(row[0]) if row else 0


def print_figures(
    bare_runs: list[WrkResult], tracker_runs: list[WrkResult], args: argparse.Namespace
) -> None:
    print(
        f"link-tracker redirects: {args.connections} connections, {args.rounds} alternating runs"
        f" of {args.seconds} s each, uvicorn with 1 worker"
    )
    print(f"{'':28}{'redirects/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    rows = [
        *((f"bare ASGI redirect, run {n}", run) for n, run in enumerate(bare_runs, 1)),
        *((f"link-tracker, run {n}", run) for n, run in enumerate(tracker_runs, 1)),
        ("bare ASGI redirect (mean)", combined(bare_runs)),
        ("link-tracker (mean)", combined(tracker_runs)),
    ]
    for name, result in rows:
        print(
            f"{name:28}{result.per_second:>12.0f}{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}"
            f"{result.errors:>8}"
        )
    tracker = combined(tracker_runs)
    ratio = tracker.per_second / combined(bare_runs).per_second
    ratio_mark = "meets" if ratio >= RATIO_GOAL else "BELOW"
    p99_mark = "meets" if tracker.p99_ms <= P99_GOAL_MS else "ABOVE"
    print(f"ratio: {ratio:.1%} of bare ({ratio_mark} the {RATIO_GOAL:.0%} goal)")
    print(f"p99 (worst run): {tracker.p99_ms:.2f} ms ({p99_mark} the {P99_GOAL_MS:.0f} ms goal)")


def check_clicks(stored: int, answered: int, received: int, args: argparse.Namespace) -> int:
    """Every 302 the server answered has its click; wrk saw all but those cut off at its end."""
    print(
        f"clicks stored: {stored}; 302s answered by the server: {answered}; received by wrk: {received}"
    )
    if stored != answered:
        print("FAILED: stored clicks differ from the 302s answered: clicks were lost")
        return 1
    in_flight = stored - received
    if not 0 <= in_flight <= (args.rounds + 1) * args.connections:
        print(
            f"FAILED: {in_flight} stored clicks wrk never saw answered (at most one per connection and run)"
        )
        return 1
    print(
        f"every answered 302 has its click stored ({in_flight} were answered as wrk closed its connections)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
