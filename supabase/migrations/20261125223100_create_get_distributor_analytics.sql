-- supabase.rpc('get_distributor_analytics', {distributor_id, period_days}):
-- one JSON document with a distributor's totals, a per-day series, the
-- funnel from clicks to orders and their top links, over the last
-- `period_days` local days (today included).
--
-- Closed days come from distributor_daily_stats as the aggregator's last
-- run left them; from the day of that run on (normally just today) the raw
-- rows are counted, so the document is current up to the request. SECURITY
-- INVOKER: everything is read under the caller's row-level security.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

-- {"USD": 1.50} + {"USD": 2.00, "EUR": 3} = {"EUR": 3, "USD": 3.50}
create function private.add_up_maps(maps jsonb[]) returns jsonb
language sql
immutable
set search_path = ''
as $$
  select case cardinality(maps)
    when 0 then '{}'::jsonb
    when 1 then maps[1]
    else (
      select coalesce(jsonb_object_agg(e.key, e.total), '{}'::jsonb)
      from (
        select m.key, sum(m.value::numeric) as total
        from unnest(maps) as map
        cross join lateral jsonb_each_text(map) as m
        group by m.key
      ) as e
    )
  end
$$;

-- part / whole, to four places; 0 when the whole is 0.
create function private.ratio(part numeric, whole numeric) returns numeric
language sql
immutable
set search_path = ''
as $$
  select case when coalesce(whole, 0) = 0 then 0 else round(part / whole, 4) end
$$;

-- The document for one distributor and its days [first_day, last_day]: what
-- happened before `live_from` as distributor_daily_stats has it, what
-- happened since counted from the raw rows (a day can have a part of each).
-- Without a usable rollup (`live_from` null) everything is counted from the
-- raw rows. json, not jsonb: the document keeps its keys in the order below.
create function private.analytics_document(
  target uuid,
  zone text,
  first_day date,
  last_day date,
  live_from timestamptz
)
returns json
language plpgsql
stable
set search_path = ''
as $$
begin
  return (
    with days as (
      select r.day, r.link_clicks, r.unique_link_clicks, r.bot_link_clicks, r.assessments_started,
        r.assessments_completed, r.new_clients, r.paid_orders, r.ai_analyses, r.tracking_events,
        r.analytics_events, r.sales, r.commissions, r.refunds, r.commission_reversals,
        r.link_clicks_by_link, r.unique_clicks_by_link
      from public.distributor_daily_stats as r
      where live_from is not null
        and r.distributor_id = target and r.day between first_day and last_day
      union all
      select c.day, c.link_clicks, c.unique_link_clicks, c.bot_link_clicks, c.assessments_started,
        c.assessments_completed, c.new_clients, c.paid_orders, c.ai_analyses, c.tracking_events,
        c.analytics_events, c.sales, c.commissions, c.refunds, c.commission_reversals,
        c.link_clicks_by_link, c.unique_clicks_by_link
      from private.count_analytics_days(
        array[target],
        coalesce(live_from, (first_day - 1)::timestamp at time zone zone),
        whole_days => live_from is null
      ) as c
      where c.day between first_day and last_day
    ),
    -- one row per day of the period, and one (day null) for the whole period
    counted as (
      select calendar.day::date as day,
        coalesce(sum(d.link_clicks), 0) as link_clicks,
        coalesce(sum(d.unique_link_clicks), 0) as unique_link_clicks,
        coalesce(sum(d.bot_link_clicks), 0) as bot_link_clicks,
        coalesce(sum(d.assessments_started), 0) as assessments_started,
        coalesce(sum(d.assessments_completed), 0) as assessments_completed,
        coalesce(sum(d.new_clients), 0) as new_clients,
        coalesce(sum(d.paid_orders), 0) as paid_orders,
        coalesce(sum(d.ai_analyses), 0) as ai_analyses,
        -- a day's maps are its row's, unless it has two parts (today) or it is the whole
        -- period: then they add up
        case when count(d.day) > 1 then private.add_up_maps(array_agg(d.sales))
          else coalesce((array_agg(d.sales) filter (where d.day is not null))[1], '{}') end
          as sales,
        case when count(d.day) > 1 then private.add_up_maps(array_agg(d.commissions))
          else coalesce((array_agg(d.commissions) filter (where d.day is not null))[1], '{}') end
          as commissions,
        case when count(d.day) > 1 then private.add_up_maps(array_agg(d.refunds))
          else coalesce((array_agg(d.refunds) filter (where d.day is not null))[1], '{}') end
          as refunds,
        case when count(d.day) > 1 then private.add_up_maps(array_agg(d.commission_reversals))
          else coalesce((array_agg(d.commission_reversals) filter (where d.day is not null))[1], '{}') end
          as commission_reversals,
        case when count(d.day) > 1 then private.add_up_maps(array_agg(d.tracking_events))
          else coalesce((array_agg(d.tracking_events) filter (where d.day is not null))[1], '{}') end
          as tracking_events,
        case when count(d.day) > 1 then private.add_up_maps(array_agg(d.analytics_events))
          else coalesce((array_agg(d.analytics_events) filter (where d.day is not null))[1], '{}') end
          as analytics_events,
        -- clicks per link: for the top links of the whole period only
        case when grouping(calendar.day) = 1 then private.add_up_maps(array_agg(d.link_clicks_by_link))
          end as link_clicks_by_link,
        case when grouping(calendar.day) = 1 then private.add_up_maps(array_agg(d.unique_clicks_by_link))
          end as unique_clicks_by_link
      from generate_series(first_day, last_day, interval '1 day') as calendar (day)
      left join days as d on d.day = calendar.day::date
      group by grouping sets ((calendar.day), ())
    ),
    documented as (
      select c.day, c.link_clicks_by_link, c.unique_clicks_by_link,
        jsonb_build_object(
          'link_clicks', c.link_clicks,
          'unique_link_clicks', c.unique_link_clicks,
          'bot_link_clicks', c.bot_link_clicks,
          'assessments_started', c.assessments_started,
          'assessments_completed', c.assessments_completed,
          'new_clients', c.new_clients,
          'paid_orders', c.paid_orders,
          'ai_analyses', c.ai_analyses,
          'sales', c.sales,
          'commissions', c.commissions,
          'refunds', c.refunds,
          'commission_reversals', c.commission_reversals,
          'tracking_events', c.tracking_events,
          'analytics_events', c.analytics_events
        ) as counters,
        c.link_clicks as clicks, c.assessments_started as started,
        c.assessments_completed as completed, c.paid_orders as ordered
      from counted as c
    ),
    top_links as (
      select coalesce(
        json_agg(
          json_build_object(
            'link_id', t.link_id, 'short_code', t.short_code, 'label', t.label,
            'clicks', t.clicks, 'unique_clicks', t.unique_clicks
          )
          order by t.clicks desc, t.short_code
        ),
        '[]'::json
      ) as links
      from (
        select l.id as link_id, l.short_code, l.label, clicks.value::integer as clicks,
          coalesce((total.unique_clicks_by_link ->> clicks.key)::integer, 0) as unique_clicks
        from documented as total
        cross join lateral jsonb_each_text(total.link_clicks_by_link) as clicks
        join public.tracked_links as l on l.id = clicks.key::uuid
        where total.day is null
        order by clicks.value::integer desc, l.short_code
        limit 5
      ) as t
    )
    select json_build_object(
      'distributor_id', target,
      'timezone', zone,
      'period_days', last_day - first_day + 1,
      'from', first_day,
      'to', last_day,
      'rolled_up_until', live_from,
      'totals', total.counters,
      'funnel', json_build_object(
        'clicks', total.clicks,
        'started', total.started,
        'completed', total.completed,
        'ordered', total.ordered,
        'click_to_start', private.ratio(total.started, total.clicks),
        'start_to_completion', private.ratio(total.completed, total.started),
        'completion_to_order', private.ratio(total.ordered, total.completed),
        'click_to_order', private.ratio(total.ordered, total.clicks)
      ),
      'daily', (
        select jsonb_agg(jsonb_build_object('day', d.day) || d.counters order by d.day)
        from documented as d
        where d.day is not null
      ),
      'top_links', top_links.links
    )
    from documented as total, top_links
    where total.day is null
  );
