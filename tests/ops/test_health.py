"""`maxpulse health` on the local stack: a real database, a real `functions serve` over HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from maxpulse_tools.database import DbTarget
from maxpulse_tools.local.cluster import LocalCluster, PgBinaries, find_free_port
from maxpulse_tools.migrations.push import MigrationStatus
from maxpulse_tools.ops.checks import CheckResult, Status, calls_for_rollback, exit_code
from maxpulse_tools.ops.database_checks import judge_migrations
from maxpulse_tools.ops.health import NOT_LOCAL, HealthTarget, watch_health
from tests.ops.conftest import Invoke, flag_values

REPO_ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ("link-tracker", "ai-analysis", "commission-processor", "analytics-aggregator")


class FunctionsServer:
    """`maxpulse functions serve` in a subprocess on a free port."""

    def __init__(self, db_url: str) -> None:
        self.port = find_free_port()
        env = {**os.environ, "SUPABASE_DB_URL": db_url}
        env.pop("MAXPULSE_FUNCTION", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "maxpulse_tools", "functions", "serve",
             "--port", str(self.port), "--no-access-log"],
            cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.port}/functions/v1"
        self._wait_until_healthy()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.url}/link-tracker/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("functions serve did not answer within 30 s")


@pytest.fixture
def functions_server(ops_db_url: str) -> Iterator[FunctionsServer]:
    server = FunctionsServer(ops_db_url)
    yield server
    server.stop()


@pytest.fixture
def local_environment(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """No hosted project in the environment; `point_at(url)` sets MAXPULSE_FUNCTIONS_URL."""
    for name in ("SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY"):
        monkeypatch.delenv(name, raising=False)

    def point_at(functions_url: str) -> None:
        monkeypatch.setenv("MAXPULSE_FUNCTIONS_URL", functions_url)

    return point_at


def statuses(result_output: str) -> dict[str, str]:
    return {check["name"]: check["status"] for check in json.loads(result_output)["checks"]}


def test_local_stack_is_healthy_and_skips_what_it_does_not_run(
    maxpulse: Invoke,
    functions_server: FunctionsServer,
    local_environment: Callable[[str], None],
    ops_db: psycopg.Connection[Any],
) -> None:
    local_environment(functions_server.url)

    result = maxpulse("health", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["status"] == "healthy"
    assert statuses(result.output) == {
        "database": "healthy",
        "migrations": "healthy",
        "rest": "skipped",
        "auth": "skipped",
        "realtime": "skipped",
        **{f"function:{name}": "healthy" for name in FUNCTIONS},
    }
    skipped = [check["detail"] for check in report["checks"] if check["status"] == "skipped"]
    assert skipped == [NOT_LOCAL] * 3
    recorded = ops_db.execute(
        "select tags ->> 'check' from public.performance_metrics"
        " where component_name = 'maxpulse/health' order by 1"
    ).fetchall()
    assert sorted(name for (name,) in recorded) == sorted(
        ["database", "migrations", *(f"function:{name}" for name in FUNCTIONS)]
    )


def test_a_function_down_fails_its_check(
    maxpulse: Invoke, functions_server: FunctionsServer, local_environment: Callable[[str], None]
) -> None:
    local_environment(functions_server.url)
    functions_server.stop()

    result = maxpulse("health")

    assert result.exit_code == 2, result.output
    assert "maxpulse health: unhealthy" in result.output
    rows = [line for line in result.output.splitlines() if "function:link-tracker" in line]
    assert "unhealthy" in rows[0] and "not answering at 127.0.0.1:" in rows[0]
    assert "database" in result.output


def test_a_busy_database_degrades_the_functions_and_pulls_no_kill_switch(
    maxpulse: Invoke,
    functions_server: FunctionsServer,
    local_environment: Callable[[str], None],
    ops_db_url: str,
    ops_db: psycopg.Connection[Any],
) -> None:
    """A migration's lock makes every function answer 503 busy: degraded, not unhealthy."""
    local_environment(functions_server.url)
    flags = flag_values(ops_db)
    with psycopg.connect(ops_db_url) as migration, migration.transaction():
        migration.execute("lock table public.link_clicks in access exclusive mode")
        busy = httpx.get(f"{functions_server.url}/link-tracker/health", timeout=5)

        result = maxpulse("health", "--json", "--auto-rollback")

    assert (busy.status_code, busy.json()["database"]["busy"]) == (503, True)
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    functions = [check for check in report["checks"] if check["name"].startswith("function:")]
    assert {check["status"] for check in functions} == {"degraded"}
    assert all("database busy" in check["detail"] for check in functions)
    assert flag_values(ops_db) == flags
    assert ops_db.execute("select count(*) from public.operations_audit").fetchone() == (0,)


