"""`maxpulse payouts create`: one payout per distributor and currency, once, above a minimum."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import psycopg

from maxpulse_tools.finance import payouts
from tests.support.payments import book, make_distributor, sale
from tests.tools.finance.conftest import RunCli

APPROVE_ALL = "select private.approve_due_commissions('0 days')"


def approved_sales(conn: psycopg.Connection[Any], *quantities: int) -> str:
    """A new distributor with one approved 75.00 sale per quantity (18.75 each)."""
    _, code = make_distributor(conn)
    for number, quantity in enumerate(quantities):
        book(conn, sale(f"shop-{code}-{number}", code, [("MP-COACH-1", quantity)]))
    conn.execute(APPROVE_ALL)
    return code


def test_create_pays_each_distributor_once(
    maxpulse: RunCli, finance_db: psycopg.Connection[Any]
) -> None:
    code = approved_sales(finance_db, 1, 2)

    first = maxpulse("payouts", "create")
    second = maxpulse("payouts", "create")

    assert first.exit_code == 0, first.output
    rows = {line.split()[1]: line.split() for line in first.stdout.splitlines()[3:]}
    assert rows[code][2:] == ["USD", "2", "0.00", "56.25"]
    assert first.stdout.startswith(
        "Created 3 payout(s): "
    )  # Ava and Ben's approved seed commissions too
    assert second.stdout == "Created 0 payout(s).\n"
    assert finance_db.execute(
        "select count(*) from public.commissions where status = 'approved'"
    ).fetchone() == (0,)


def test_min_amount_keeps_small_balances_for_later(
    maxpulse: RunCli, finance_db: psycopg.Connection[Any]
) -> None:
    small = approved_sales(finance_db, 1)
    large = approved_sales(finance_db, 4)

    result = maxpulse("payouts", "create", "--min-amount", "50", "--json")

    report = json.loads(result.stdout)
    assert report["minAmount"] == "50.00"
    assert [(p["distributorCode"], p["amount"], p["commissions"]) for p in report["payouts"]] == [
        (large, "75.00", 1)
    ]
    assert small not in result.stdout


def test_a_min_amount_that_is_not_an_amount_is_one_line_error(maxpulse: RunCli) -> None:
    result = maxpulse("payouts", "create", "--min-amount", "1e3")

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: --min-amount: '1e3' is not an amount: write a decimal string such as \"98.00\""
        " (digits, at most two decimals, no sign or exponent)"
    ]


def test_run_and_totals_by_currency(finance_db: psycopg.Connection[Any]) -> None:
    code = approved_sales(finance_db, 2)

    created = payouts.run(finance_db, Decimal("30.00"))

    assert [(p.distributor_code, p.amount) for p in created] == [(code, Decimal("37.50"))]
    assert payouts.totals_by_currency(created) == {"USD": Decimal("37.50")}
