"""`maxpulse payouts create`: approved commissions into one payout per distributor and currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg

MIN_PAYOUT = Decimal("0.01")
CREATE_PAYOUTS = (
    "select payout_id, distributor_id, distributor_code, currency, amount, commissions, clawbacks"
    " from private.create_payouts(%s)"
)


@dataclass(frozen=True)
class CreatedPayout:
    """A payout made by one run: what it pays, for how many commissions, after which clawbacks."""

    payout_id: UUID
    distributor_id: UUID
    distributor_code: str
    currency: str
    amount: Decimal
    commissions: int
    clawbacks: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "payoutId": str(self.payout_id),
            "distributorId": str(self.distributor_id),
            "distributorCode": self.distributor_code,
            "currency": self.currency,
            "amount": f"{self.amount:f}",
            "commissions": self.commissions,
            "clawbacks": f"{self.clawbacks:f}",
        }


def run(conn: psycopg.Connection[Any], min_amount: Decimal = MIN_PAYOUT) -> list[CreatedPayout]:
    """Pay out what each distributor is owed when it reaches `min_amount`, in one transaction."""
    with conn.transaction():
        rows = conn.execute(CREATE_PAYOUTS, (min_amount,)).fetchall()
    return [CreatedPayout(*row) for row in rows]


def totals_by_currency(payouts: list[CreatedPayout]) -> dict[str, Decimal]:
    """The sum paid out per currency."""
    totals: dict[str, Decimal] = {}
    for payout in payouts:
        totals[payout.currency] = totals.get(payout.currency, Decimal(0)) + payout.amount
    return totals
