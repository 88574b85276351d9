-- Link tracking: the short links distributors share, every click on them, and
-- the private state behind unique-visitor counting and the event rate limit.
--
-- Distributors manage their own links and read their own clicks with
-- supabase-js (row-level security below). Clicks and assessment events are
-- written only by the link-tracker function, as service_role, through the two
-- functions in `private` at the end of this file.
--
-- No raw IP address is stored anywhere: a click keeps a visitor hash, the
-- SHA-256 of a secret salt that changes every UTC day, the IP and the user
-- agent. Past salts are deleted, so a hash cannot be traced back to an IP later.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

create function private.new_short_code() returns text
language sql
volatile
set search_path = ''
as $$
  select substr(md5(gen_random_uuid()::text), 1, 8)
$$;

create table public.tracked_links (
  id uuid primary key default gen_random_uuid(),
  distributor_id uuid not null default auth.uid() references public.users (id) on delete cascade,
  short_code text not null default private.new_short_code(),
  destination_url text not null,
  label text,
  utm_source text,
  utm_medium text,
  utm_campaign text,
  utm_term text,
  utm_content text,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint tracked_links_short_code_key unique (short_code),
  constraint tracked_links_short_code_format_check
    check (short_code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$'),
  -- the link-tracker's own routes at /functions/v1/link-tracker/<name>
  constraint tracked_links_short_code_reserved_check check (short_code not in ('health', 'events')),
  -- an absolute http(s) URL without spaces or user info (https://trusted@evil.example)
  constraint tracked_links_destination_url_check
    check (destination_url ~ '^https?://[^\s/?#@]+([/?#][^\s]*)?$' and char_length(destination_url) <= 2048),
  constraint tracked_links_label_length_check check (char_length(label) <= 100),
  constraint tracked_links_utm_length_check check (
    char_length(utm_source) <= 200 and char_length(utm_medium) <= 200
    and char_length(utm_campaign) <= 200 and char_length(utm_term) <= 200
    and char_length(utm_content) <= 200
  )
);
alter table public.tracked_links enable row level security;
comment on table public.tracked_links is
  'Short links a distributor shares; /functions/v1/link-tracker/<short_code> redirects to destination_url.';
comment on column public.tracked_links.utm_source is
  'Default UTM values, added to the destination unless the clicked link carries its own.';

create index tracked_links_distributor_id_idx on public.tracked_links (distributor_id);

-- One row per answered click. Every click starts a session of its own, so its
-- session id is its key. distributor_id is the link's, copied when the click
-- is stored, so a distributor reads their clicks without a join.
create table public.link_clicks (
  session_id uuid primary key,
  link_id uuid not null references public.tracked_links (id) on delete cascade,
  distributor_id uuid not null,
  clicked_at timestamptz not null default now(),
  referrer_host text,
  utm_source text,
  utm_medium text,
  utm_campaign text,
  utm_term text,
  utm_content text,
  browser_family text not null,
  os_family text not null,
  device_family text not null,
  is_bot boolean not null default false,
  is_unique boolean not null default false,
  visitor_hash text not null,
  constraint link_clicks_visitor_hash_format_check check (visitor_hash ~ '^[0-9a-f]{64}$'),
  constraint link_clicks_bots_never_unique_check check (not (is_bot and is_unique)),
  constraint link_clicks_referrer_host_length_check check (char_length(referrer_host) <= 255),
  constraint link_clicks_family_length_check check (
    char_length(browser_family) <= 50 and char_length(os_family) <= 50
    and char_length(device_family) <= 50
  ),
  constraint link_clicks_utm_length_check check (
    char_length(utm_source) <= 200 and char_length(utm_medium) <= 200
    and char_length(utm_campaign) <= 200 and char_length(utm_term) <= 200
    and char_length(utm_content) <= 200
  )
);
alter table public.link_clicks enable row level security;
comment on table public.link_clicks is
  'Every click the link-tracker answered with a redirect. Bots (and HEAD requests) have is_bot and are left out of counts.';
comment on column public.link_clicks.is_unique is
  'The first human click of this visitor on this link within an hour.';
comment on column public.link_clicks.visitor_hash is
  'SHA-256 of the day''s secret salt, the IP and the user agent; the IP itself is never stored.';

create index link_clicks_link_id_clicked_at_idx on public.link_clicks (link_id, clicked_at desc);
create index link_clicks_distributor_id_clicked_at_idx on public.link_clicks (distributor_id, clicked_at desc);

-- Counts per link without bots, under the caller's row-level security.
create view public.tracked_link_stats
with (security_invoker = true)
as
  select
    l.id as link_id,
    l.distributor_id,
    l.short_code,
    count(c.session_id) filter (where not c.is_bot) as clicks,
    count(c.session_id) filter (where c.is_unique) as unique_clicks,
    count(c.session_id) filter (where c.is_bot) as bot_clicks,
    max(c.clicked_at) filter (where not c.is_bot) as last_clicked_at
  from public.tracked_links as l
  left join public.link_clicks as c on c.link_id = l.id
  group by l.id;
comment on view public.tracked_link_stats is
  'Clicks, unique clicks and bot clicks per link; shows only the links the caller may read.';

-- Private state, never exposed through the API ---------------------------------

-- When a visitor last counted as unique on a link. A click is unique when
-- there is no row, or the row is an hour old or more. Rows older than an hour
-- decide nothing and are pruned when the salt rotates.
create table private.link_visitors (
  link_id uuid not null references public.tracked_links (id) on delete cascade,
  visitor_hash text not null,
  counted_at timestamptz not null,
  primary key (link_id, visitor_hash)
);

create table private.link_visitor_salts (
  day date primary key,
  salt bytea not null,
  constraint link_visitor_salts_length_check check (octet_length(salt) = 32)
);

-- Fixed one-minute windows of assessment events per session.
create table private.assessment_event_rates (
  session_id uuid primary key references public.assessment_sessions (id) on delete cascade,
  window_start timestamptz not null,
  event_count integer not null,
  constraint assessment_event_rates_count_check check (event_count >= 1)
);

-- Policies ---------------------------------------------------------------------

revoke all on public.tracked_links, public.link_clicks, public.tracked_link_stats from anon;
revoke insert, update, delete on public.link_clicks from authenticated;
grant select on public.tracked_link_stats to authenticated, service_role;

create policy tracked_links_select_own on public.tracked_links
  for select to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy tracked_links_insert_own on public.tracked_links
  for insert to authenticated
  with check (
    (distributor_id = (select auth.uid()) and (select private.is_distributor()))
    or (select private.is_admin())
  );

create policy tracked_links_update_own on public.tracked_links
  for update to authenticated
  using (
    (distributor_id = (select auth.uid()) and (select private.is_distributor()))
    or (select private.is_admin())
  )
  with check (
    (distributor_id = (select auth.uid()) and (select private.is_distributor()))
    or (select private.is_admin())
  );

create policy tracked_links_delete_own on public.tracked_links
  for delete to authenticated
  using (
    (distributor_id = (select auth.uid()) and (select private.is_distributor()))
    or (select private.is_admin())
  );

create policy link_clicks_select_own on public.link_clicks
  for select to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

grant select, insert, update, delete on private.link_visitors, private.link_visitor_salts,
  private.assessment_event_rates to service_role;

-- Triggers ---------------------------------------------------------------------

create trigger tracked_links_set_updated_at
  before update on public.tracked_links
  for each row execute function private.set_updated_at();

-- A shared link keeps its code and owner; only admins and service_role move them.
create trigger tracked_links_protect_columns
  before update on public.tracked_links
  for each row execute function private.protect_columns('distributor_id', 'short_code', 'created_at');

create trigger tracked_links_check_distributor
  before insert or update of distributor_id on public.tracked_links
  for each row execute function private.check_user_role_reference('distributor_id', 'distributor');

-- The link-tracker's statements --------------------------------------------------
-- Each runs as service_role whoever calls it (`set role`), so the function
-- calls it as one statement in a transaction of its own: one round trip, and
-- committed before the function answers.

-- Today's (UTC) visitor salt, made on first use. Older salts and visitor rows
-- are deleted here: once a day is over its hashes can no longer be recomputed.
create function private.current_link_visitor_salt() returns bytea
language plpgsql
volatile
set search_path = ''
set role = service_role
as $$
declare
  today date := (now() at time zone 'utc')::date;
  today_salt bytea;
begin
  insert into private.link_visitor_salts (day, salt)
  values (today, decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'))
  on conflict (day) do nothing;
  if found then
    delete from private.link_visitor_salts where day < today;
    delete from private.link_visitors where counted_at < now() - interval '1 hour';
  end if;
  select s.salt into today_salt from private.link_visitor_salts as s where s.day = today;
  return today_salt;
end
$$;

-- Stores a batch of clicks (a JSON array of objects, one per request) in one
-- statement, and answers once per code of the batch: 'stored', 'unknown' (no
-- such code) or 'inactive', with the link's destination and UTM values for
-- the redirects. Uniqueness is decided here so that concurrent batches agree:
-- the first human click of a visitor on a link in an hour inserts or
-- refreshes its link_visitors row; an existing fresh row is neither changed
-- nor locked. Storing is idempotent on session_id: a retried batch adds nothing.
create function private.record_link_clicks(clicks json)
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
      l.utm_source, l.utm_medium, l.utm_campaign, l.utm_term, l.utm_content
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
    join links as l on l.code = b.code and l.is_active
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
    case when l.id is null then 'unknown' when not l.is_active then 'inactive' else 'stored' end,
    l.destination_url, l.utm_source, l.utm_medium, l.utm_campaign, l.utm_term, l.utm_content
  from links as l;
end
$$;

-- Records one assessment event of a session and answers 'tracked' (with the
-- new row's id), 'unknown_session' or 'rate_limited'. The distributor comes
-- from the session, never from the caller. The session of a link click starts
-- with its first event: the row is made from the click (human clicks only).
create function private.track_assessment_event(
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
    insert into public.assessment_sessions (id, distributor_id, referral_code, source, started_at)
    select c.session_id, c.distributor_id, l.short_code, 'link', c.clicked_at
    from public.link_clicks as c
    join public.tracked_links as l on l.id = c.link_id
    where c.session_id = event_session_id and not c.is_bot
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

revoke execute on function private.new_short_code() from public;
revoke execute on function private.current_link_visitor_salt() from public, anon, authenticated;
revoke execute on function private.record_link_clicks(json) from public, anon, authenticated;
revoke execute on function private.track_assessment_event(uuid, text, jsonb, timestamptz, integer)
  from public, anon, authenticated;
grant execute on function private.new_short_code() to authenticated, service_role;
grant execute on function private.current_link_visitor_salt() to service_role;
grant execute on function private.record_link_clicks(json) to service_role;
grant execute on function private.track_assessment_event(uuid, text, jsonb, timestamptz, integer)
  to service_role;
