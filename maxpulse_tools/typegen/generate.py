"""`gen types typescript`: read the catalog of the chosen schemas and render it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from maxpulse_tools.typegen.catalog import read_catalog
from maxpulse_tools.typegen.typescript import render_typescript

DEFAULT_SCHEMAS = ("public",)
# What supabase-js assumes when the types do not say; hosted projects run newer
# PostgREST versions, which unlock more typed features (--postgrest-version).
DEFAULT_POSTGREST_VERSION = "12"


def generate_typescript(
    conn: Any,
    schemas: Sequence[str] = DEFAULT_SCHEMAS,
    postgrest_version: str = DEFAULT_POSTGREST_VERSION,
) -> str:
    """The TypeScript `Database` type of `schemas` of the database behind `conn`."""
    return render_typescript(read_catalog(conn, schemas), postgrest_version)
