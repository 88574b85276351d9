"""`maxpulse commissions approve`: pending commissions whose holding period is over become approved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg

DEFAULT_HOLDING_DAYS = 30
APPROVE_DUE = (
    "select distributor_id, distributor_code, currency, approved, amount"
    " from private.approve_due_commissions(%s)"
)


@dataclass(frozen=True)
class ApprovedBatch:
    """The commissions of one distributor and currency approved by one run."""

    distributor_id: UUID
    distributor_code: str
    currency: str
    commissions: int
    amount: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "distributorId": str(self.distributor_id),
            "distributorCode": self.distributor_code,
            "currency": self.currency,
            "commissions": self.commissions,
            "amount": f"{self.amount:f}",
        }


def run(
    conn: psycopg.Connection[Any], holding_days: int = DEFAULT_HOLDING_DAYS
) -> list[ApprovedBatch]:
    """Approve every pending commission earned `holding_days` days ago or earlier, in one transaction."""
    with conn.transaction():
        rows = conn.execute(APPROVE_DUE, (timedelta(days=holding_days),)).fetchall()
    return [ApprovedBatch(*row) for row in rows]
