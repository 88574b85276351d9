-- Analytics rollups: one row of additive counters per distributor and local
-- day (the day in the distributor's own time zone), and the aggregator that
-- keeps them current.
--
-- Raw rows stay where they are, in UTC. The aggregator
-- (`private.aggregate_analytics`, run by `maxpulse analytics aggregate`, the
-- analytics-aggregator function or pg_cron) resumes from the watermark its
-- last run left and recounts every day from the watermark minus a sliding
-- window (default 2 days), so events that arrive late still land on their
-- own day. A day is always recounted whole from the raw rows, never
-- incremented, so a run repeated, or two runs at once, give the numbers of one.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

create table public.distributor_daily_stats (
  distributor_id uuid not null references public.users (id) on delete cascade,
  day date not null,
  link_clicks integer not null default 0,
  unique_link_clicks integer not null default 0,
  bot_link_clicks integer not null default 0,
  assessments_started integer not null default 0,
  assessments_completed integer not null default 0,
  new_clients integer not null default 0,
  paid_orders integer not null default 0,
  ai_analyses integer not null default 0,
  tracking_events jsonb not null default '{}'::jsonb,
  analytics_events jsonb not null default '{}'::jsonb,
  sales jsonb not null default '{}'::jsonb,
  commissions jsonb not null default '{}'::jsonb,
  refunds jsonb not null default '{}'::jsonb,
  commission_reversals jsonb not null default '{}'::jsonb,
  link_clicks_by_link jsonb not null default '{}'::jsonb,
  unique_clicks_by_link jsonb not null default '{}'::jsonb,
  counted_at timestamptz not null default now(),
  primary key (distributor_id, day),
  constraint distributor_daily_stats_counts_check check (
    link_clicks >= 0 and unique_link_clicks between 0 and link_clicks and bot_link_clicks >= 0
    and assessments_started >= 0 and assessments_completed >= 0 and new_clients >= 0
    and paid_orders >= 0 and ai_analyses >= 0
  ),
  constraint distributor_daily_stats_maps_check check (
    jsonb_typeof(tracking_events) = 'object' and jsonb_typeof(analytics_events) = 'object'
    and jsonb_typeof(sales) = 'object' and jsonb_typeof(commissions) = 'object'
    and jsonb_typeof(refunds) = 'object' and jsonb_typeof(commission_reversals) = 'object'
    and jsonb_typeof(link_clicks_by_link) = 'object'
    and jsonb_typeof(unique_clicks_by_link) = 'object'
  )
);
alter table public.distributor_daily_stats enable row level security;
comment on table public.distributor_daily_stats is
  'Counters per distributor and local day (distributor_profiles.timezone); '
  'written only by the analytics aggregator.';
comment on column public.distributor_daily_stats.link_clicks is
  'Human clicks on the distributor''s links; bots (and HEAD requests) are counted in bot_link_clicks only.';
comment on column public.distributor_daily_stats.tracking_events is
  'assessment_tracking events per event_type, e.g. {"assessment_started": 3}.';
comment on column public.distributor_daily_stats.analytics_events is
  'analytics_events attributed to the distributor (distributor_id), per event_type.';
comment on column public.distributor_daily_stats.sales is
  'Total amount of the orders paid that day (refunded later or not), per currency: {"USD": 178.00}.';
comment on column public.distributor_daily_stats.commissions is
  'Commissions earned that day (reversed later or not), per currency.';
comment on column public.distributor_daily_stats.refunds is
  'Refunds applied that day to the distributor''s orders, per currency; net sales are sales minus refunds.';
comment on column public.distributor_daily_stats.commission_reversals is
  'What refunds took back that day of the distributor''s commissions (clawbacks included), per currency.';
comment on column public.distributor_daily_stats.link_clicks_by_link is
  'Human clicks per tracked link id; unique_clicks_by_link likewise for unique clicks.';
comment on column public.distributor_daily_stats.counted_at is
  'When the aggregator last changed these numbers.';

-- The aggregator's progress. One row: where the last run got to.
create table private.analytics_rollup_state (
  id boolean primary key default true,
  rolled_up_until timestamptz not null,
  last_run_recounted_from timestamptz not null,
  last_run_seconds double precision not null,
  constraint analytics_rollup_state_one_row_check check (id)
);

-- The time zone each distributor's days were counted in. When a distributor
-- changes theirs, the next run recounts all their days in the new one, and
-- until then get_distributor_analytics counts them from the raw rows.
create table private.analytics_rollup_zones (
  distributor_id uuid primary key references public.users (id) on delete cascade,
  timezone text not null
);

-- The aggregator reads each source by distributor and time. These five had
-- no index for it. The tables are young and small when this runs; a plain
-- CREATE INDEX is what a migration's transaction allows.
-- squawk-ignore require-concurrent-index-creation
create index assessment_sessions_distributor_completed_idx
  on public.assessment_sessions (distributor_id, completed_at)
  where completed_at is not null;
-- squawk-ignore require-concurrent-index-creation
create index clients_distributor_created_idx on public.clients (distributor_id, created_at);
-- squawk-ignore require-concurrent-index-creation
create index ai_analysis_results_created_at_idx on public.ai_analysis_results (created_at);
-- squawk-ignore require-concurrent-index-creation
create index order_refunds_distributor_settled_idx
  on public.order_refunds (distributor_id, settled_at) where status = 'applied';
-- squawk-ignore require-concurrent-index-creation
create index commission_reversals_distributor_created_idx
  on public.commission_reversals (distributor_id, created_at);

-- Row-level security: distributors read their own days, admins all; only
-- the aggregator (service_role, or the database owner) writes.
revoke all on public.distributor_daily_stats from anon;
revoke insert, update, delete, truncate on public.distributor_daily_stats from authenticated;

create policy distributor_daily_stats_select_own on public.distributor_daily_stats
  for select to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

grant select on private.analytics_rollup_state, private.analytics_rollup_zones
  to authenticated, service_role;
grant insert, update on private.analytics_rollup_state, private.analytics_rollup_zones to service_role;

-- Counting ---------------------------------------------------------------------

-- The time zone to count a distributor's days in: theirs when PostgreSQL
-- knows it, else UTC (distributor_profiles.timezone is free text).
create function private.valid_timezone(zone text) returns text
language plpgsql
stable
set search_path = ''
as $$
begin
  perform now() at time zone zone;
  return zone;
exception
  when invalid_parameter_value then
    return 'UTC';
end
$$;

-- When the AI analyses of the sessions these distributors referred were made
-- (in [since, until)).
-- SECURITY DEFINER because only admins read ai_analysis_results through the
-- API; so it checks the caller itself: API users get their own analyses
-- (admins everybody's), the server roles (service_role, the owner) all.
create function private.ai_analysis_times(
  distributor_ids uuid[], since timestamptz, until timestamptz
)
returns table (distributor_id uuid, created_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select s.distributor_id, a.created_at
  from public.ai_analysis_results as a
  join public.assessment_sessions as s on s.id = a.session_id
  where a.created_at >= since and a.created_at < until
    and s.distributor_id = any (distributor_ids)
    and (
      current_setting('role') not in ('anon', 'authenticated')
      or s.distributor_id = (select auth.uid())
      or (select private.is_admin())
    )
$$;

-- The counters of each local day of the given distributors, counted from
-- the raw rows that happened in [since, until). With `whole_days`, counting
-- starts instead at the beginning of the local day `since` falls on, so each
-- row returned is a whole day (up to `until`). Runs with the caller's
-- row-level security: the aggregator sees everything, a distributor their own
-- rows. Days without any activity have no row.
--
-- A day is the distributor's local calendar day (23 or 25 hours long when
-- their clocks change). What counts, and when:
--   link clicks       link_clicks.clicked_at; bots apart, never human or unique
--   assessments       assessment_sessions.started_at, and completed_at for completions
--   tracking events   assessment_tracking."timestamp", per event_type
--   analytics events  analytics_events.occurred_at with the distributor's id, per event_type
--   new clients       clients.created_at
--   orders, sales     orders paid (refunded later or not), on paid_at; total_amount per currency
--   refunds           order_refunds applied, on settled_at; amount per currency
--   commissions       commissions.earned_at (reversed later or not); amount per currency
--   reversals         commission_reversals.created_at; amount per currency
-- Money is counted when it moves, so a refund weeks later lands on its own
-- (recent) day instead of changing a closed one.
--   AI analyses       ai_analysis_results.created_at of the distributor's sessions
--
-- The same statement reads one distributor's last minutes for the RPC and
-- every distributor's days for the aggregator: its callers choose the plan
-- (the RPC a cached generic one, the aggregator one made for its arguments).
create function private.count_analytics_days(
  distributor_ids uuid[],
  since timestamptz,
  until timestamptz default 'infinity',
  whole_days boolean default true
)
returns table (
  distributor_id uuid,
  day date,
  timezone text,
  link_clicks integer,
  unique_link_clicks integer,
  bot_link_clicks integer,
  assessments_started integer,
  assessments_completed integer,
  new_clients integer,
  paid_orders integer,
  ai_analyses integer,
  tracking_events jsonb,
  analytics_events jsonb,
  sales jsonb,
  commissions jsonb,
  refunds jsonb,
  commission_reversals jsonb,
  link_clicks_by_link jsonb,
  unique_clicks_by_link jsonb
)
language plpgsql
stable
set search_path = ''
as $$
declare
  -- The local day an instant falls on started at most 26 hours before it
  -- (a 25-hour day when clocks go back); rows before that are not read.
  scan_from timestamptz := case when whole_days then since - interval '26 hours' else since end;
begin
  return query
  with zones as (
    select p.user_id as distributor_id, z.zone,
      case when whole_days then (since at time zone z.zone)::date else '-infinity'::date end as first_day
    from public.distributor_profiles as p
    cross join lateral (select private.valid_timezone(p.timezone) as zone) as z
    where p.user_id = any (distributor_ids)
  ),
  clicks as (
    select z.distributor_id, (c.clicked_at at time zone z.zone)::date as day, c.link_id::text as link,
      count(*) filter (where not c.is_bot) as human,
      count(*) filter (where c.is_unique) as uniq,
      count(*) filter (where c.is_bot) as bots
    from public.link_clicks as c
    join zones as z on z.distributor_id = c.distributor_id
    where c.distributor_id = any (distributor_ids)
      and c.clicked_at >= scan_from and c.clicked_at < until
    group by 1, 2, 3
  ),
  orders as (
    select z.distributor_id, (o.paid_at at time zone z.zone)::date as day, o.currency,
      count(*) as paid, sum(o.total_amount) as amount
    from public.orders as o
    join zones as z on z.distributor_id = o.distributor_id
    where o.status in ('paid', 'fulfilled', 'refunded') and o.paid_at >= scan_from and o.paid_at < until
      and o.distributor_id = any (distributor_ids)
    group by 1, 2, 3
  ),
  -- One row per distributor, day, counter and key (a link, event type or
  -- currency; null for plain counts).
  counted (distributor_id, day, counter, key, amount) as (
    select c.distributor_id, c.day, 'link_clicks', c.link, c.human::numeric from clicks as c
    union all
    select c.distributor_id, c.day, 'unique_link_clicks', c.link, c.uniq from clicks as c
    union all
    select c.distributor_id, c.day, 'bot_link_clicks', null, c.bots from clicks as c
    union all
    select z.distributor_id, (s.started_at at time zone z.zone)::date,
      'assessments_started', null, count(*)
    from public.assessment_sessions as s
    join zones as z on z.distributor_id = s.distributor_id
    where s.distributor_id = any (distributor_ids)
      and s.started_at >= scan_from and s.started_at < until
    group by 1, 2
    union all
    select z.distributor_id, (s.completed_at at time zone z.zone)::date,
      'assessments_completed', null, count(*)
    from public.assessment_sessions as s
    join zones as z on z.distributor_id = s.distributor_id
    where s.distributor_id = any (distributor_ids)
      and s.completed_at >= scan_from and s.completed_at < until
    group by 1, 2
    union all
    select z.distributor_id, (t."timestamp" at time zone z.zone)::date,
      'tracking_events', t.event_type, count(*)
    from public.assessment_tracking as t
    join zones as z on z.distributor_id = t.distributor_id
    where t.distributor_id = any (distributor_ids)
      and t."timestamp" >= scan_from and t."timestamp" < until
    group by 1, 2, 4
    union all
    select z.distributor_id, (e.occurred_at at time zone z.zone)::date,
      'analytics_events', e.event_type, count(*)
    from public.analytics_events as e
    join zones as z on z.distributor_id = e.distributor_id
    where e.distributor_id = any (distributor_ids)
      and e.occurred_at >= scan_from and e.occurred_at < until
    group by 1, 2, 4
    union all
    select z.distributor_id, (k.created_at at time zone z.zone)::date, 'new_clients', null, count(*)
    from public.clients as k
    join zones as z on z.distributor_id = k.distributor_id
    where k.distributor_id = any (distributor_ids)
      and k.created_at >= scan_from and k.created_at < until
    group by 1, 2
    union all
    select o.distributor_id, o.day, 'paid_orders', null, o.paid from orders as o
    union all
    select o.distributor_id, o.day, 'sales', o.currency, o.amount from orders as o
    union all
    select z.distributor_id, (m.earned_at at time zone z.zone)::date,
      'commissions', m.currency, sum(m.amount)
    from public.commissions as m
    join zones as z on z.distributor_id = m.distributor_id
    where m.distributor_id = any (distributor_ids)
      and m.earned_at >= scan_from and m.earned_at < until
    group by 1, 2, 4
    union all
    select z.distributor_id, (r.settled_at at time zone z.zone)::date,
      'refunds', r.currency, sum(r.amount)
    from public.order_refunds as r
    join zones as z on z.distributor_id = r.distributor_id
    where r.status = 'applied' and r.distributor_id = any (distributor_ids)
      and r.settled_at >= scan_from and r.settled_at < until
    group by 1, 2, 4
    union all
    select z.distributor_id, (v.created_at at time zone z.zone)::date,
      'commission_reversals', v.currency, sum(v.amount)
    from public.commission_reversals as v
    join zones as z on z.distributor_id = v.distributor_id
    where v.distributor_id = any (distributor_ids)
      and v.created_at >= scan_from and v.created_at < until
    group by 1, 2, 4
    union all
    select z.distributor_id, (a.created_at at time zone z.zone)::date, 'ai_analyses', null, count(*)
    from private.ai_analysis_times(distributor_ids, scan_from, until) as a
    join zones as z on z.distributor_id = a.distributor_id
    group by 1, 2
  )
  select c.distributor_id, c.day, z.zone,
    coalesce(sum(c.amount) filter (where c.counter = 'link_clicks'), 0)::integer,
    coalesce(sum(c.amount) filter (where c.counter = 'unique_link_clicks'), 0)::integer,
    coalesce(sum(c.amount) filter (where c.counter = 'bot_link_clicks'), 0)::integer,
    coalesce(sum(c.amount) filter (where c.counter = 'assessments_started'), 0)::integer,
    coalesce(sum(c.amount) filter (where c.counter = 'assessments_completed'), 0)::integer,
    coalesce(sum(c.amount) filter (where c.counter = 'new_clients'), 0)::integer,
    coalesce(sum(c.amount) filter (where c.counter = 'paid_orders'), 0)::integer,
    coalesce(sum(c.amount) filter (where c.counter = 'ai_analyses'), 0)::integer,
    coalesce(jsonb_object_agg(c.key, c.amount) filter (where c.counter = 'tracking_events'), '{}'),
    coalesce(jsonb_object_agg(c.key, c.amount) filter (where c.counter = 'analytics_events'), '{}'),
    coalesce(jsonb_object_agg(c.key, c.amount) filter (where c.counter = 'sales'), '{}'),
    coalesce(jsonb_object_agg(c.key, c.amount) filter (where c.counter = 'commissions'), '{}'),
    coalesce(jsonb_object_agg(c.key, c.amount) filter (where c.counter = 'refunds'), '{}'),
    coalesce(jsonb_object_agg(c.key, c.amount) filter (where c.counter = 'commission_reversals'), '{}'),
    coalesce(
      jsonb_object_agg(c.key, c.amount) filter (where c.counter = 'link_clicks' and c.amount > 0), '{}'
    ),
    coalesce(
      jsonb_object_agg(c.key, c.amount) filter (where c.counter = 'unique_link_clicks' and c.amount > 0),
      '{}'
    )
  from counted as c
  join zones as z on z.distributor_id = c.distributor_id
  where c.day >= z.first_day
  group by c.distributor_id, c.day, z.zone;
end
$$;

-- Aggregating ----------------------------------------------------------------------

-- One run of the aggregator: recount every distributor's days from the
-- watermark minus `recount_window` (and from `recount_since`, when given, for
-- a backfill), replace the rows that changed, delete the days that no longer
-- have any activity, and move the watermark to the time the run started
-- counting. Runs one at a time (a transaction-level advisory lock: a second
-- run waits, then recounts what the first left), so it must run in READ
-- COMMITTED, where each statement sees what committed before it. Plans are
-- made for each run's arguments (a first run reads everything, later ones a
-- few days). Answers a summary of the run.
create function private.aggregate_analytics(
  recount_since date default null,
  recount_window interval default interval '2 days'
)
returns jsonb
language plpgsql
volatile
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
declare
  started timestamptz := clock_timestamp();
  counting_from timestamptz;
  previous timestamptz;
  recount_from timestamptz;
  retimed uuid[];
  summary jsonb;
begin
  if recount_window is null or recount_window < interval '0' then
    raise exception 'recount_window must be zero or more, not %', coalesce(recount_window::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  if current_setting('transaction_isolation') <> 'read committed' then
    raise exception 'the analytics aggregator must run in a READ COMMITTED transaction'
      using errcode = 'invalid_transaction_state',
            hint = 'it waits for a concurrent run and then must see what that run committed';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('maxpulse.aggregate_analytics', 0));

  counting_from := clock_timestamp();
  select s.rolled_up_until into previous from private.analytics_rollup_state as s;
  -- A day given as --since starts no earlier than 10:00 UTC the day before (UTC+14).
  recount_from := least(
    coalesce(previous - recount_window, '-infinity'),
    (recount_since - 1)::timestamp at time zone 'UTC'
  );

  -- Distributors whose days were counted in another time zone (or never):
  -- all their days are recounted.
  select coalesce(array_agg(p.user_id), '{}') into retimed
  from public.distributor_profiles as p
  left join private.analytics_rollup_zones as z on z.distributor_id = p.user_id
  where z.timezone is distinct from private.valid_timezone(p.timezone);

  summary := private.replace_analytics_days(recount_from, counting_from, retimed);

  insert into private.analytics_rollup_state as s (
    id, rolled_up_until, last_run_recounted_from, last_run_seconds
  )
  values (
    true, counting_from, recount_from,
    extract(epoch from clock_timestamp() - started)::double precision
  )
  on conflict (id) do update
  set rolled_up_until = excluded.rolled_up_until,
      last_run_recounted_from = excluded.last_run_recounted_from,
      last_run_seconds = excluded.last_run_seconds;

  return summary || jsonb_build_object(
    'recounted_from', recount_from,
    'rolled_up_until', counting_from,
    'previously_rolled_up_until', previous,
    'seconds', round(extract(epoch from clock_timestamp() - started)::numeric, 3)
  );
end
$$;

-- The writing half of a run, one statement: recount the days from
-- `recount_from` (all days of the `retimed` distributors), upsert the rows
-- whose numbers changed, delete rows of recounted days that have no
-- activity any more, and record each distributor's time zone.
create function private.replace_analytics_days(
  recount_from timestamptz, counted_until timestamptz, retimed uuid[]
)
returns jsonb
language sql
volatile
set search_path = ''
as $$
  with scope as (
    select p.user_id as distributor_id, private.valid_timezone(p.timezone) as zone,
      p.user_id = any (retimed) as is_retimed
    from public.distributor_profiles as p
  ),
  fresh as (
    select f.*
    from private.count_analytics_days(
      array(select s.distributor_id from scope as s where not s.is_retimed), recount_from, counted_until
    ) as f
    union all
    select f.*
    from private.count_analytics_days(retimed, '-infinity', counted_until) as f
  ),
  removed as (
    delete from public.distributor_daily_stats as r
    using scope as s
    where r.distributor_id = s.distributor_id
      and (s.is_retimed or r.day >= (recount_from at time zone s.zone)::date)
      and not exists (
        select from fresh as f where f.distributor_id = r.distributor_id and f.day = r.day
      )
    returning r.distributor_id
  ),
  written as (
    insert into public.distributor_daily_stats as r (
      distributor_id, day, link_clicks, unique_link_clicks, bot_link_clicks,
      assessments_started, assessments_completed, new_clients, paid_orders, ai_analyses,
      tracking_events, analytics_events, sales, commissions, refunds, commission_reversals,
      link_clicks_by_link, unique_clicks_by_link, counted_at
    )
    select
      f.distributor_id, f.day, f.link_clicks, f.unique_link_clicks, f.bot_link_clicks,
      f.assessments_started, f.assessments_completed, f.new_clients, f.paid_orders, f.ai_analyses,
      f.tracking_events, f.analytics_events, f.sales, f.commissions, f.refunds,
      f.commission_reversals, f.link_clicks_by_link, f.unique_clicks_by_link, now()
    from fresh as f
    on conflict (distributor_id, day) do update
    set link_clicks = excluded.link_clicks,
        unique_link_clicks = excluded.unique_link_clicks,
        bot_link_clicks = excluded.bot_link_clicks,
        assessments_started = excluded.assessments_started,
        assessments_completed = excluded.assessments_completed,
        new_clients = excluded.new_clients,
        paid_orders = excluded.paid_orders,
        ai_analyses = excluded.ai_analyses,
        tracking_events = excluded.tracking_events,
        analytics_events = excluded.analytics_events,
        sales = excluded.sales,
        commissions = excluded.commissions,
        refunds = excluded.refunds,
        commission_reversals = excluded.commission_reversals,
        link_clicks_by_link = excluded.link_clicks_by_link,
        unique_clicks_by_link = excluded.unique_clicks_by_link,
        counted_at = excluded.counted_at
    where (
      r.link_clicks, r.unique_link_clicks, r.bot_link_clicks, r.assessments_started,
      r.assessments_completed, r.new_clients, r.paid_orders, r.ai_analyses, r.tracking_events,
      r.analytics_events, r.sales, r.commissions, r.refunds, r.commission_reversals,
      r.link_clicks_by_link, r.unique_clicks_by_link
    ) is distinct from (
      excluded.link_clicks, excluded.unique_link_clicks, excluded.bot_link_clicks,
      excluded.assessments_started, excluded.assessments_completed, excluded.new_clients,
      excluded.paid_orders, excluded.ai_analyses, excluded.tracking_events,
      excluded.analytics_events, excluded.sales, excluded.commissions, excluded.refunds,
      excluded.commission_reversals, excluded.link_clicks_by_link, excluded.unique_clicks_by_link
    )
    returning r.distributor_id
  ),
  zoned as (
    insert into private.analytics_rollup_zones as z (distributor_id, timezone)
    select s.distributor_id, s.zone from scope as s
    on conflict (distributor_id) do update
    set timezone = excluded.timezone
    where z.timezone is distinct from excluded.timezone
    returning z.distributor_id
  )
  select jsonb_build_object(
    'distributors', (select count(*) from scope),
    'retimed_distributors', cardinality(retimed),
    'days_counted', (select count(*) from fresh),
    'days_written', (select count(*) from written),
    'days_removed', (select count(*) from removed),
    'zones_recorded', (select count(*) from zoned)
  )
$$;

-- Functions are created executable by PUBLIC: keep only the explicit grants.
revoke execute on all functions in schema private from public;
grant execute on function private.valid_timezone(text) to authenticated, service_role;
grant execute on function private.ai_analysis_times(uuid[], timestamptz, timestamptz) to authenticated, service_role;
grant execute on function private.count_analytics_days(uuid[], timestamptz, timestamptz, boolean)
  to authenticated, service_role;
grant execute on function private.aggregate_analytics(date, interval) to service_role;
grant execute on function private.replace_analytics_days(timestamptz, timestamptz, uuid[])
  to service_role;
