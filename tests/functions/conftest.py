"""Fixtures of the functions tests: a real gateway on a real database, spoken to over HTTP.

The gateway runs in-process behind httpx's ASGI transport (startup and
shutdown included), on a database of its own with every migration and the
seed, so the rows a test commits through the functions stay there. Tests make
their own distributors and links with unique names instead of sharing state.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import psycopg
import pytest
from fastapi import FastAPI
from psycopg import sql as pg_sql
from pydantic import SecretStr
from starlette.types import Receive, Scope, Send

from functions._shared.settings import FunctionSettings
from functions.gateway import create_gateway

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE_URL = "http://functions.test"
BROWSER_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


@dataclass(frozen=True)
class Tokens:
    """Signs HS256 tokens with the gateway's secret, like Supabase Auth and the API keys."""

    secret: str

    def sign(self, claims: dict[str, Any], *, secret: str | None = None) -> str:
        return jwt.encode(claims, secret or self.secret, algorithm="HS256")

    def for_role(self, role: str, *, expires_in: int = 3600, **extra: Any) -> str:
        return self.sign({"role": role, "exp": int(time.time()) + expires_in, **extra})

    @property
    def anon(self) -> str:
        return self.for_role("anon", iss="supabase")

    @property
    def service_role(self) -> str:
        return self.for_role("service_role", iss="supabase")

    def user(self, user_id: uuid.UUID) -> str:
        return self.for_role("authenticated", sub=str(user_id), aud="authenticated")

    def bearer(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "apikey": token}


@pytest.fixture(scope="session")
def tokens() -> Tokens:
    return Tokens(secrets.token_urlsafe(40))


@pytest.fixture(scope="session")
def functions_db_url(database_factory: Callable[..., str]) -> str:
    """The functions' own database: migrations and seed, written to by the tests."""
    return database_factory(migrated=True, seeded=True)


def gateway_settings(db_url: str, secret: str, **overrides: Any) -> FunctionSettings:
    """Settings for a test gateway; nothing is read from the environment or a .env file."""
    values: dict[str, Any] = {
        "supabase_db_url": SecretStr(db_url),
        "supabase_jwt_secret": SecretStr(secret),
        "maxpulse_project_dir": REPO_ROOT,
        **overrides,
    }
    return FunctionSettings(_env_file=None, **values)  # type: ignore[call-arg]


class Served:
    """An app whose lifespan is running; each request sees its lifespan state, as under uvicorn."""

    def __init__(self, app: FastAPI, state: Mapping[str, Any]) -> None:
        self.app = app
        self.state = dict(state)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope["state"] = dict(self.state)  # a shallow copy per request, as uvicorn gives
        await self.app(scope, receive, send)


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[Served]:
    """Run `app`'s startup, yield it ready for requests, run its shutdown."""
    async with app.router.lifespan_context(app) as state:
        yield Served(app, state or {})


@pytest.fixture(scope="session")
async def gateway(functions_db_url: str, tokens: Tokens) -> AsyncIterator[Served]:
    """The gateway serving all four functions, started and (at the end) shut down."""
    async with serving(create_gateway(gateway_settings(functions_db_url, tokens.secret))) as app:
        yield app


@pytest.fixture(scope="session")
async def client(gateway: Served) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client whose requests go to the gateway (no redirects followed)."""
    transport = httpx.ASGITransport(app=gateway, client=("203.0.113.7", 51000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http


@pytest.fixture(scope="session")
def sql(functions_db_url: str) -> Iterator[Callable[..., list[tuple[Any, ...]]]]:
    """Run SQL as postgres on the functions' database (autocommit); returns the rows."""
    with psycopg.connect(functions_db_url, autocommit=True) as conn:

        def run(query: Any, params: Any = None) -> list[tuple[Any, ...]]:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

        yield run


@pytest.fixture
def make_distributor(sql: Callable[..., Any]) -> Callable[[], uuid.UUID]:
    """A new distributor (auth user + users row + profile, by the sign-up trigger)."""

    def make() -> uuid.UUID:
        user_id = uuid.uuid4()
        sql(
            "insert into auth.users (id, email, raw_app_meta_data)"
            ' values (%s, %s, \'{"role": "distributor"}\')',
            (user_id, f"d-{user_id.hex[:12]}@test.example"),
        )
        return user_id

    return make


@dataclass(frozen=True)
class Link:
    id: uuid.UUID
    code: str
    distributor_id: uuid.UUID
    destination_url: str


@pytest.fixture
def make_link(
    sql: Callable[..., Any], make_distributor: Callable[[], uuid.UUID]
) -> Callable[..., Link]:
    """A tracked link with a unique code; keyword arguments set its columns."""

    def make(**columns: Any) -> Link:
        columns.setdefault("distributor_id", make_distributor())
        columns.setdefault("short_code", "t" + secrets.token_hex(5))
        columns.setdefault("destination_url", "https://assessment.example/start")
        statement = pg_sql.SQL(
            "insert into public.tracked_links ({}) values ({}) returning id"
        ).format(
            pg_sql.SQL(", ").join(map(pg_sql.Identifier, columns)),
            pg_sql.SQL(", ").join(map(pg_sql.Placeholder, columns)),
        )
        [(link_id,)] = sql(statement, columns)
        return Link(
            link_id, columns["short_code"], columns["distributor_id"], columns["destination_url"]
        )

    return make
