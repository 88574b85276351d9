"""`maxpulse commissions ...` and `maxpulse payouts ...`: the commission lifecycle after booking."""

from __future__ import annotations

from typing import Annotated

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import state
from maxpulse_tools.cli.options import DbUrlOption, JsonOption

commissions_app = typer.Typer(
    help="Commissions: approve those past their holding period, verify the ledger.",
    no_args_is_help=True,
)
payouts_app = typer.Typer(help="Payouts of approved commissions.", no_args_is_help=True)


@commissions_app.command("approve")
def approve(
    ctx: typer.Context,
    holding_days: Annotated[
        int,
        typer.Option(
            "--holding-days", min=0, help="Approve commissions earned at least this many days ago."
        ),
    ] = 30,
    db_url: DbUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approve pending commissions whose holding period is over (safe to re-run)."""
    from maxpulse_tools.database import connect
    from maxpulse_tools.finance import approve as approving

    with connect(state(ctx).target(db_url)) as conn:
        batches = approving.run(conn, holding_days)
    if as_json:
        output.emit_json({"holdingDays": holding_days, "approved": [b.to_json() for b in batches]})
        return
    count = sum(b.commissions for b in batches)
    output.result(f"Approved {count} commission(s) earned {holding_days} or more days ago.")
    if batches:
        output.table(
            ("distributor", "currency", "commissions", "amount"),
            [
                (b.distributor_code, b.currency, str(b.commissions), f"{b.amount:f}")
                for b in batches
            ],
        )


@commissions_app.command("verify")
def verify(ctx: typer.Context, db_url: DbUrlOption = None, as_json: JsonOption = False) -> None:
    """Check that ledger, totals, commissions, refunds and payouts agree (exit 7 when not)."""
    from maxpulse_tools.database import connect
    from maxpulse_tools.errors import LedgerMismatch
    from maxpulse_tools.finance import verify as verifying

    with connect(state(ctx).target(db_url)) as conn:
        report = verifying.run(conn)
    if as_json:
        output.emit_json(report.to_json())
    else:
        for mismatch in report.mismatches:
            output.result(mismatch.one_line())
        output.progress(report.summary())
    if not report.holds:
        raise LedgerMismatch(
            f"commissions verify found {len(report.mismatches)} mismatch(es)",
            hint="the lines above name each; correct them with ledger adjustments",
        )


@payouts_app.command("create")
def create(
    ctx: typer.Context,
    min_amount: Annotated[
        str,
        typer.Option(
            "--min-amount", help="Pay only distributors owed at least this much (e.g. 25.00)."
        ),
    ] = "0.01",
    db_url: DbUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Batch approved commissions into one payout per distributor and currency (safe to re-run)."""
    from maxpulse_tools.database import connect
    from maxpulse_tools.errors import ConfigError
    from maxpulse_tools.finance import payouts as paying
    from maxpulse_tools.finance.money import format_amount, parse_amount

    try:
        minimum = parse_amount(min_amount)
    except ValueError as exc:
        raise ConfigError(f"--min-amount: {exc}") from None
    with connect(state(ctx).target(db_url)) as conn:
        created = paying.run(conn, minimum)
    if as_json:
        output.emit_json(
            {"minAmount": format_amount(minimum), "payouts": [p.to_json() for p in created]}
        )
        return
    totals = ", ".join(
        f"{amount:f} {currency}" for currency, amount in paying.totals_by_currency(created).items()
    )
    output.result(f"Created {len(created)} payout(s)" + (f": {totals}." if created else "."))
    if created:
        output.table(
            ("payout", "distributor", "currency", "commissions", "clawbacks", "amount"),
            [
                (
                    str(p.payout_id),
                    p.distributor_code,
                    p.currency,
                    str(p.commissions),
                    f"{p.clawbacks:f}",
                    f"{p.amount:f}",
                )
                for p in created
            ],
        )
