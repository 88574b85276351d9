"""The functions' database layer: PostgREST-style transactions, the pooler, restarts, timings."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

import httpx
import psycopg
import pytest

from functions._shared.auth import Claims
from functions._shared.database import Database, connection_options
from functions._shared.errors import DatabaseBusy, DatabaseUnavailable
from functions._shared.exception_handlers import database_error
from functions._shared.metrics import METRIC_TYPE, RequestTimings
from functions.gateway import create_gateway
from maxpulse_tools.local.bootstrap import apply_bootstrap
from maxpulse_tools.local.cluster import LocalCluster, PgBinaries, find_free_port
from maxpulse_tools.migrations.files import read_local_migrations
from maxpulse_tools.migrations.push import plan_push, push_migrations
from tests.functions.conftest import BASE_URL, REPO_ROOT, Tokens, gateway_settings, serving

Sql = Callable[..., list[tuple[Any, ...]]]
T = TypeVar("T")
# How long a restarted database may take to be found again by the pool.
RECOVERY_SECONDS = 15.0
MIGRATIONS = "supabase/migrations"
# "Well under a second": the lock timeout is 200 ms, the rest is slack for a busy machine.
LOCK_WAIT_LIMIT = 0.6


@pytest.mark.parametrize(
    ("url", "prepares"),
    [
        ("postgresql://postgres.ref:pw@aws-0-eu.pooler.supabase.com:6543/postgres", False),
        ("postgresql://postgres.ref:pw@aws-0-eu.pooler.supabase.com:5432/postgres", True),
        ("postgresql://postgres:pw@db.ref.supabase.co/postgres", True),
        ("host=pooler.example port=6543 dbname=postgres", False),
    ],
)
def test_prepared_statements_are_off_behind_the_transaction_pooler(
    url: str, prepares: bool
) -> None:
    options = connection_options(url)

    assert ("prepare_threshold" not in options) is prepares
    if not prepares:
        assert options["prepare_threshold"] is None


async def test_as_user_runs_with_the_callers_role_and_claims(functions_db_url: str) -> None:
    database = Database(functions_db_url, min_size=1, max_size=2)
    await database.open()
    user_id = str(uuid4())
    try:
        async with database.as_user(
            Claims("authenticated", user_id, {"role": "authenticated", "sub": user_id})
        ) as conn:
            row = await (
                await conn.execute("select current_user, auth.uid()::text, auth.role()")
            ).fetchone()
        async with database.as_user(Claims("anon", None, {"role": "anon"})) as conn:
            anon_row = await (await conn.execute("select current_user, auth.uid()")).fetchone()
        async with database.as_service() as conn:
            service_row = await (await conn.execute("select current_user, auth.role()")).fetchone()
        async with database.connection() as conn:
            after = await (await conn.execute("select current_user")).fetchone()
    finally:
        await database.close()

    assert row == ("authenticated", user_id, "authenticated")
    assert anon_row == ("anon", None)
    assert service_row == ("service_role", "service_role")
    assert after == ("postgres",)  # SET LOCAL: nothing outlives the transaction


async def test_as_user_is_subject_to_row_level_security(functions_db_url: str) -> None:
    database = Database(functions_db_url, min_size=1, max_size=2)
    await database.open()
    try:
        async with database.as_user(Claims("anon", None, {"role": "anon"})) as conn:
            rows = await (await conn.execute("select count(*) from public.users")).fetchone()
    finally:
        await database.close()

    assert rows == (0,)


@pytest.fixture
def restartable_cluster(pg_binaries: PgBinaries) -> Iterator[LocalCluster]:
    """A cluster of its own with every migration, so stopping it disturbs no other test."""
    base = Path(tempfile.mkdtemp(prefix="maxpulse-restart-"))
    cluster = LocalCluster(base / "db", pg_binaries, port=find_free_port(), durable=False)
    cluster.start()
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        apply_bootstrap(conn)
        push_migrations(conn, plan_push(read_local_migrations(REPO_ROOT / MIGRATIONS), {}))
    yield cluster
    cluster.stop()
    shutil.rmtree(base, ignore_errors=True)


async def test_pool_survives_a_database_restart(
    restartable_cluster: LocalCluster, tokens: Tokens
) -> None:
    app = create_gateway(gateway_settings(restartable_cluster.dsn(), tokens.secret))
    async with serving(app) as gateway:
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            health = "/functions/v1/link-tracker/health"
            before = await http.get(health)
            await asyncio.to_thread(restartable_cluster.stop)
            during = await http.get(health)
            redirect_during = await http.get("/functions/v1/link-tracker/some-code")
            # once the outage is known, every answer is a fast 503: no waiting for a connection
            slowest = 0.0
            for path in [health, "/functions/v1/link-tracker/some-code"] * 5:
                started = time.monotonic()
                assert (await http.get(path)).status_code == 503
                slowest = max(slowest, time.monotonic() - started)
            await asyncio.to_thread(restartable_cluster.start)
            after = await eventually_healthy(http, health)

    assert before.json()["database"]["reachable"] is True
    assert during.status_code == 503
    assert during.json()["database"] == {"reachable": False, "latencyMs": None, "busy": False}
    # no click can be stored, so no redirect: a clean 503, never a 302 or a 500
    assert redirect_during.status_code == 503
    assert redirect_during.json()["code"] == "database_unavailable"
    assert redirect_during.headers["retry-after"] == "5"
    assert slowest < 0.2
    assert after.status_code == 200
    assert after.json()["database"]["reachable"] is True


async def eventually_healthy(http: httpx.AsyncClient, path: str) -> httpx.Response:
    """The health answer once the pool has reconnected (it retries within seconds)."""
    deadline = time.monotonic() + RECOVERY_SECONDS
    while True:
        response = await http.get(path)
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.2)


async def eventually(statement: Callable[[], Awaitable[T]]) -> T:
    """The result of `statement` once the database answers again."""
    deadline = time.monotonic() + RECOVERY_SECONDS
    while True:
        try:
            return await statement()
        except DatabaseUnavailable:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def test_statements_fail_cleanly_while_the_database_is_down(
    restartable_cluster: LocalCluster,
) -> None:
    database = Database(restartable_cluster.dsn(), min_size=1, max_size=2)
    await database.open()
    try:
        assert await database.fetch_all("select 1") == [(1,)]
        await asyncio.to_thread(restartable_cluster.stop)
        with pytest.raises(DatabaseUnavailable):
            await database.fetch_all("select 1")
        await asyncio.to_thread(restartable_cluster.start)
        assert await eventually(lambda: database.fetch_all("select 2")) == [(2,)]
    finally:
        await database.close()


async def _run_slowly(database: Database, way: str) -> None:
    if way == "fetch_all":
        await database.fetch_all("select pg_sleep(5)")
    elif way == "as_service":
        async with database.as_service() as conn:
            await conn.execute("select pg_sleep(5)")
    else:
        async with database.as_user(Claims("anon", None, {"role": "anon"})) as conn:
            await conn.execute("select pg_sleep(5)")


@pytest.mark.parametrize("pooled", [False, True], ids=["own-connection", "transaction-pooler"])
@pytest.mark.parametrize("way", ["fetch_all", "as_service", "as_user"])
async def test_a_statement_over_its_time_is_cancelled_and_the_database_counts_as_busy(
    functions_db_url: str, way: str, pooled: bool
) -> None:
    database = Database(
        functions_db_url,
        min_size=1,
        max_size=1,
        statement_timeout="200ms",
        shares_server_connections=pooled,
    )
    await database.open()
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseBusy) as raised:
            await _run_slowly(database, way)
        elapsed = time.monotonic() - started
        busy = database.is_busy
        after = await database.fetch_all("select 1")
    finally:
        await database.close()

    assert 0.2 <= elapsed < 1.0
    assert (raised.value.status, raised.value.code) == (503, "database_busy")
    assert busy is True
    assert after == [(1,)]  # the connection went back to the pool usable


async def test_behind_the_transaction_pooler_no_bound_outlives_its_transaction(
    functions_db_url: str,
) -> None:
    # A session setting would follow the server connection to the pooler's next client.
    database = Database(functions_db_url, min_size=1, max_size=1, shares_server_connections=True)
    await database.open()
    try:
        await database.fetch_all("select 1")
        async with database.connection() as conn:
            cursor = await conn.execute("select current_setting('lock_timeout')")
            after = await cursor.fetchone()
    finally:
        await database.close()

    assert after == ("0",)


async def test_a_lock_wait_is_bounded_and_leaves_nothing_behind(
    functions_db_url: str, sql: Sql
) -> None:
    database = Database(functions_db_url, min_size=1, max_size=1)
    await database.open()
    marker = f"lock-test-{uuid4().hex[:8]}"
    try:
        with psycopg.connect(functions_db_url) as locker:
            locker.execute("lock table public.performance_metrics in access exclusive mode")
            started = time.monotonic()
            with pytest.raises(DatabaseBusy):
                async with database.as_service() as conn:
                    await conn.execute(
                        "insert into public.performance_metrics (component_name, metric_type,"
                        " metric_value) values (%s, 'test', 1)",
                        (marker,),
                    )
            elapsed = time.monotonic() - started
            locker.rollback()
    finally:
        await database.close()

    assert elapsed < LOCK_WAIT_LIMIT
    assert (
        sql("select 1 from public.performance_metrics where component_name = %s", (marker,)) == []
    )


async def test_request_timings_reach_performance_metrics(
    functions_db_url: str, client: httpx.AsyncClient, sql: Sql
) -> None:
    database = Database(functions_db_url, min_size=1, max_size=1)
    await database.open()
    timings = RequestTimings(database)
    component = f"functions/test-{uuid4().hex[:8]}"
    try:
        for milliseconds in (2.0, 4.0, 6.0):
            timings.record(
                component.removeprefix("functions/"), "/{code}", "GET", 302, milliseconds / 1000
            )
        timings.record(component.removeprefix("functions/"), "/events", "POST", 201, 0.010)
        written = await timings.flush()
    finally:
        await database.close()

    assert written == 2
    rows = sql(
        "select metric_type, metric_value, unit, tags from public.performance_metrics"
        " where component_name = %s order by metric_value",
        (component,),
    )
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (METRIC_TYPE, 4.0, "ms"),
        (METRIC_TYPE, 10.0, "ms"),
    ]
    tags = rows[0][3]
    assert (tags["route"], tags["method"], tags["status"], tags["count"]) == (
        "/{code}",
        "GET",
        302,
        3,
    )
    assert (tags["p50"], tags["max"]) == (4.0, 6.0)


async def test_gateway_shutdown_writes_the_timings_of_its_requests(
    functions_db_url: str, tokens: Tokens, sql: Sql
) -> None:
    since = sql("select now()")[0][0]
    async with serving(create_gateway(gateway_settings(functions_db_url, tokens.secret))) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            for _ in range(3):
                await http.get("/functions/v1/analytics-aggregator/health")

    rows = sql(
        "select tags from public.performance_metrics"
        " where component_name = 'functions/analytics-aggregator' and recorded_at >= %s",
        (since,),
    )
    assert any(tags["route"] == "/health" and tags["count"] == 3 for (tags,) in rows)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (
            psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
            503,
            "database_busy",
        ),
        (
            psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"),
            503,
            "database_busy",
        ),
        (psycopg.OperationalError("connection lost"), 503, "database_unavailable"),
        (psycopg.errors.CheckViolation("bad value"), 422, "invalid_value"),
    ],
    ids=["statement-timeout", "lock-timeout", "connection-lost", "refused-value"],
)
def test_database_errors_reaching_a_handler_keep_their_meaning(
    error: psycopg.Error, status: int, code: str
) -> None:
    answer = database_error(error)

    assert (answer.status, answer.code) == (status, code)


async def test_health_rests_on_reachability_when_the_probe_cannot_tell(
    database_factory: Callable[..., str], tokens: Tokens
) -> None:
    # A project whose migrations have no link_clicks: the link-tracker's probe
    # fails without waiting, which says nothing about the database.
    bare = database_factory(migrated=False)
    async with serving(create_gateway(gateway_settings(bare, tokens.secret))) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            health = await http.get("/functions/v1/link-tracker/health")

    assert health.status_code == 200
    assert health.json()["database"]["busy"] is False
