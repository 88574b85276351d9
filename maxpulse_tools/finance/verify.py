"""`maxpulse commissions verify`: every money invariant checked against the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import psycopg

MISMATCHES = (
    "select invariant, subject, expected, actual from private.commission_ledger_mismatches()"
    " order by invariant, subject"
)
# What was checked, for the summary line.
SCOPE = (
    "select (select count(*) from public.distributor_profiles),"
    " (select count(*) from public.orders where exists (select 1 from public.ledger_entries as e"
    "   where e.order_id = orders.id and e.entry_type = 'sale')),"
    " (select count(*) from public.commissions), (select count(*) from public.payouts),"
    " (select count(*) from public.ledger_entries)"
)
INVARIANTS = (
    "total_sales",
    "total_commissions",
    "balance",
    "commission_amount",
    "commission_entry",
    "commission_reversal_entries",
    "commission_reversed_at_most_whole",
    "commission_status_reversed",
    "order_sale_entry",
    "order_booked",
    "order_refund_entries",
    "payout_amount",
    "payout_entry",
)


@dataclass(frozen=True)
class Mismatch:
    """One broken invariant: the row it concerns, what was expected, what was found."""

    invariant: str
    subject: str
    expected: Decimal
    actual: Decimal

    def one_line(self) -> str:
        return f"{self.invariant} {self.subject}: expected {self.expected}, found {self.actual}"

    def to_json(self) -> dict[str, str]:
        return {
            "invariant": self.invariant,
            "subject": self.subject,
            "expected": f"{self.expected:f}",
            "actual": f"{self.actual:f}",
        }


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of one verification: what was looked at and what does not add up."""

    scope: dict[str, int]
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not self.mismatches

    def summary(self) -> str:
        counted = ", ".join(f"{count} {name}" for name, count in self.scope.items())
        verdict = "all hold" if self.holds else f"{len(self.mismatches)} mismatch(es)"
        return f"Checked {len(INVARIANTS)} invariants over {counted}: {verdict}."

    def to_json(self) -> dict[str, Any]:
        return {
            "holds": self.holds,
            "invariants": list(INVARIANTS),
            "scope": self.scope,
            "mismatches": [m.to_json() for m in self.mismatches],
        }


def run(conn: psycopg.Connection[Any]) -> VerifyReport:
    """Check the ledger, the distributors' totals and the commission rows against each other."""
    with conn.transaction():
        conn.execute("set transaction isolation level repeatable read, read only")
        counts = conn.execute(SCOPE).fetchone()
        rows = conn.execute(MISMATCHES).fetchall()
    names = ("distributors", "booked orders", "commissions", "payouts", "ledger entries")
    scope = dict(zip(names, counts or (0,) * len(names), strict=True))
    return VerifyReport(scope, [Mismatch(*row) for row in rows])