def test_database_stopped_is_unhealthy_with_exit_code_2(
    maxpulse: Invoke,
    pg_binaries: PgBinaries,
    tmp_path: Path,
    local_environment: Callable[[str], None],
) -> None:
    local_environment(f"http://127.0.0.1:{find_free_port()}/functions/v1")
    cluster = LocalCluster(tmp_path / "db", pg_binaries, port=find_free_port(), durable=False)
    cluster.start()
    running = maxpulse("health", "--json", db_url=cluster.dsn())
    cluster.stop()

    stopped = maxpulse("health", "--json", db_url=cluster.dsn())

    assert statuses(running.output)["database"] == "healthy"
    assert stopped.exit_code == 2
    report = json.loads(stopped.output)
    database, migrations = report["checks"][:2]
    assert database["status"] == "unhealthy"
    assert migrations == {
        "name": "migrations",
        "status": "skipped",
        "latencyMs": None,
        "detail": "the database is unreachable",
    }
    assert report["metricsRecorded"] is False


def test_auto_rollback_with_two_failures_pulls_the_kill_switch_and_says_so(
    maxpulse: Invoke, local_environment: Callable[[str], None], ops_db: psycopg.Connection[Any]
) -> None:
    local_environment(f"http://127.0.0.1:{find_free_port()}/functions/v1")  # nothing listens

    result = maxpulse("health", "--auto-rollback")

    assert result.exit_code == 2, result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("Auto-rollback")]
    assert line.startswith("Auto-rollback (function:link-tracker, function:ai-analysis,")
    assert "switched off use_supabase" in line
    assert not any(flag_values(ops_db).values())
    [(reason,)] = ops_db.execute("select reason from public.operations_audit").fetchall()
    assert reason.startswith("maxpulse health --auto-rollback: unhealthy: function:link-tracker")


def check(status: Status) -> CheckResult:
    return CheckResult(status.value, status, "")


@pytest.mark.parametrize(
    ("states", "code", "rollback"),
    [
        ([Status.healthy, Status.skipped], 0, False),
        ([Status.skipped], 0, False),
        ([Status.healthy, Status.degraded], 1, False),
        ([Status.degraded, Status.unhealthy], 2, False),
        ([Status.unhealthy, Status.unhealthy, Status.healthy], 2, True),
    ],
)
def test_worst_check_decides_the_exit_code_and_two_failures_the_rollback(
    states: list[Status], code: int, rollback: bool
) -> None:
    results = [check(state) for state in states]

    assert (exit_code(results), calls_for_rollback(results)) == (code, rollback)


@pytest.mark.parametrize(
    ("rows", "status", "detail"),
    [
        ([MigrationStatus("1", "a", True, True, False)], Status.healthy, "1 applied, none pending"),
        (
            [
                MigrationStatus("1", "a", True, True, False),
                MigrationStatus("2", "b", True, False, False),
            ],
            Status.degraded,
            "1 pending (2); run maxpulse db push",
        ),
        (
            [MigrationStatus("1", "a", False, True, False)],
            Status.degraded,
            "applied but not in supabase/migrations: 1",
        ),
        (
            [MigrationStatus("1", "a", True, True, True)],
            Status.unhealthy,
            "changed since applied: 1",
        ),
    ],
)
def test_migrations_verdict(rows: list[MigrationStatus], status: Status, detail: str) -> None:
    assert judge_migrations(rows) == (status, detail)


def test_watch_pulls_the_kill_switch_once_however_long_the_failure_lasts(
    ops_db_url: str, ops_db: psycopg.Connection[Any]
) -> None:
    target = HealthTarget(
        database=DbTarget(ops_db_url, "--db-url"),
        migrations_dir=REPO_ROOT / "supabase" / "migrations",
        functions_url=f"http://127.0.0.1:{find_free_port()}/functions/v1",
        function_names=FUNCTIONS,
        timeout=2,
    )
    shown: list[tuple[str, str | None]] = []
    pauses: list[float] = []

    last = watch_health(
        target,
        7.5,
        lambda report, rolled_back: shown.append((report.status.value, rolled_back)),
        auto_rollback_as="ops@watch",
        runs=3,
        sleep=pauses.append,
    )

    assert last.exit_code == 2
    assert [status for status, _ in shown] == ["unhealthy"] * 3
    assert len({rolled_back for _, rolled_back in shown}) == 1
    assert str(shown[0][1]).startswith("Auto-rollback (function:link-tracker")
    assert pauses == [7.5, 7.5]
    assert ops_db.execute("select count(*) from public.operations_audit").fetchone() == (1,)


def test_watch_into_a_pipe_prints_each_run(ops_db_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPABASE_")}
    env["MAXPULSE_FUNCTIONS_URL"] = f"http://127.0.0.1:{find_free_port()}/functions/v1"
    watcher = subprocess.Popen(
        [sys.executable, "-m", "maxpulse_tools", "health", "--watch", "1", "--db-url", ops_db_url],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert watcher.stdout is not None
        titles = 0
        deadline = time.monotonic() + 60
        while titles < 2 and time.monotonic() < deadline:
            line = watcher.stdout.readline()
            titles += line.startswith("maxpulse health: unhealthy")
    finally:
        watcher.terminate()
        watcher.wait(timeout=20)

    assert titles == 2
