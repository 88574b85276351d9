"""Run SQL the way PostgREST runs a request, so that row-level security applies.

PostgREST opens a transaction, switches to the request's role and publishes the
verified JWT claims, both local to the transaction:

    select set_config('role', 'authenticated', true),
           set_config('request.jwt.claims', '{"sub": "...", "role": "authenticated"}', true);

Tests connect as `postgres`, which bypasses RLS; `request_as` makes the same
switch, so what a test sees is what a supabase-js client would see.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg

_TOKEN_LIFETIME_SECONDS = 3600


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: an API role and, when signed in, a user."""

    role: str
    user_id: UUID | None = None
    email: str | None = None

    def claims(self) -> dict[str, Any]:
        """The JWT claims PostgREST would publish for this caller."""
        claims: dict[str, Any] = {
            "role": self.role,
            "exp": int(time.time()) + _TOKEN_LIFETIME_SECONDS,
        }
        if self.user_id is not None:
            claims.update(sub=str(self.user_id), aud="authenticated")
        if self.email is not None:
            claims["email"] = self.email
        return claims


ANON = Caller("anon")
SERVICE_ROLE = Caller("service_role")


def signed_in(user_id: UUID, email: str | None = None) -> Caller:
    """A caller with a user's session: role authenticated, `sub` = the user's id."""
    return Caller("authenticated", user_id, email)


@contextmanager
def request_as(
    conn: psycopg.Connection[Any], caller: Caller, *, commit: bool = False
) -> Iterator[psycopg.Cursor[Any]]:
    """A cursor whose statements run as `caller`, in a transaction rolled back at the end.

    Inside a transaction the caller already opened, the request is a savepoint
    of it; `commit=True` keeps its changes (released savepoint, or a committed
    transaction) and the role and claims end with the block either way.
    """
    is_nested = conn.info.transaction_status is not psycopg.pq.TransactionStatus.IDLE
    with conn.transaction(force_rollback=not commit), conn.cursor() as cursor:
        cursor.execute(
            "select set_config('role', %s, true), set_config('request.jwt.claims', %s, true)",
            (caller.role, json.dumps(caller.claims())),
        )
        yield cursor
        if commit and is_nested:
            # A released savepoint would leave the role set in the outer transaction.
            cursor.execute(
                "select set_config('role', 'none', true), set_config('request.jwt.claims', '', true)"
            )
