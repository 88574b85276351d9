-- Analytics: product events (streamed to dashboards through Realtime),
-- performance metrics, the cache of AI analyses, feature flags, and the RPC
-- functions the dashboards call with supabase.rpc(...).

set local lock_timeout = '10s';
set local statement_timeout = '5min';

create table public.analytics_events (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references public.users (id) on delete set null,
  distributor_id uuid references public.users (id) on delete set null,
  session_id uuid references public.assessment_sessions (id) on delete set null,
  event_type text not null,
  properties jsonb not null default '{}'::jsonb,
  occurred_at timestamptz not null default now(),
  constraint analytics_events_event_type_format_check check (event_type ~ '^[a-z][a-z0-9_.]{1,63}$'),
  constraint analytics_events_properties_object_check check (jsonb_typeof(properties) = 'object')
);
alter table public.analytics_events enable row level security;

create table public.performance_metrics (
  id uuid primary key default gen_random_uuid(),
  component_name text not null,
  metric_type text not null,
  metric_value double precision not null,
  unit text,
  tags jsonb not null default '{}'::jsonb,
  user_id uuid default auth.uid() references public.users (id) on delete set null,
  recorded_at timestamptz not null default now(),
  constraint performance_metrics_component_length_check check (char_length(component_name) between 1 and 100),
  constraint performance_metrics_type_length_check check (char_length(metric_type) between 1 and 100),
  constraint performance_metrics_value_finite_check
    check (metric_value <> 'NaN'::double precision and metric_value not in ('Infinity', '-Infinity')),
  constraint performance_metrics_tags_object_check check (jsonb_typeof(tags) = 'object')
);
alter table public.performance_metrics enable row level security;

-- The ai-analysis function's cache, keyed by a hash of its input. Written by
-- service_role; only admins read it through the API.
create table public.ai_analysis_results (
  id uuid primary key default gen_random_uuid(),
  input_hash text not null unique,
  assessment_type text not null,
  analysis_data jsonb not null,
  model text,
  session_id uuid references public.assessment_sessions (id) on delete set null,
  hit_count integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  expires_at timestamptz not null default (now() + interval '7 days'),
  constraint ai_analysis_results_input_hash_length_check check (char_length(input_hash) between 16 and 128),
  constraint ai_analysis_results_type_format_check check (assessment_type ~ '^[a-z][a-z0-9_]{1,63}$'),
  constraint ai_analysis_results_data_object_check check (jsonb_typeof(analysis_data) = 'object'),
  constraint ai_analysis_results_hit_count_check check (hit_count >= 0),
  constraint ai_analysis_results_expiry_check check (expires_at > created_at)
);
alter table public.ai_analysis_results enable row level security;

create table public.feature_flags (
  name text primary key,
  enabled boolean not null default false,
  description text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  updated_by uuid references public.users (id) on delete set null,
  constraint feature_flags_name_format_check check (name ~ '^[a-z][a-z0-9_]{1,63}$')
);
alter table public.feature_flags enable row level security;
comment on table public.feature_flags is 'Switches the frontends read at start-up; anon may read them.';

insert into public.feature_flags (name, enabled, description) values
  ('use_supabase', true, 'Frontends read and write data through Supabase instead of the legacy API.'),
  ('ai_edge_function', false, 'Assessment analysis is answered by the ai-analysis function.'),
  ('analytics_backend', false, 'Analytics events go to analytics_events and the analytics-aggregator.'),
  ('realtime_backend', false, 'Dashboards update live through Supabase Realtime subscriptions.')
on conflict (name) do nothing;

-- BEFORE UPDATE on feature_flags: remember who flipped the flag last.
create function private.stamp_feature_flag_change() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  new.updated_by := (select auth.uid());
  return new;
end
$$;

create trigger analytics_events_check_distributor
  before insert on public.analytics_events
  for each row execute function private.check_user_role_reference('distributor_id', 'distributor');

create trigger ai_analysis_results_set_updated_at
  before update on public.ai_analysis_results
  for each row execute function private.set_updated_at();

