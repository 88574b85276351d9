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
from maxpulse_tools.cli.analytics import analytics_app
from maxpulse_tools.cli.context import CliState
from maxpulse_tools.cli.db import db_app
from maxpulse_tools.cli.functions import functions_app
from maxpulse_tools.cli.migration import migration_app
from maxpulse_tools.cli.stack import register_stack_commands
from maxpulse_tools.cli.users import users_app
from maxpulse_tools.errors import MaxpulseError

_DATABASE_ERROR_EXIT = 3


class MaxpulseGroup(TyperGroup):
    """The root command group: turns user-fixable errors into one clear line."""

    def invoke(self, ctx: Any) -> Any:  # a click Context (typer vendors click)
        try:
            return super().invoke(ctx)
        except MaxpulseError as exc:
            _fail(ctx, f"error: {exc}", exc.exit_code, exc)
        except Exception as exc:
            # The database going away mid-command is not a bug of ours either.
            if type(exc).__module__.startswith("psycopg"):
                from maxpulse_tools.database import first_line

                _fail(ctx, f"error: database error: {first_line(exc)}", _DATABASE_ERROR_EXIT, exc)
            raise


def _fail(ctx: Any, message: str, code: int, exc: BaseException) -> None:
    state = ctx.obj if isinstance(ctx.obj, CliState) else None
    if state is not None and state.verbose:
        import traceback

        typer.echo("".join(traceback.format_exception(exc)), err=True)
    typer.echo(message, err=True)
    raise typer.Exit(code)


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
app.add_typer(users_app, name="users")
app.add_typer(analytics_app, name="analytics")
register_stack_commands(app)


def main() -> None:
    """Entry point of the `maxpulse` console script."""
    app()
