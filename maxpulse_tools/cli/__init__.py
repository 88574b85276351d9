"""The `maxpulse` command.

Sub-commands live in one module each and are registered here. Modules import
only typer at the top; anything heavier (psycopg, pydantic, the web stack) is
imported inside the command that needs it, so `maxpulse --help` starts fast.
Errors the user can fix (`MaxpulseError`) become one line on stderr and a
non-zero exit in `MaxpulseGroup.invoke`, the one place that does so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from maxpulse_tools import __version__
from maxpulse_tools.cli.ai import ai_app
from maxpulse_tools.cli.analytics import analytics_app
from maxpulse_tools.cli.commissions import commissions_app, payouts_app
from maxpulse_tools.cli.context import CliState
from maxpulse_tools.cli.db import db_app
from maxpulse_tools.cli.flags import flags_app
from maxpulse_tools.cli.functions import functions_app
from maxpulse_tools.cli.gen import gen_app
from maxpulse_tools.cli.health import health
from maxpulse_tools.cli.migration import migration_app
from maxpulse_tools.cli.rollback import rollback
from maxpulse_tools.cli.stack import register_stack_commands
from maxpulse_tools.cli.users import users_app
from maxpulse_tools.errors import MaxpulseError

_DATABASE_UNREACHABLE_EXIT = 3
_OTHER_ERROR_EXIT = 1


class MaxpulseGroup(TyperGroup):
    """The root command group: turns user-fixable errors into one clear line."""

    def invoke(self, ctx: Any) -> Any:  # a click Context (typer vendors click)
        try:
            return super().invoke(ctx)
        except MaxpulseError as exc:
            _fail(ctx, f"error: {exc}", exc.exit_code, exc)
        except Exception as exc:
            if type(exc).__module__.startswith(("typer", "click")):
                raise  # usage errors, typer.Exit, aborts: typer reports them
            if not type(exc).__module__.startswith("psycopg"):
                _fail(ctx, None, _OTHER_ERROR_EXIT, exc)  # a bug: its traceback, scrubbed
            # The database going away mid-command is not a bug of ours either; a
            # statement it refused is not "unreachable" (exit 3), though.
            from maxpulse_tools.database import first_line, is_connection_failure

            code = _DATABASE_UNREACHABLE_EXIT if is_connection_failure(exc) else _OTHER_ERROR_EXIT
            _fail(ctx, f"error: database error: {first_line(exc)}", code, exc)


def _fail(ctx: Any, message: str | None, code: int, exc: BaseException) -> None:
    """Print `message` (and the traceback with --verbose, or when there is no message), exit."""
    state = ctx.obj if isinstance(ctx.obj, CliState) else None
    secrets = state.secrets if state is not None else set()
    if message is None or (state is not None and state.verbose):
        import traceback

        typer.echo(_scrubbed("".join(traceback.format_exception(exc)), secrets), err=True)
    if message is not None:
        typer.echo(_scrubbed(message, secrets), err=True)
    raise typer.Exit(code)


def _scrubbed(text: str, secrets: set[str]) -> str:
    if not secrets:
        return text
    from maxpulse_tools.database import scrub

    return scrub(text, secrets)


app = typer.Typer(
    name="maxpulse",
    cls=MaxpulseGroup,
    help="MAXPULSE backend toolkit: local Supabase-style stack, migrations, functions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help for every command (the mode is inherited by sub-apps): the
    # same text in a terminal and in README's generated reference, and no `<bool>`
    # after flags, which typer 0.29's rich panels print.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"maxpulse {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    workdir: Annotated[
        Path | None,
        typer.Option(help="Project directory (default: the nearest parent holding supabase/)."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show details and tracebacks of errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """MAXPULSE backend toolkit."""
    ctx.obj = CliState(workdir=workdir, verbose=verbose)


app.add_typer(db_app, name="db")
app.add_typer(migration_app, name="migration")
app.add_typer(functions_app, name="functions")
app.add_typer(commissions_app, name="commissions")
app.add_typer(payouts_app, name="payouts")
app.add_typer(flags_app, name="flags")
app.command("health")(health)
app.command("rollback")(rollback)
app.add_typer(users_app, name="users")
app.add_typer(gen_app, name="gen")
app.add_typer(ai_app, name="ai")
app.add_typer(analytics_app, name="analytics")
register_stack_commands(app)


def main() -> None:
    """Entry point of the `maxpulse` console script."""
    app()
