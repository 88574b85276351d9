"""Whether a database has the ai-analysis tables the commands read."""

from __future__ import annotations

from typing import Any

from maxpulse_tools.errors import ConfigError

REQUIRED = (
    "public.ai_analysis_results",
    "public.ai_analysis_usage",
    "public.ai_analysis_generations",
)


def require_ai_tables(conn: Any) -> None:
    """ConfigError unless the ai-analysis migrations have been applied."""
    missing = [
        name
        for name in REQUIRED
        if conn.execute("select to_regclass(%s)", (name,)).fetchone()[0] is None
    ]
    if missing:
        raise ConfigError(
            f"the database has no {', '.join(missing)}",
            hint="apply the migrations first: maxpulse db push",
        )
