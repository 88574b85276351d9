"""The analytics rollups: how fast they are made, and what they save the dashboard's RPC.

One distributor (America/New_York) has 1,000,000 events over the last 30
days: link clicks, assessment sessions and their tracking events, analytics
events, clients, paid orders with commissions, AI analyses. Twenty others
(several time zones) have 2 % of that each, as noise.

1. Rollup throughput: the first `private.aggregate_analytics()` run counts
   every event into daily rows (events/s), next to a bare `count(*)` over the
   same raw rows (the rate of just reading them). A steady-state run (the
   2-day window) is timed too.
2. `get_distributor_analytics(distributor, 30)` as that distributor (role and
   JWT claims, as PostgREST runs it), p50/p95 over many calls, next to the
   same document answered by a plain aggregate over the raw rows (the same
   function with no rollup to read). Goal: p95 <= 20 ms. Both documents must
   be equal.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import migrate, report, throwaway_cluster

CALLS = 200
RAW_CALLS = 20  # the raw-rows baseline takes much longer per call
P95_GOAL_MS = 20.0
BIG = "b1000000-0000-4000-8000-000000000000"
NOISE_DISTRIBUTORS = 20
NOISE_SHARE = 0.02
# Events of the big distributor, by kind (1,000,000 in all).
LINK_CLICKS = 400_000
SESSIONS = 75_000  # 40 % completed; each has 5 tracking events (375,000)
ANALYTICS_EVENTS = 130_000
CLIENTS = 5_000
ORDERS = 5_000  # paid, one commission each
AI_SHARE = 0.3  # of completed sessions: 9,000 AI analyses
RAW_TABLES = (
    "link_clicks",
    "assessment_sessions",
    "assessment_tracking",
    "analytics_events",
    "clients",
    "orders",
    "commissions",
    "ai_analysis_results",
)

DISTRIBUTORS = f"""
insert into auth.users (id, aud, role, email, raw_app_meta_data, created_at, updated_at)
select ('b1000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'authenticated',
  'authenticated', 'bench' || i || '@bench.example', '{{"role": "distributor"}}', now(), now()
from generate_series(0, {NOISE_DISTRIBUTORS}) as i;
update public.distributor_profiles
set timezone = (array['America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Sydney'])
  [1 + right(user_id::text, 2)::integer % 4]
where user_id::text like 'b1000000-%';
insert into public.tracked_links (distributor_id, short_code, destination_url, label)
select d.user_id, 'b' || right(d.user_id::text, 2) || '-' || l, 'https://bench.example/' || l,
  'Link ' || l
from public.distributor_profiles as d, generate_series(1, 10) as l
where d.user_id::text like 'b1000000-%';
insert into public.products (sku, name, price) values ('BENCH-1', 'Bench product', 40.00);
create temporary table volume as
select d.user_id as distributor_id,
  case when d.user_id = '{BIG}' then 1.0 else {NOISE_SHARE} end as share,
  array(select t.id from public.tracked_links as t where t.distributor_id = d.user_id) as links
from public.distributor_profiles as d
where d.user_id::text like 'b1000000-%';
"""

# Rows are consistent by construction; the per-row triggers are skipped and
# the secondary indexes are built after loading, as for any bulk load.
EVENTS = f"""
insert into public.link_clicks (
  session_id, link_id, distributor_id, clicked_at, browser_family, os_family, device_family,
  is_bot, is_unique, visitor_hash
)
select gen_random_uuid(), v.links[1 + i % 10], v.distributor_id, x.at, 'Chrome', 'Android',
  'mobile', x.r < 0.1, x.r >= 0.1 and x.r < 0.4, md5(i::text) || md5(v.distributor_id::text)
from volume as v
cross join lateral generate_series(1, ({LINK_CLICKS} * v.share)::integer) as i
cross join lateral (select now() - random() * interval '30 days' + i * interval '0' as at,
  random() + i * 0 as r) as x;

insert into public.assessment_sessions (distributor_id, status, started_at, completed_at, source)
select v.distributor_id, case when x.done then 'completed' else 'started' end, x.at,
  case when x.done then x.at + interval '9 minutes' end, 'link'
from volume as v
cross join lateral generate_series(1, ({SESSIONS} * v.share)::integer) as i
cross join lateral (select now() - random() * interval '30 days' + i * interval '0' as at,
  random() + i * 0 < 0.4 as done) as x;

insert into public.assessment_tracking (session_id, distributor_id, event_type, "timestamp")
select s.id, s.distributor_id,
  (array['link_clicked', 'assessment_started', 'question_answered', 'question_answered',
         'assessment_completed'])[1 + k],
  s.started_at + k * interval '2 minutes'
from public.assessment_sessions as s
cross join generate_series(0, 4) as k;

insert into public.analytics_events (distributor_id, event_type, occurred_at)
select v.distributor_id, (array['results.viewed', 'dashboard.opened', 'share.clicked'])[1 + i % 3],
  now() - random() * interval '30 days' + i * interval '0'
from volume as v
cross join lateral generate_series(1, ({ANALYTICS_EVENTS} * v.share)::integer) as i;

insert into public.clients (distributor_id, first_name, created_at)
select v.distributor_id, 'Client ' || i, now() - random() * interval '30 days' + i * interval '0'
from volume as v
cross join lateral generate_series(1, ({CLIENTS} * v.share)::integer) as i;

insert into public.orders (distributor_id, status, currency, subtotal, shipping_amount, placed_at, paid_at)
select v.distributor_id, 'paid', (array['USD', 'EUR'])[1 + i % 2], 40.00, 5.00, x.at,
  x.at + interval '10 minutes'
from volume as v
cross join lateral generate_series(1, ({ORDERS} * v.share)::integer) as i
cross join lateral (select now() - random() * interval '30 days' + i * interval '0' as at) as x;

insert into public.order_items (order_id, product_id, quantity, unit_price, currency)
select o.id, p.id, 1, 40.00, o.currency
from public.orders as o, public.products as p
where p.sku = 'BENCH-1';

insert into public.commissions (
  order_item_id, order_id, distributor_id, level, rate, base_amount, amount, currency, earned_at
)
select i.id, o.id, o.distributor_id, 0, 25, 40.00, 10.00, o.currency, o.paid_at
from public.order_items as i
join public.orders as o on o.id = i.order_id;

insert into public.ai_analysis_results (
  input_hash, assessment_type, analysis_data, session_id, created_at, expires_at
)
select md5(s.id::text) || md5(s.started_at::text), 'health_risk', '{{}}', s.id, s.completed_at,
  s.completed_at + interval '7 days'
from public.assessment_sessions as s
where s.status = 'completed' and random() < {AI_SHARE};
"""

SECONDARY_INDEXES = """
select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
from pg_index as i
where i.indrelid = any (%s::regclass[]) and not i.indisprimary and not i.indisunique
"""

RAW_COUNT = " union all ".join(f"select count(*) from public.{table}" for table in RAW_TABLES)

AS_DISTRIBUTOR = (
    "select set_config('role', 'authenticated', false), set_config('request.jwt.claims', %s, false)"
)
RPC = "select public.get_distributor_analytics(%s, 30)"
# The same question over the raw rows only: no rollup is read.
RAW_DOCUMENT = """
select private.analytics_document(
  %s, p.timezone, (now() at time zone p.timezone)::date - 29,
  (now() at time zone p.timezone)::date, null
)
from public.distributor_profiles as p
where p.user_id = %s
"""


def build_database(cluster: Any) -> str:
    """A database with the bootstrap, every migration and the benchmark's events; its URL."""
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute("create database bench_analytics")
    url: str = cluster.dsn("bench_analytics")
    with psycopg.connect(url, autocommit=True) as conn:
        migrate(conn)
        started = time.perf_counter()
        load_events(conn)
        events = sum(row[0] for row in conn.execute(RAW_COUNT).fetchall())
        print(f"loaded {events:,} raw rows in {time.perf_counter() - started:.1f} s")
    return url


def load_events(conn: psycopg.Connection[Any]) -> None:
    """Insert the events with triggers off and secondary indexes dropped, then index and analyze."""
    conn.execute(DISTRIBUTORS)
    tables = [f"public.{table}" for table in RAW_TABLES]
    indexes = conn.execute(SECONDARY_INDEXES, (tables,)).fetchall()
    for name, _ in indexes:
        conn.execute(f"drop index {name}")
    conn.execute("set session_replication_role = replica")
    conn.execute(EVENTS)
    conn.execute("set session_replication_role = origin")
    for _, definition in indexes:
        conn.execute(definition)
    conn.execute("vacuum analyze")


def bench_rollups(url: str) -> None:
    """Events/s of the first (full) run, next to just reading the raw rows; a steady-state run."""
    with psycopg.connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        events = sum(row[0] for row in conn.execute(RAW_COUNT).fetchall())
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        first = conn.execute("select private.aggregate_analytics()").fetchone()
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute("select private.aggregate_analytics()")
        steady_seconds = time.perf_counter() - started
    assert first is not None
    print(f"first run: {json.dumps(first[0], sort_keys=True)}")
    report(
        "rollup throughput, first run",
        events / first_seconds,
        "count(*) of the same raw rows",
        events / read_seconds,
        unit="events/s",
    )
    print(f"steady-state run (the 2-day window): {steady_seconds:.3f} s")


def timed_calls(
    conn: psycopg.Connection[Any], query: str, params: tuple[Any, ...], calls: int
) -> list[float]:
    """Milliseconds of each of `calls` executions, after a few warm-up calls."""
    for _ in range(3):
        conn.execute(query, params)
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        conn.execute(query, params).fetchone()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def bench_rpc(url: str) -> None:
    """The RPC as the distributor, next to the raw-rows document, both through RLS."""
    claims = json.dumps({"sub": BIG, "role": "authenticated"})
    with (
        psycopg.connect(url, autocommit=True) as conn,
        psycopg.connect(url, autocommit=True) as raw,
    ):
        conn.execute(AS_DISTRIBUTOR, (claims,))
        raw.execute(AS_DISTRIBUTOR, (claims,))
        # A one-off aggregate is planned for its arguments, as any ad-hoc query would be.
        raw.execute("set plan_cache_mode = force_custom_plan")
        rollup = timed_calls(conn, RPC, (BIG,), CALLS)
        baseline = timed_calls(raw, RAW_DOCUMENT, (BIG, BIG), RAW_CALLS)
        from_rollups = conn.execute(RPC, (BIG,)).fetchone()
        from_raw = raw.execute(RAW_DOCUMENT, (BIG, BIG)).fetchone()
    assert from_rollups is not None and from_raw is not None
    document, raw_document = from_rollups[0], from_raw[0]
    raw_document["rolled_up_until"] = document["rolled_up_until"]
    assert document == raw_document, "the rollups and the raw rows disagree"
    totals = document["totals"]
    print(
        f"document: {totals['link_clicks']:,} clicks, {totals['assessments_started']:,} started, "
        f"{totals['paid_orders']:,} orders, {len(json.dumps(document)):,} bytes"
    )
    for name, ours, theirs in (
        ("p50", statistics.median(rollup), statistics.median(baseline)),
        ("p95", p95(rollup), p95(baseline)),
    ):
        print(
            f"get_distributor_analytics {name}: {ours:.2f} ms | baseline (the same document from"
            f" raw rows): {theirs:.1f} ms | ratio {ours / theirs:.4f}x ({theirs / ours:,.0f}x faster)"
        )
    verdict = "meets" if p95(rollup) <= P95_GOAL_MS else "misses"
    print(f"p95 goal <= {P95_GOAL_MS:.0f} ms: {verdict} it")


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    with throwaway_cluster() as cluster:
        url = build_database(cluster)
        bench_rollups(url)
        bench_rpc(url)


if __name__ == "__main__":
    main()
