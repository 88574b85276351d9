-- Link destinations must be real absolute http(s) URLs, wherever they are
-- written from (supabase-js, the dashboard, SQL), and a click is stored only
-- for a redirect that is sent.
--
-- The first check accepted `https://[x`: a URL no parser can read, so every
-- click on such a link was stored and then answered 500. private.is_http_url
-- says what a destination must be: scheme http or https; a host of letters,
-- digits, '-', '_' and dots (internationalised names in their xn-- form), or
-- an IPv6 address in brackets; an optional port up to 65535; no user info,
-- no white space or control characters; at most 2048 characters. Every URL
-- the first check accepted and a browser can open passes.
--
-- The constraint is added NOT VALID: rows written from now on are checked,
-- rows already there are not (a hosted project may hold one). Such a row can
-- be changed only together with a valid destination, and
-- private.record_link_clicks answers 'invalid_destination' for it without
-- storing the click.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

-- An IPv6 address as written between the brackets of a URL (no zone, no prefix length).
create function private.is_ipv6_address(address text) returns boolean
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
  return address ~ '^[0-9A-Fa-f:.]+$' and family(address::inet) = 6;
exception
  when invalid_text_representation then
    return false;
end
$$;

create function private.is_http_url(url text) returns boolean
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  parts text[];
  host text;
  port text;
begin
  if url is null or char_length(url) > 2048 or url ~ '[[:space:][:cntrl:]]' then
    return false;
  end if;
  -- scheme :// authority [path, query or fragment]
  parts := regexp_match(url, '^[Hh][Tt][Tt][Pp][Ss]?://([^/?#]*)([/?#].*)?$');
  if parts is null then
    return false;
  end if;
  -- authority = host [: port]; no user info (https://trusted.example@evil.example)
  parts := regexp_match(parts[1], '^(\[[^\]]*\]|[^:@\[\]]*)(:[0-9]{1,5})?$');
  if parts is null then
    return false;
  end if;
  host := parts[1];
  port := substr(parts[2], 2);
  if port is not null and port::integer > 65535 then
    return false;
  end if;
  if host ~ '^\[' then
    return private.is_ipv6_address(substr(host, 2, char_length(host) - 2));
  end if;
  return char_length(host) <= 254
    and host ~ '^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$';
end
$$;

comment on function private.is_http_url(text) is
  'Whether a link destination is an absolute http(s) URL a redirect can be built from.';

-- The check runs as whoever writes the row (a distributor through supabase-js).
revoke execute on function private.is_http_url(text), private.is_ipv6_address(text) from public;
grant execute on function private.is_http_url(text), private.is_ipv6_address(text)
  to authenticated, service_role;

alter table public.tracked_links
  add constraint tracked_links_destination_url_http_check
  check (private.is_http_url(destination_url)) not valid;

-- As in 20261125001000, plus: clicks on a link whose destination is not a
-- valid URL (a row older than the constraint) are not stored, and the link
-- answers 'invalid_destination'.
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
    select distinct on (b.code) b.code, l.id, l.distributor_id, l.is_active, l.destination_url,
      l.utm_source, l.utm_medium, l.utm_campaign, l.utm_term, l.utm_content,
      private.is_http_url(l.destination_url) as has_valid_destination
    from batch as b
    left join public.tracked_links as l on l.short_code = b.code
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
