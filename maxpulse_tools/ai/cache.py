"""`maxpulse ai cache clear`: forget every cached analysis, so the next requests ask the LLM anew.

The usage and cost records stay; only the cached answers (of every key
version) and the single-flight leases go, in one transaction.
"""

from __future__ import annotations

from typing import Any

from maxpulse_tools.ai.tables import require_ai_tables

CLEAR_SQL = "delete from public.ai_analysis_results"
CLEAR_LEASES_SQL = "delete from private.ai_analysis_leases"


def count_cached(conn: Any) -> int:
    """How many analyses the cache holds."""
    require_ai_tables(conn)
    return int(conn.execute("select count(*) from public.ai_analysis_results").fetchone()[0])


def clear_cache(conn: Any) -> int:
    """Delete every cached analysis and lease; returns how many analyses were deleted."""
    require_ai_tables(conn)
    with conn.transaction():
        deleted = conn.execute(CLEAR_SQL).rowcount
        conn.execute(CLEAR_LEASES_SQL)
    return int(deleted)
