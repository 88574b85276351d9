-- Sessions started by bots (headless browsers of end-to-end tests, crawlers,
-- scripts) may report assessment events like any other session; their
-- sessions and events are flagged is_bot and left out of the dashboards'
-- numbers unless a caller asks for them.
--
-- Until now the first event of a session started by a bot's click answered
-- 'unknown_session' (404), so every Playwright or Puppeteer suite
-- (HeadlessChrome) failed at its first event. Bot clicks still never count
-- as clicks (tracked_link_stats leaves them out, as before).

set local lock_timeout = '10s';
set local statement_timeout = '5min';

alter table public.assessment_sessions add column is_bot boolean not null default false;
comment on column public.assessment_sessions.is_bot is
  'Started by a bot''s click (headless browser, crawler, script): left out of dashboards unless asked for.';

alter table public.assessment_tracking add column is_bot boolean not null default false;
comment on column public.assessment_tracking.is_bot is
  'The session''s is_bot, copied when the event is stored.';

-- BEFORE INSERT on assessment_tracking: an event takes its distributor and
-- its bot flag from its session, never from the writer.
create function private.copy_session_to_tracking() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select s.distributor_id, s.is_bot into new.distributor_id, new.is_bot
  from public.assessment_sessions as s
  where s.id = new.session_id;
  new.is_bot := coalesce(new.is_bot, false);
  return new;
end
$$;

drop trigger assessment_tracking_set_distributor on public.assessment_tracking;
create trigger assessment_tracking_copy_session
  before insert on public.assessment_tracking
  for each row execute function private.copy_session_to_tracking();
-- A trigger function in the unexposed schema private: no client calls it.
-- squawk-ignore ban-drop-function
drop function private.set_tracking_distributor();

-- BEFORE INSERT on assessment_sessions: only the link-tracker (service_role)
-- and admins mark a session as a bot; a participant cannot hide their own
-- session from their distributor's dashboard.
create function private.refuse_bot_flag() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.is_bot and not private.is_privileged() then
    raise exception 'only an administrator can mark %.is_bot', tg_table_name
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end
$$;

create trigger assessment_sessions_refuse_bot_flag
  before insert on public.assessment_sessions
  for each row execute function private.refuse_bot_flag();

-- ... and later changes of the flag are guarded like the session's other
-- attribution columns.
drop trigger assessment_sessions_protect_columns on public.assessment_sessions;
create trigger assessment_sessions_protect_columns
  before update on public.assessment_sessions
  for each row execute function private.protect_columns(
    'participant_id', 'distributor_id', 'referral_code', 'assessment_id', 'started_at',
    'created_at', 'is_bot'
  );

-- As in 20261125001000, except that the session of any stored click starts
-- with its first event, a bot's too, carrying the click's is_bot.
create or replace function private.track_assessment_event(
  event_session_id uuid,
  event_type text,
  event_data jsonb,
  occurred_at timestamptz,
  max_events_per_minute integer
)
returns table (outcome text, tracking_id uuid)
language plpgsql
volatile
set search_path = ''
set role = service_role
as $$
declare
  events_this_minute integer;
  new_tracking_id uuid;
begin
  if not exists (select 1 from public.assessment_sessions as s where s.id = event_session_id) then
    insert into public.assessment_sessions (
      id, distributor_id, referral_code, source, started_at, is_bot
    )
    select c.session_id, c.distributor_id, l.short_code, 'link', c.clicked_at, c.is_bot
    from public.link_clicks as c
    join public.tracked_links as l on l.id = c.link_id
    where c.session_id = event_session_id
    on conflict (id) do nothing;
    if not exists (select 1 from public.assessment_sessions as s where s.id = event_session_id) then
      return query select 'unknown_session'::text, null::uuid;
      return;
    end if;
  end if;

  insert into private.assessment_event_rates as r (session_id, window_start, event_count)
  values (event_session_id, date_trunc('minute', now()), 1)
  on conflict (session_id) do update
  set event_count = case when r.window_start = excluded.window_start then r.event_count + 1 else 1 end,
      window_start = excluded.window_start
  returning r.event_count into events_this_minute;
  if events_this_minute > max_events_per_minute then
    return query select 'rate_limited'::text, null::uuid;
    return;
  end if;

  insert into public.assessment_tracking (session_id, event_type, event_data, "timestamp")
  values (event_session_id, event_type, event_data, coalesce(occurred_at, now()))
  returning id into new_tracking_id;
  return query select 'tracked'::text, new_tracking_id;
end
$$;

-- The dashboards' RPCs leave bots out unless asked: include_bots => true.
-- A new parameter is a new signature: the old ones go, so that PostgREST
-- finds one function per name. Every call the old ones took (named
-- arguments, each with a default) the new ones take too.
-- squawk-ignore ban-drop-function
drop function public.assessment_funnel(timestamptz, timestamptz, uuid);
create function public.assessment_funnel(
  since timestamptz default now() - interval '30 days',
  until timestamptz default now(),
  distributor_id uuid default null,
  include_bots boolean default false
) returns table (event_type text, event_count bigint, session_count bigint)
language sql
stable
set search_path = ''
as $$
  select t.event_type, count(*), count(distinct t.session_id)
  from public.assessment_tracking as t
  where t.distributor_id = coalesce(assessment_funnel.distributor_id, (select auth.uid()))
    and t."timestamp" >= since and t."timestamp" < until
    and (include_bots or not t.is_bot)
  group by t.event_type
  order by count(distinct t.session_id) desc, t.event_type
$$;

-- squawk-ignore ban-drop-function
drop function public.distributor_dashboard(timestamptz);
create function public.distributor_dashboard(
  since timestamptz default now() - interval '30 days',
  include_bots boolean default false
)
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
      and (include_bots or not s.is_bot)
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

revoke execute on function public.assessment_funnel(timestamptz, timestamptz, uuid, boolean)
  from public, anon;
revoke execute on function public.distributor_dashboard(timestamptz, boolean) from public, anon;
grant execute on function public.assessment_funnel(timestamptz, timestamptz, uuid, boolean)
  to authenticated, service_role;
grant execute on function public.distributor_dashboard(timestamptz, boolean)
  to authenticated, service_role;
revoke execute on function private.copy_session_to_tracking(), private.refuse_bot_flag()
  from public;