end
$$;

-- The RPC. The caller's own numbers (distributor_id defaults to the caller),
-- or anybody's for admins and service_role; another distributor's id is an
-- error (42501, HTTP 403 through PostgREST), never an empty document.
-- Generic plans: made once per connection, they serve every distributor and
-- period alike, so a request is not planned again.
create function public.get_distributor_analytics(
  distributor_id uuid default null,
  period_days integer default 30
)
returns json
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  target uuid := coalesce(get_distributor_analytics.distributor_id, (select auth.uid()));
  zone text;
  live_from timestamptz;
  today date;
begin
  if period_days is null or period_days not between 1 and 365 then
    raise exception 'period_days must be between 1 and 365, not %', coalesce(period_days::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  if target is null then
    raise exception 'distributor_id is required when the caller is not a signed-in user'
      using errcode = 'invalid_parameter_value';
  end if;
  if target is distinct from (select auth.uid()) and not (select private.is_privileged()) then
    raise exception 'you may read only your own analytics, not those of distributor %', target
      using errcode = 'insufficient_privilege';
  end if;
  select private.valid_timezone(p.timezone) into zone
  from public.distributor_profiles as p
  where p.user_id = target;
  if not found then
    raise exception 'no distributor has the id %', target using errcode = 'invalid_parameter_value';
  end if;
  -- The rollups hold everything before the last run's watermark, if that run
  -- counted this distributor's days in the time zone they have now.
  select s.rolled_up_until into live_from
  from private.analytics_rollup_state as s
  join private.analytics_rollup_zones as z on z.distributor_id = target and z.timezone = zone;

  today := (now() at time zone zone)::date;
  return private.analytics_document(target, zone, today - (period_days - 1), today, live_from);
end
$$;

revoke execute on all functions in schema private from public;
revoke execute on function public.get_distributor_analytics(uuid, integer) from public, anon;
grant execute on function private.add_up_maps(jsonb[]) to authenticated, service_role;
grant execute on function private.ratio(numeric, numeric) to authenticated, service_role;
grant execute on function private.analytics_document(uuid, text, date, date, timestamptz)
  to authenticated, service_role;
grant execute on function public.get_distributor_analytics(uuid, integer) to authenticated, service_role;
