-- User management: one `users` row per auth.users row, personal profiles,
-- distributor profiles, and the private helpers that the policies and guard
-- triggers of every later migration call.
--
-- Every table is created with row-level security switched on: until the
-- policies of 20261125000700 exist, nobody but the owner and service_role can
-- read or write it, instead of everybody.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

-- Helpers live in a schema that PostgREST does not expose: they can be called
-- from policies and triggers, never as an RPC endpoint.
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to anon, authenticated, service_role;

-- TRUNCATE, TRIGGER and REFERENCES are not subject to row-level security; the
-- API roles never need them.
alter default privileges in schema public revoke truncate, trigger, references on tables from anon, authenticated;

-- Shared trigger functions ----------------------------------------------------

create function private.set_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

create table public.users (
  id uuid primary key references auth.users (id) on delete cascade,
  email text unique,
  role text not null default 'participant',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_login timestamptz,
  is_active boolean not null default true,
  constraint users_role_check check (role in ('participant', 'distributor', 'trainer', 'admin')),
  constraint users_email_lowercase_check check (email = lower(email))
);
alter table public.users enable row level security;
comment on table public.users is
  'One row per auth.users row, created by trigger. role decides what row-level security allows.';

create table public.user_profiles (
  user_id uuid primary key references public.users (id) on delete cascade,
  first_name text,
  last_name text,
  phone text,
  avatar_url text,
  bio text,
  preferences jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint user_profiles_preferences_object_check check (jsonb_typeof(preferences) = 'object'),
  constraint user_profiles_first_name_length_check check (char_length(first_name) <= 100),
  constraint user_profiles_last_name_length_check check (char_length(last_name) <= 100),
  constraint user_profiles_phone_length_check check (char_length(phone) <= 32)
);
alter table public.user_profiles enable row level security;

create table public.distributor_profiles (
  user_id uuid primary key references public.users (id) on delete cascade,
  distributor_code text not null unique,
  display_name text,
  commission_rate numeric(5, 2) not null default 25.00,
  tier_level integer not null default 1,
  total_sales numeric(12, 2) not null default 0,
  total_commissions numeric(12, 2) not null default 0,
  currency text not null default 'USD',
  status text not null default 'active',
  upline_id uuid references public.distributor_profiles (user_id) on delete set null,
  timezone text not null default 'UTC',
  joined_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint distributor_profiles_code_format_check
    check (distributor_code ~ '^[A-Z0-9][A-Z0-9-]{3,31}$'),
  constraint distributor_profiles_commission_rate_check
    check (commission_rate >= 0 and commission_rate <= 100),
  constraint distributor_profiles_tier_level_check check (tier_level >= 1),
  constraint distributor_profiles_totals_check check (total_sales >= 0 and total_commissions >= 0),
  constraint distributor_profiles_currency_check check (currency ~ '^[A-Z]{3}$'),
  constraint distributor_profiles_status_check check (status in ('active', 'inactive', 'suspended')),
  constraint distributor_profiles_upline_not_self_check check (upline_id <> user_id),
  constraint distributor_profiles_timezone_length_check check (char_length(timezone) between 1 and 64)
);
alter table public.distributor_profiles enable row level security;
comment on column public.distributor_profiles.upline_id is
  'The sponsoring distributor (users.id); the chain upwards never loops.';

-- Role helpers ----------------------------------------------------------------
-- SECURITY DEFINER so that a policy asking "is the caller an admin?" reads
-- public.users without going through the policies of public.users again.
-- Policies call them as (select private.is_admin()), evaluated once per statement.

create function private.current_user_role() returns text
language sql
stable
security definer
set search_path = ''
as $$
  select u.role
  from public.users as u
  where u.id = (select auth.uid()) and u.is_active
$$;

create function private.has_role(required_role text) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.users as u
    where u.id = (select auth.uid()) and u.is_active and u.role = required_role
  )
$$;

create function private.is_admin() returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select private.has_role('admin')
$$;

create function private.is_distributor() returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select private.has_role('distributor')
$$;

create function private.is_trainer() returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select private.has_role('trainer')
$$;

-- Not SECURITY DEFINER on purpose: current_user must be the caller's role.
-- Owners, service_role and SECURITY DEFINER code count as privileged.
create function private.is_privileged() returns boolean
language sql
stable
set search_path = ''
as $$
  select current_user not in ('anon', 'authenticated') or private.is_admin()
$$;

grant execute on function
  private.current_user_role(),
  private.has_role(text),
  private.is_admin(),
  private.is_distributor(),
  private.is_trainer(),
  private.is_privileged()
to anon, authenticated, service_role;

-- Guard triggers ----------------------------------------------------------------

-- BEFORE UPDATE: the columns named in the trigger arguments may change only
-- for privileged callers (admins, service_role, the owner). This is what keeps
-- a user from raising their own role or commission rate.
create function private.protect_columns() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  old_row jsonb := to_jsonb(old);
  new_row jsonb := to_jsonb(new);
  protected_column text;
begin
  foreach protected_column in array tg_argv loop
    if (new_row -> protected_column) is distinct from (old_row -> protected_column)
       and not private.is_privileged() then
      raise exception 'only an administrator can change %.%', tg_table_name, protected_column
        using errcode = 'insufficient_privilege';
    end if;
  end loop;
  return new;
