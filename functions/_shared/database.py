"""The functions' connections to Postgres: one psycopg 3 async pool per process.

Queries run in one of two ways:

- `as_user(claims)`: a transaction in the caller's role with their JWT claims in
  `request.jwt.claims`, exactly as PostgREST runs a supabase-js request, so
  row-level security decides what they see and change;
- `as_service()`: a transaction as `service_role`, for work the function itself
  is the authority on (it has already decided what the caller may do);
- `fetch_all(query)`: one statement in a transaction of its own, as the
  database login, for calling SQL functions that declare their own role
  (`set role = service_role`): one round trip, committed when it returns.

Every statement is bounded, the way PostgREST bounds a request with the
roles' `statement_timeout`: it may run `STATEMENT_TIMEOUT` and wait
`LOCK_TIMEOUT` for a lock. Beyond that it is cancelled and the request gets
503 `database_busy`: a table locked by a migration makes requests fail in a
fraction of a second instead of hanging. On a connection of our own the
bounds are set once, for the session, when it is opened; behind the
transaction pooler, whose server connections other clients share, a session
setting would leak to them, so there each transaction sets them locally
(`fetch_all` pipelines that with its statement: still one round trip).

Connections are checked before use and replaced when broken, so the pool comes
back by itself after a database restart; meanwhile requests fail with 503
at once, without waiting for a connection.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, LiteralString

import orjson
import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from functions._shared.auth import API_ROLES, Claims
from functions._shared.errors import DatabaseBusy, DatabaseUnavailable
from maxpulse_tools.defaults import is_transaction_pooler_port

logger = logging.getLogger(__name__)

POOL_MIN_SIZE = 2
POOL_MAX_SIZE = 10
ACQUIRE_TIMEOUT_SECONDS = 5.0
# Once connecting has failed, requests wait only this long for a connection:
# while the database is down they fail fast with 503. Not zero: a request that
# waits at all is what makes the pool try to connect again.
ACQUIRE_TIMEOUT_WHILE_DOWN_SECONDS = 0.05
CONNECT_TIMEOUT_SECONDS = 5
HEALTH_TIMEOUT_SECONDS = 2.0
# The pool retries a failed connection with growing pauses and gives up after
# this long; the next request then starts afresh. Short, so that a database
# back from a restart is found within seconds, not after a minute-long pause.
RECONNECT_TIMEOUT_SECONDS = 10.0
# A connection that completed a query this recently is handed out without a
# test round trip; a database restart takes longer than this.
RECENT_USE_SECONDS = 1.0
# The bounds of every statement the functions run. Far above what their
# statements take (milliseconds), far below what a client waits.
STATEMENT_TIMEOUT = "5s"
LOCK_TIMEOUT = "200ms"
# A statement cancelled by these bounds makes the database count as busy in
# health answers for this long.
BUSY_SECONDS = 10.0

# PostgREST's per-request context: the role to switch to and the verified
# claims that auth.uid(), auth.role() and auth.jwt() read. `true` = local to
# the transaction, gone at commit.
SET_BOUNDS = (
    "select set_config('statement_timeout', %s, true), set_config('lock_timeout', %s, true)"
)
SET_SESSION_BOUNDS = (
    "select set_config('statement_timeout', %s, false), set_config('lock_timeout', %s, false)"
)
SET_REQUEST_CONTEXT = (
    "select set_config('statement_timeout', %s, true), set_config('lock_timeout', %s, true),"
    " set_config('role', %s, true), set_config('request.jwt.claims', %s, true)"
)
# What a statement cancelled by its bounds raises (both are OperationalErrors,
# like a lost connection, but the database is there).
CANCELLED_BY_BOUNDS = (psycopg.errors.QueryCanceled, psycopg.errors.LockNotAvailable)
SERVICE_CLAIMS = orjson.dumps({"role": "service_role"}).decode()

Connection = psycopg.AsyncConnection[Any]


def connection_options(url: str) -> dict[str, Any]:
    """psycopg connect() options for `url`: no prepared statements behind the transaction pooler."""
    options: dict[str, Any] = {
        "autocommit": True,
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "application_name": "maxpulse-functions",
    }
    port = conninfo_to_dict(url).get("port")
    if is_transaction_pooler_port(port):
        # PgBouncer in transaction mode hands each transaction to any server
        # connection; a statement prepared on one is unknown on the next.
        options["prepare_threshold"] = None
    return options


class Database:
    """A connection pool on SUPABASE_DB_URL and the two ways to run a transaction on it."""

    def __init__(
        self,
        url: str,
        *,
        min_size: int = POOL_MIN_SIZE,
        max_size: int = POOL_MAX_SIZE,
        statement_timeout: str = STATEMENT_TIMEOUT,
        lock_timeout: str = LOCK_TIMEOUT,
        shares_server_connections: bool | None = None,
    ):
        self._bounds = (statement_timeout, lock_timeout)
        # Behind the transaction pooler (default: told by the port), session
        # settings would reach other clients: bounds are set per transaction.
        if shares_server_connections is None:
            shares_server_connections = is_transaction_pooler_port(
                conninfo_to_dict(url).get("port")
            )
        self._shares_server_connections = shares_server_connections
        self._pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(
            url,
            kwargs=connection_options(url),
            configure=None if self._shares_server_connections else self._set_session_bounds,
            min_size=min_size,
            max_size=max_size,
            open=False,
            check=self._check_connection,
            timeout=ACQUIRE_TIMEOUT_SECONDS,
            reconnect_timeout=RECONNECT_TIMEOUT_SECONDS,
            name="maxpulse-functions",
        )
        self._last_success: weakref.WeakKeyDictionary[Connection, float] = (
            weakref.WeakKeyDictionary()
        )
        self._is_down = False
        self._connection_errors_seen = 0
        self._cancelled_at: float | None = None

    async def _set_session_bounds(self, conn: Connection) -> None:
        await conn.execute(SET_SESSION_BOUNDS, self._bounds)

    async def _check_connection(self, conn: Connection) -> None:
        used = self._last_success.get(conn)
        if used is None or time.monotonic() - used > RECENT_USE_SECONDS:
            await AsyncConnectionPool.check_connection(conn)

    async def open(self) -> None:
        """Start connecting in the background; a database that is down does not stop startup."""
        await self._pool.open(wait=False)

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def connection(self, timeout: float | None = None) -> AsyncIterator[Connection]:
        """A checked connection in autocommit mode; DatabaseUnavailable when there is none."""
        if timeout is None:
            timeout = (
                ACQUIRE_TIMEOUT_WHILE_DOWN_SECONDS if self._is_down else ACQUIRE_TIMEOUT_SECONDS
            )
        try:
            async with self._pool.connection(timeout=timeout) as conn:
                yield conn
                self._last_success[conn] = time.monotonic()
        except CANCELLED_BY_BOUNDS as exc:
            self._cancelled_at = time.monotonic()
            raise DatabaseBusy() from exc
        except (PoolTimeout, psycopg.OperationalError) as exc:
            # A pool busy to its limit times out too; only failed connection
            # attempts (or a connection lost mid-query) mean the database is away.
            errors = self._pool.get_stats().get("connections_errors", 0)
            if isinstance(exc, psycopg.OperationalError) or errors > self._connection_errors_seen:
                if not self._is_down:  # once per outage, not once per request
                    logger.warning("the database cannot be reached: %s", exc)
                self._is_down = True
            self._connection_errors_seen = errors
            raise DatabaseUnavailable() from exc
        if self._is_down:
            logger.warning("the database can be reached again")
            self._is_down = False

    @asynccontextmanager
    async def as_user(self, claims: Claims) -> AsyncIterator[Connection]:
        """A transaction that runs as the caller, with row-level security, like PostgREST."""
        if claims.role not in API_ROLES:
            raise ValueError(f"not an API role: {claims.role!r}")
        async with self.connection() as conn, conn.transaction():
            await conn.execute(
                SET_REQUEST_CONTEXT,
                (*self._bounds, claims.role, orjson.dumps(dict(claims.payload)).decode()),
            )
            yield conn

    @asynccontextmanager
    async def as_service(self) -> AsyncIterator[Connection]:
        """A transaction as service_role, for work the function itself is the authority on."""
        async with self.connection() as conn, conn.transaction():
            await conn.execute(SET_REQUEST_CONTEXT, (*self._bounds, "service_role", SERVICE_CLAIMS))
            yield conn

    async def fetch_all(
        self, query: LiteralString, params: Sequence[Any] = ()
    ) -> list[tuple[Any, ...]]:
        """The rows of one statement run in its own transaction: committed once this returns."""
        async with self.connection() as conn:
            if not self._shares_server_connections:
                cursor = await conn.execute(query, params)  # bounded by the session
                return await cursor.fetchall()
            # Pipelined: begin, bounds, statement and commit in one round trip.
            async with conn.pipeline(), conn.transaction():
                await conn.execute(SET_BOUNDS, self._bounds)
                cursor = await conn.execute(query, params)
            return await cursor.fetchall()

    async def probe(self, statement: LiteralString) -> None:
        """Run `statement` as service_role in a transaction of its own; DatabaseBusy if it must wait."""
        async with self.as_service() as conn:
            await conn.execute(statement)

    @property
    def is_busy(self) -> bool:
        """Whether a statement was cancelled by its time or lock bounds in the last BUSY_SECONDS."""
        cancelled = self._cancelled_at
        return cancelled is not None and time.monotonic() - cancelled < BUSY_SECONDS

    async def ping(self) -> float:
        """Milliseconds for a round trip to the database; DatabaseUnavailable when it cannot be reached."""
        started = time.perf_counter()
        timeout = ACQUIRE_TIMEOUT_WHILE_DOWN_SECONDS if self._is_down else HEALTH_TIMEOUT_SECONDS
        async with self.connection(timeout=timeout) as conn:
            await conn.execute("select 1")
        return (time.perf_counter() - started) * 1000
