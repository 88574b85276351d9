"""`maxpulse commissions approve`: the holding period decides, re-runs change nothing."""

from __future__ import annotations

import json
from typing import Any

import psycopg

from maxpulse_tools.finance import approve
from tests.support.payments import book, make_distributor, sale
from tests.tools.finance.conftest import RunCli


def statuses(conn: psycopg.Connection[Any], code: str) -> list[str]:
    return [
        status
        for (status,) in conn.execute(
            "select c.status from public.commissions as c join public.distributor_profiles as d"
            " on d.user_id = c.distributor_id where d.distributor_code = %s order by c.earned_at",
            (code,),
        )
    ]


def test_approve_moves_commissions_past_the_holding_period(
    maxpulse: RunCli, finance_db: psycopg.Connection[Any]
) -> None:
    _, code = make_distributor(finance_db)
    book(finance_db, sale("shop-a1", code, [("MP-COACH-1", 1)], occurred_at="2026-01-05T09:00:00Z"))
    book(finance_db, sale("shop-a2", code, [("MP-COACH-1", 1)]))

    result = maxpulse("commissions", "approve")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Approved 1 commission(s) earned 30 or more days ago."
    assert lines[1].split() == ["distributor", "currency", "commissions", "amount"]
    assert lines[3].split() == [code, "USD", "1", "18.75"]
    assert statuses(finance_db, code) == ["approved", "pending"]


def test_approve_again_finds_nothing_and_says_so_in_json(
    maxpulse: RunCli, finance_db: psycopg.Connection[Any]
) -> None:
    _, code = make_distributor(finance_db)
    book(finance_db, sale("shop-a3", code, [("MP-COACH-1", 1)]))

    first = maxpulse("commissions", "approve", "--holding-days", "0", "--json")
    second = maxpulse("commissions", "approve", "--holding-days", "0", "--json")

    approved = json.loads(first.stdout)["approved"]
    assert {
        "distributorCode": code,
        "currency": "USD",
        "commissions": 1,
        "amount": "18.75",
    }.items() <= next(batch for batch in approved if batch["distributorCode"] == code).items()
    assert json.loads(second.stdout) == {"holdingDays": 0, "approved": []}


def test_a_negative_holding_period_is_refused(maxpulse: RunCli) -> None:
    result = maxpulse("commissions", "approve", "--holding-days", "-1")

    assert result.exit_code == 2
    assert "--holding-days" in result.output


def test_run_returns_what_it_approved_per_distributor(finance_db: psycopg.Connection[Any]) -> None:
    _, code = make_distributor(finance_db)
    book(finance_db, sale("shop-a4", code, [("MP-SLEEP-30", 2)]))

    batches = approve.run(finance_db, holding_days=0)

    assert [
        (b.currency, b.commissions, str(b.amount)) for b in batches if b.distributor_code == code
    ] == [("USD", 1, "24.50")]