end
$$;

-- BEFORE INSERT OR UPDATE: the user referenced by column tg_argv[0] must hold
-- one of the roles tg_argv[1..]; e.g. every distributor_id names a distributor.
create function private.check_user_role_reference() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  referenced_id uuid := (to_jsonb(new) ->> tg_argv[0])::uuid;
  allowed_roles text[] := tg_argv[1:];
  referenced_role text;
begin
  if referenced_id is null then
    return new;
  end if;
  if tg_op = 'UPDATE' and referenced_id is not distinct from (to_jsonb(old) ->> tg_argv[0])::uuid then
    return new;
  end if;
  select u.role into referenced_role from public.users as u where u.id = referenced_id;
  if referenced_role is null or not referenced_role = any (allowed_roles) then
    raise exception '%.% must reference a user with role %', tg_table_name, tg_argv[0],
      array_to_string(allowed_roles, ' or ')
      using errcode = 'foreign_key_violation';
  end if;
  return new;
end
$$;

-- Sign-up ---------------------------------------------------------------------

create function private.new_distributor_code() returns text
language sql
volatile
set search_path = ''
as $$
  select 'MP' || upper(substr(md5(gen_random_uuid()::text), 1, 10))
$$;

-- AFTER INSERT OR UPDATE OF role on users: every distributor has a profile.
create function private.ensure_distributor_profile() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.distributor_profiles (user_id, distributor_code)
  values (new.id, private.new_distributor_code())
  on conflict (user_id) do nothing;
  return null;
end
$$;

-- AFTER INSERT on auth.users. The role comes from raw_app_meta_data, which
-- only the service role can write; raw_user_meta_data is the user's own input
-- and is trusted for names only.
create function private.handle_new_auth_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  app_meta jsonb := coalesce(new.raw_app_meta_data, '{}'::jsonb);
  user_meta jsonb := coalesce(new.raw_user_meta_data, '{}'::jsonb);
  requested_role text := coalesce(nullif(app_meta ->> 'role', ''), 'participant');
begin
  if requested_role not in ('participant', 'distributor', 'trainer', 'admin') then
    raise exception 'unknown role "%" in raw_app_meta_data of auth user %', requested_role, new.id
      using errcode = 'check_violation';
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

  if requested_role = 'distributor' and nullif(app_meta ->> 'distributor_code', '') is not null then
    update public.distributor_profiles
    set distributor_code = upper(app_meta ->> 'distributor_code')
    where user_id = new.id;
  end if;
  return new;
end
$$;

-- AFTER UPDATE on auth.users: keep the copied email and last sign-in current.
create function private.handle_updated_auth_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.users
  set email = lower(new.email), last_login = new.last_sign_in_at
  where id = new.id
    and (email is distinct from lower(new.email) or last_login is distinct from new.last_sign_in_at);
  return new;
end
$$;

-- BEFORE INSERT OR UPDATE OF upline_id: the sponsor chain never loops, so
-- walking it upwards (commissions per level) always ends.
create function private.check_upline_chain() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.upline_id is not null and exists (
    with recursive chain (user_id) as (
      select new.upline_id
      union
      select d.upline_id
      from public.distributor_profiles as d
      join chain on d.user_id = chain.user_id
      where d.upline_id is not null
    )
    select 1 from chain where chain.user_id = new.user_id
  ) then
    raise exception 'distributor % cannot be in their own upline', new.user_id
      using errcode = 'check_violation';
  end if;
  return new;
end
$$;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.handle_new_auth_user();

create trigger on_auth_user_updated
  after update of email, last_sign_in_at on auth.users
  for each row execute function private.handle_updated_auth_user();

create trigger users_set_updated_at
  before update on public.users
  for each row execute function private.set_updated_at();

create trigger users_protect_columns
  before update on public.users
  for each row execute function private.protect_columns('id', 'role', 'is_active', 'email');

create trigger users_ensure_distributor_profile
  after insert or update of role on public.users
  for each row when (new.role = 'distributor')
  execute function private.ensure_distributor_profile();

create trigger user_profiles_set_updated_at
  before update on public.user_profiles
  for each row execute function private.set_updated_at();

create trigger user_profiles_protect_columns
  before update on public.user_profiles
  for each row execute function private.protect_columns('user_id');

create trigger distributor_profiles_set_updated_at
  before update on public.distributor_profiles
  for each row execute function private.set_updated_at();

create trigger distributor_profiles_protect_columns
  before update on public.distributor_profiles
  for each row execute function private.protect_columns(
    'user_id', 'distributor_code', 'commission_rate', 'tier_level', 'total_sales',
    'total_commissions', 'currency', 'status', 'upline_id', 'joined_at'
  );

create trigger distributor_profiles_check_user_role
  before insert on public.distributor_profiles
  for each row execute function private.check_user_role_reference('user_id', 'distributor');

create trigger distributor_profiles_check_upline_chain
  before insert or update of upline_id on public.distributor_profiles
  for each row execute function private.check_upline_chain();

-- Functions are created executable by PUBLIC: keep only the explicit grants.
-- (Trigger functions need no EXECUTE grant to fire.)
revoke execute on all functions in schema private from public;
