-- private.record_link_clicks checked a link's destination once per click of
-- the batch: DISTINCT ON keeps one row per code only after every joined row's
-- select list, private.is_http_url included, has been computed. That check
-- (a PL/pgSQL function, about 15 us) is now made once per link of the batch,
-- after DISTINCT ON; answers and stored rows are unchanged.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

create or replace function private.record_link_clicks(clicks json)
returns table (
  code text,
  outcome text,
  destination_url text,
  utm_source text,
  utm_medium text,
  utm_campaign text,
  utm_term text,
  utm_content text
)
language plpgsql
volatile
set search_path = ''
set role = service_role
as $$
begin
  return query
  with batch as (
    select *
    from rows from (
      json_to_recordset(clicks) as (
        code text, session_id uuid, visitor_hash text, referrer_host text,
        utm_source text, utm_medium text, utm_campaign text, utm_term text, utm_content text,
        browser_family text, os_family text, device_family text, is_bot boolean
      )
    ) with ordinality as b (
      code, session_id, visitor_hash, referrer_host,
      utm_source, utm_medium, utm_campaign, utm_term, utm_content,
      browser_family, os_family, device_family, is_bot, ord
    )
  ),
  links as (
    select d.*, private.is_http_url(d.destination_url) as has_valid_destination
    from (
      select distinct on (b.code) b.code, l.id, l.distributor_id, l.is_active, l.destination_url,
        l.utm_source, l.utm_medium, l.utm_campaign, l.utm_term, l.utm_content
      from batch as b
      left join public.tracked_links as l on l.short_code = b.code
    ) as d
  ),
  clicked as (
    select b.*, l.id as link_id, l.distributor_id,
      coalesce(b.utm_source, l.utm_source) as link_utm_source,
      coalesce(b.utm_medium, l.utm_medium) as link_utm_medium,
      coalesce(b.utm_campaign, l.utm_campaign) as link_utm_campaign,
      coalesce(b.utm_term, l.utm_term) as link_utm_term,
      coalesce(b.utm_content, l.utm_content) as link_utm_content
    from batch as b
    join links as l on l.code = b.code and l.is_active and l.has_valid_destination
  ),
  candidates as (
    select distinct on (c.link_id, c.visitor_hash) c.link_id, c.visitor_hash, c.ord
    from clicked as c
    where not c.is_bot
    order by c.link_id, c.visitor_hash, c.ord
  ),
  first_visits as (
    insert into private.link_visitors as v (link_id, visitor_hash, counted_at)
    select c.link_id, c.visitor_hash, now() from candidates as c
    on conflict (link_id, visitor_hash) do nothing
    returning v.link_id, v.visitor_hash
  ),
  returning_visits as (
    update private.link_visitors as v
    set counted_at = now()
    from candidates as c
    where v.link_id = c.link_id and v.visitor_hash = c.visitor_hash
      and v.counted_at <= now() - interval '1 hour'
    returning v.link_id, v.visitor_hash
  ),
  counted as (
    select c.ord
    from candidates as c
    join (select * from first_visits union all select * from returning_visits) as u
      on u.link_id = c.link_id and u.visitor_hash = c.visitor_hash
  ),
  stored as (
    insert into public.link_clicks (
      link_id, distributor_id, session_id, referrer_host,
      utm_source, utm_medium, utm_campaign, utm_term, utm_content,
      browser_family, os_family, device_family, is_bot, is_unique, visitor_hash
    )
    select
      c.link_id, c.distributor_id, c.session_id, c.referrer_host,
      c.link_utm_source, c.link_utm_medium, c.link_utm_campaign, c.link_utm_term,
      c.link_utm_content, c.browser_family, c.os_family, c.device_family, c.is_bot,
      u.ord is not null, c.visitor_hash
    from clicked as c
    left join counted as u on u.ord = c.ord
    on conflict (session_id) do nothing
  )
  select
    l.code,
    case
      when l.id is null then 'unknown'
      when not l.is_active then 'inactive'
      when not l.has_valid_destination then 'invalid_destination'
      else 'stored'
    end,
    l.destination_url, l.utm_source, l.utm_medium, l.utm_campaign, l.utm_term, l.utm_content
  from links as l;
end
$$;
