-- A refund is counted in its order's currency. A refund event may name no
-- currency (the commission processor's events: {"type": "refund", "orderId",
-- "amount"}); order_refunds.currency then stays null, and the refund is in its
-- order's currency, as its ledger entry is (a refund naming another currency
-- is refused, never applied). The rollups took order_refunds.currency as it
-- was, and one applied refund without it made every later run of the
-- aggregator, and get_distributor_analytics, fail ("field name must not be
-- null"). Every applied refund has its order (order_refunds_settled_check).

set local lock_timeout = '10s';
set local statement_timeout = '5min';

-- The counters of each local day of the given distributors, counted from
-- the raw rows that happened in [since, until). With `whole_days`, counting
-- starts instead at the beginning of the local day `since` falls on, so each
-- row returned is a whole day (up to `until`). Runs with the caller's
-- row-level security: the aggregator sees everything, a distributor their own
-- rows. Days without any activity have no row.
--
-- A day is the distributor's local calendar day (23 or 25 hours long when
-- their clocks change). What counts, and when (people only: bots' clicks
-- apart, bots' sessions and everything of theirs nowhere):
--   link clicks       link_clicks.clicked_at; bots apart, never human or unique
--   assessments       assessment_sessions.started_at, and completed_at for
--                     completions; not bots' sessions (is_bot)
--   tracking events   assessment_tracking."timestamp", per event_type; not bots' (is_bot)
--   analytics events  analytics_events.occurred_at with the distributor's id, per event_type
--   new clients       clients.created_at
--   orders, sales     orders paid (refunded later or not), on paid_at; total_amount per currency
--   refunds           order_refunds applied, on settled_at; amount per currency (the order's)
--   commissions       commissions.earned_at (reversed later or not); amount per currency
--   reversals         commission_reversals.created_at; amount per currency
-- Money is counted when it moves, so a refund weeks later lands on its own
-- (recent) day instead of changing a closed one.
--   AI analyses       ai_analysis_results.created_at of the distributor's
--                     sessions; not of bots' sessions
--
-- The same statement reads one distributor's last minutes for the RPC and
-- every distributor's days for the aggregator: its callers choose the plan
-- (the RPC a cached generic one, the aggregator one made for its arguments).
create or replace function private.count_analytics_days(
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
    where s.distributor_id = any (distributor_ids) and not s.is_bot
      and s.started_at >= scan_from and s.started_at < until
    group by 1, 2
    union all
    select z.distributor_id, (s.completed_at at time zone z.zone)::date,
      'assessments_completed', null, count(*)
    from public.assessment_sessions as s
    join zones as z on z.distributor_id = s.distributor_id
    where s.distributor_id = any (distributor_ids) and not s.is_bot
      and s.completed_at >= scan_from and s.completed_at < until
    group by 1, 2
    union all
    select z.distributor_id, (t."timestamp" at time zone z.zone)::date,
      'tracking_events', t.event_type, count(*)
    from public.assessment_tracking as t
    join zones as z on z.distributor_id = t.distributor_id
    where t.distributor_id = any (distributor_ids) and not t.is_bot
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
      'refunds', o.currency, sum(r.amount)
    from public.order_refunds as r
    join public.orders as o on o.id = r.order_id
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

comment on column public.order_refunds.currency is
  'The currency the refund event named, if any; a refund is always in its order''s currency '
  '(one naming another is refused).';
comment on column public.distributor_daily_stats.refunds is
  'Refunds applied that day to the distributor''s orders, per currency (the order''s); '
  'net sales are sales minus refunds.';
