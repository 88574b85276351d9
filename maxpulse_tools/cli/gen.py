"""`maxpulse gen types typescript`: the `Database` type for supabase-js, from the live schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import state
from maxpulse_tools.cli.options import DbUrlOption

gen_app = typer.Typer(help="Generate code from the database schema.", no_args_is_help=True)
types_app = typer.Typer(help="Types of the database schema.", no_args_is_help=True)
gen_app.add_typer(types_app, name="types")


@types_app.command("typescript")
def typescript(
    ctx: typer.Context,
    db_url: DbUrlOption = None,
    output_file: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to FILE instead of stdout.", show_default=False),
    ] = None,
    schemas: Annotated[
        list[str] | None,
        typer.Option("--schema", "-s", help="Schema to include (repeatable; default: public)."),
    ] = None,
    postgrest_version: Annotated[
        str,
        typer.Option(help="PostgREST version of the project, for supabase-js (hosted: 13 or 14)."),
    ] = "12",
) -> None:
    """Print the Database type (Supabase CLI's shape) for createClient<Database>()."""
    from maxpulse_tools.database import connect
    from maxpulse_tools.typegen.generate import DEFAULT_SCHEMAS, generate_typescript

    target = state(ctx).target(db_url)
    with connect(target) as conn:
        text = generate_typescript(conn, schemas or DEFAULT_SCHEMAS, postgrest_version)
    if output_file is None:
        typer.echo(text, nl=False)
        return
    try:
        output_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        from maxpulse_tools.errors import ConfigError

        raise ConfigError(f"cannot write {output_file}: {exc.strerror}") from None
    output.progress(f"Wrote the types of {', '.join(schemas or DEFAULT_SCHEMAS)} to {output_file}.")
