"""The RLS matrix: for a table, an action and a scenario, what each caller may do.

A case is one statement (with an optional setup) and six expectations, one
per actor of `tests.support.world.ACTORS`, written as a string of symbols in
that order: anon, participant, distributor A, distributor B, trainer, admin.

    A  allowed   the statement reads or writes the row(s) it targets
    -  hidden    row-level security filters: no row is read or written
    X  denied    the statement fails with insufficient_privilege (SQLSTATE 42501),
                 raised by a WITH CHECK policy or a guard trigger

The statement names rows with `%(name)s` placeholders: the ids of
`tests.support.world.IDS`, and `%(me)s`, the acting user's id (NULL for anon).
Writes have no RETURNING clause, like supabase-js's default (return=minimal):
RETURNING would also demand that the caller may read the row back.
`setup`, one statement or several, runs as postgres inside the same
rolled-back transaction first, for cases that need a row the seed lacks.

Each module of `tests/schema/rls_cases/` exports `CASES`, a list of cases;
the matrix test runs them all, and a guard test fails when a table in public
lacks a case for any action.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Final

from tests.support.world import ACTORS

ACTIONS: Final = ("select", "insert", "update", "delete")


class Outcome(Enum):
    """What one caller's statement did."""

    ALLOWED = "A"
    HIDDEN = "-"
    DENIED = "X"


@dataclass(frozen=True)
class RlsCase:
    """One statement and the outcome expected for each actor."""

    table: str
    action: str
    scenario: str
    sql: str
    expected: MappingProxyType[str, Outcome]
    setup: tuple[str, ...] = ()

    def name(self) -> str:
        """A test id: table-action-scenario, the scenario in snake case."""
        scenario = re.sub(r"[^a-z0-9]+", "_", self.scenario.lower()).strip("_")
        return f"{self.table}-{self.action}-{scenario}"


def rls_case(
    table: str,
    action: str,
    scenario: str,
    sql: str,
    expected: str,
    *,
    setup: str | Sequence[str] = (),
) -> RlsCase:
    """A case; `expected` holds one symbol (A, -, X) per actor, spaces ignored."""
    if action not in ACTIONS:
        raise ValueError(f"{table}: unknown action {action!r}")
    symbols = expected.replace(" ", "")
    if len(symbols) != len(ACTORS):
        raise ValueError(f"{table} {action} {scenario!r}: expected {len(ACTORS)} outcomes")
    outcomes = {actor: Outcome(symbol) for actor, symbol in zip(ACTORS, symbols, strict=True)}
    statements = (setup,) if isinstance(setup, str) else tuple(setup)
    return RlsCase(table, action, scenario, sql, MappingProxyType(outcomes), statements)
