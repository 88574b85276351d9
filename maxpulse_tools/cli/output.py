"""Printing for commands: progress to stderr, results to stdout, JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import typer


def progress(message: str) -> None:
    """A progress line; stderr, so `--json` output on stdout stays clean."""
    typer.echo(message, err=True)


def result(message: str) -> None:
    """A line of the command's result, on stdout."""
    typer.echo(message)


def emit_json(data: Any) -> None:
    """The command's result as JSON on stdout."""
    typer.echo(json.dumps(data, indent=2, default=str))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain aligned text table on stdout."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    typer.echo(line.rstrip())
    typer.echo("  ".join("-" * w for w in widths))
    for row in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
