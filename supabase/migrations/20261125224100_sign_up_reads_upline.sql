-- Sign-up learns the sponsor: a new distributor's raw_app_meta_data may name
-- the distributor code of their upline (`upline_code`), so `maxpulse users
-- create --upline CODE` (and the Auth admin API on a hosted project) creates the
-- user and places them under the sponsor in the same transaction. An unknown
-- code, or an upline for someone who is not a distributor, fails the sign-up.
-- Everything else is as in 20261125000100.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

create or replace function private.handle_new_auth_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  app_meta jsonb := coalesce(new.raw_app_meta_data, '{}'::jsonb);
  user_meta jsonb := coalesce(new.raw_user_meta_data, '{}'::jsonb);
  requested_role text := coalesce(nullif(app_meta ->> 'role', ''), 'participant');
  upline_code text := upper(nullif(app_meta ->> 'upline_code', ''));
  sponsor_id uuid;
begin
  if requested_role not in ('participant', 'distributor', 'trainer', 'admin') then
    raise exception 'unknown role "%" in raw_app_meta_data of auth user %', requested_role, new.id
      using errcode = 'check_violation';
  end if;
  if upline_code is not null and requested_role <> 'distributor' then
    raise exception 'only a distributor has an upline, not a %', requested_role
      using errcode = 'check_violation';
  end if;
  if upline_code is not null then
    select d.user_id into sponsor_id from public.distributor_profiles as d where d.distributor_code = upline_code;
    if sponsor_id is null then
      raise exception 'no distributor has the code "%"', upline_code
        using errcode = 'foreign_key_violation';
    end if;
  end if;

  insert into public.users (id, email, role, last_login, created_at)
  values (new.id, lower(new.email), requested_role, new.last_sign_in_at, coalesce(new.created_at, now()));

  insert into public.user_profiles (user_id, first_name, last_name, avatar_url)
  values (
    new.id,
    left(nullif(user_meta ->> 'first_name', ''), 100),
    left(nullif(user_meta ->> 'last_name', ''), 100),
    nullif(user_meta ->> 'avatar_url', '')
  );

  if requested_role = 'distributor' and (nullif(app_meta ->> 'distributor_code', '') is not null or sponsor_id is not null) then
    update public.distributor_profiles
    set distributor_code = coalesce(upper(nullif(app_meta ->> 'distributor_code', '')), distributor_code),
        upline_id = sponsor_id
    where user_id = new.id;
  end if;
  return new;
end
$$;

revoke execute on all functions in schema private from public;
