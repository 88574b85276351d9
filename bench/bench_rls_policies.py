"""What row-level security costs a dashboard query, and what the policies' shape saves.

A distributor's dashboard counts their tracking events of the last 30 days
(`assessment_tracking`, 300,000 rows over 200 distributors), run as PostgREST
runs it: role `authenticated` with JWT claims, so the policy filters the rows.

1. The query filtering by `distributor_id` itself (supabase-js
   `.eq('distributor_id', user.id)`, as the RPCs do), through RLS, against the
   same query as the owner (no RLS), with the same round trips: the price of
   RLS itself.
2. The query leaving the filtering to the policy alone, against (1): the
   policy's `... or (select private.is_admin())` keeps the planner from using
   the (distributor_id, timestamp) index, so queries should filter too.
3. The policy written naively (`auth.uid()` and `private.is_admin()` called
   per row) against the migrated one, both with the policy alone filtering:
   why every policy wraps them in `(select ...)`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import median_seconds, migrate, report, throwaway_cluster

REPEATS = 15
SLOW_REPEATS = 3  # the naive policy takes seconds per run
DISTRIBUTORS = 200
SESSIONS_PER_DISTRIBUTOR = 500
EVENTS_PER_SESSION = 3

POLICY_ONLY = """
    select event_type, count(*)
    from public.assessment_tracking
    where "timestamp" >= now() - interval '30 days'
    group by event_type
"""
FILTERED = """
    select event_type, count(*)
    from public.assessment_tracking
    where distributor_id = %s and "timestamp" >= now() - interval '30 days'
    group by event_type
"""
NAIVE_POLICY = [
    "drop policy assessment_tracking_select on public.assessment_tracking",
    "create policy assessment_tracking_select on public.assessment_tracking"
    " for select to authenticated using (distributor_id = auth.uid() or private.is_admin())",
]

LOAD = [
    f"""
    insert into auth.users (id, aud, role, email, raw_app_meta_data, created_at, updated_at)
    select gen_random_uuid(), 'authenticated', 'authenticated', 'd' || i || '@bench.example',
           '{{"role": "distributor"}}', now(), now()
    from generate_series(1, {DISTRIBUTORS}) as i
    """,
    f"""
    insert into public.assessment_sessions (distributor_id, started_at)
    select u.id, now() - random() * interval '60 days'
    from public.users as u, generate_series(1, {SESSIONS_PER_DISTRIBUTOR})
    where u.email like '%@bench.example'
    """,
    # Rows are consistent by construction: skip the per-row triggers (distributor
    # lookup, foreign keys) that would make loading take a minute.
    "set session_replication_role = replica",
    f"""
    insert into public.assessment_tracking (session_id, distributor_id, event_type, "timestamp")
    select s.id, s.distributor_id,
           (array['link_clicked', 'assessment_started', 'question_answered',
                  'assessment_completed'])[1 + (n % 4)],
           s.started_at + n * interval '1 minute'
    from public.assessment_sessions as s, generate_series(1, {EVENTS_PER_SESSION}) as n
    """,
    "reset session_replication_role",
    "analyze",
]


def main() -> None:
    with throwaway_cluster() as cluster, psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        _build(conn)
        distributor = _some_bench_distributor(conn)
        filtered = median_seconds(_timed_as(conn, distributor, FILTERED), REPEATS)
        owner = median_seconds(lambda: conn.execute(FILTERED, (distributor,)).fetchall(), REPEATS)
        policy_only = median_seconds(_timed_as(conn, distributor, POLICY_ONLY), REPEATS)
        with conn.transaction(force_rollback=True):
            for statement in NAIVE_POLICY:
                conn.execute(statement)
            naive = median_seconds(_timed_as(conn, distributor, POLICY_ONLY), SLOW_REPEATS)
    rows = DISTRIBUTORS * SESSIONS_PER_DISTRIBUTOR * EVENTS_PER_SESSION
    print(
        f"{rows} tracking rows, median of {REPEATS} runs ({SLOW_REPEATS} for the naive policy),"
        f" PostgreSQL in {cluster.binaries.bin_dir}"
    )
    report("filtered dashboard query through RLS", filtered, "same query as owner, no RLS", owner)
    report("policy alone filtering", policy_only, "query filtering too", filtered)
    report("naive policy (per-row calls)", naive, "policy as migrated", policy_only)


def _build(conn: psycopg.Connection[Any]) -> None:
    migrate(conn)
    for statement in LOAD:
        conn.execute(statement)


def _some_bench_distributor(conn: psycopg.Connection[Any]) -> Any:
    row = conn.execute(
        "select id from public.users where email like '%@bench.example' order by email limit 1"
    ).fetchone()
    assert row is not None
    return row[0]


def _timed_as(
    conn: psycopg.Connection[Any], user_id: Any, query: str, *, role: str = "authenticated"
) -> Callable[[], object]:
    """Run `query` as PostgREST would for `user_id`; role postgres (the owner) skips RLS."""
    claims = json.dumps({"sub": str(user_id), "role": "authenticated"})
    params = (user_id,) if "%s" in query else None

    def run() -> object:
        # The same round trips for every variant: a transaction rolled back after,
        # the role and claims set in it, the query.
        with conn.transaction(force_rollback=True):
            conn.execute(
                "select set_config('role', %s, true), set_config('request.jwt.claims', %s, true)",
                (role, claims),
            )
            return conn.execute(query, params).fetchall()

    return run


if __name__ == "__main__":
    main()