create trigger feature_flags_stamp_change
  before update on public.feature_flags
  for each row execute function private.stamp_feature_flag_change();

alter publication supabase_realtime add table public.analytics_events;

-- RPC functions ---------------------------------------------------------------
-- SECURITY INVOKER: they run with the caller's row-level security, so they can
-- never show more than the tables would.

-- supabase.rpc('feature_flag_map') -> {"use_supabase": true, ...}
create function public.feature_flag_map() returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(jsonb_object_agg(f.name, f.enabled order by f.name), '{}'::jsonb)
  from public.feature_flags as f
$$;

-- supabase.rpc('assessment_funnel', {since, until, distributor_id}): events and
-- distinct sessions per event type for one distributor's referrals (default:
-- the caller's). Row-level security still applies: a distributor asking for
-- another's funnel gets nothing; admins may ask for anyone's. The explicit
-- filter lets the (distributor_id, timestamp) index answer.
create function public.assessment_funnel(
  since timestamptz default now() - interval '30 days',
  until timestamptz default now(),
  distributor_id uuid default null
) returns table (event_type text, event_count bigint, session_count bigint)
language sql
stable
set search_path = ''
as $$
  select t.event_type, count(*), count(distinct t.session_id)
  from public.assessment_tracking as t
  where t.distributor_id = coalesce(assessment_funnel.distributor_id, (select auth.uid()))
    and t."timestamp" >= since and t."timestamp" < until
  group by t.event_type
  order by count(distinct t.session_id) desc, t.event_type
$$;

-- supabase.rpc('distributor_dashboard', {since}): the calling distributor's
-- referrals, conversion, paid sales per currency and commissions per status
-- and currency since a point in time.
create function public.distributor_dashboard(since timestamptz default now() - interval '30 days')
returns jsonb
language sql
stable
set search_path = ''
as $$
  with me as (
    select (select auth.uid()) as id
  ),
  sessions as (
    select
      count(*) as started,
      count(*) filter (where s.status = 'completed') as completed
    from public.assessment_sessions as s, me
    where s.distributor_id = me.id and s.started_at >= since
  ),
  sales as (
    select
      coalesce(jsonb_object_agg(per_currency.currency, per_currency.total), '{}'::jsonb) as by_currency,
      coalesce(sum(per_currency.orders), 0)::bigint as orders
    from (
      select o.currency, sum(o.total_amount) as total, count(*) as orders
      from public.orders as o, me
      where o.distributor_id = me.id and o.status in ('paid', 'fulfilled') and o.paid_at >= since
      group by o.currency
    ) as per_currency
  ),
  earnings as (
    select coalesce(jsonb_object_agg(per_status.status, per_status.by_currency), '{}'::jsonb) as by_status
    from (
      select per_currency.status, jsonb_object_agg(per_currency.currency, per_currency.total) as by_currency
      from (
        select c.status, c.currency, sum(c.amount) as total
        from public.commissions as c, me
        where c.distributor_id = me.id and c.earned_at >= since
        group by c.status, c.currency
      ) as per_currency
      group by per_currency.status
    ) as per_status
  )
  select jsonb_build_object(
    'since', since,
    'sessions_started', sessions.started,
    'sessions_completed', sessions.completed,
    'completion_rate', case when sessions.started = 0 then 0
                            else round(sessions.completed::numeric / sessions.started, 4) end,
    'paid_orders', sales.orders,
    'sales', sales.by_currency,
    'commissions', earnings.by_status
  )
  from sessions, sales, earnings
$$;

revoke execute on function public.assessment_funnel(timestamptz, timestamptz, uuid) from public, anon;
revoke execute on function public.distributor_dashboard(timestamptz) from public, anon;
grant execute on function public.feature_flag_map() to anon, authenticated, service_role;
grant execute on function public.assessment_funnel(timestamptz, timestamptz, uuid) to authenticated, service_role;
grant execute on function public.distributor_dashboard(timestamptz) to authenticated, service_role;

-- Functions are created executable by PUBLIC: keep only the explicit grants.
-- (Trigger functions need no EXECUTE grant to fire.)
revoke execute on all functions in schema private from public;
