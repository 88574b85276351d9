"""`maxpulse commissions verify`: silent success, and every mismatch named with a failing exit."""

from __future__ import annotations

import json
from typing import Any

import psycopg

from maxpulse_tools.finance import verify
from tests.support.payments import book, refund, sale
from tests.tools.finance.conftest import RunCli

TAMPER = (
    "update public.distributor_profiles set total_sales = total_sales + 10"
    " where distributor_code = 'MP-BEN02'"
)


def test_verify_passes_on_the_seed_and_booked_events(
    maxpulse: RunCli, finance_db: psycopg.Connection[Any]
) -> None:
    book(finance_db, sale("shop-v1", "MP-BEN02", [("MP-SLEEP-30", 2)]))
    book(finance_db, refund("shop-v1", "49.00"))

    result = maxpulse("commissions", "verify")

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Checked 13 invariants over 2 distributors, 3 booked orders,")
    assert result.stderr.rstrip().endswith(": all hold.")


def test_verify_names_mismatches_and_exits_non_zero(
    maxpulse: RunCli, finance_db: psycopg.Connection[Any]
) -> None:
    finance_db.execute(TAMPER)

    result = maxpulse("commissions", "verify")

    assert result.exit_code == 7
    assert result.stdout == "total_sales MP-BEN02: expected 79.00, found 89.00\n"
    assert result.stderr.strip().splitlines()[-1] == (
        "error: commissions verify found 1 mismatch(es) (the lines above name each;"
        " correct them with ledger adjustments)"
    )


def test_verify_json_lists_the_mismatches(
    maxpulse: RunCli, finance_db: psycopg.Connection[Any]
) -> None:
    finance_db.execute(TAMPER)

    result = maxpulse("commissions", "verify", "--json")

    report = json.loads(result.stdout)
    assert result.exit_code == 7
    assert report["holds"] is False
    assert report["mismatches"] == [
        {"invariant": "total_sales", "subject": "MP-BEN02", "expected": "79.00", "actual": "89.00"}
    ]


def test_every_invariant_the_database_checks_is_listed(finance_db: psycopg.Connection[Any]) -> None:
    source = finance_db.execute(
        "select prosrc from pg_proc where proname = 'commission_ledger_mismatches'"
    ).fetchone()
    assert source is not None
    named = {name for name in verify.INVARIANTS if f"'{name}'" in source[0]}
    assert named == set(verify.INVARIANTS)
