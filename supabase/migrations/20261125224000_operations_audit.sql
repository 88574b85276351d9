-- Operations: an append-only audit of flag changes and of the kill switch, and
-- the SQL functions `maxpulse flags set` and `maxpulse rollback [--undo]` call,
-- so each operation and its audit row commit together or not at all.
--
-- The functions live in `private` (not exposed by PostgREST, executable by no
-- API role): operators call them over a direct database connection. Frontends
-- keep reading the flags with the anon key through feature_flag_map().

set local lock_timeout = '10s';
set local statement_timeout = '5min';

create table public.operations_audit (
  id uuid primary key default gen_random_uuid(),
  action text not null,
  actor text not null,
  reason text,
  previous_flags jsonb not null default '{}'::jsonb,
  new_flags jsonb not null default '{}'::jsonb,
  undoes uuid unique references public.operations_audit (id),
  created_at timestamptz not null default now(),
  constraint operations_audit_action_check check (action in ('flag_set', 'rollback', 'rollback_undo')),
  constraint operations_audit_actor_length_check check (char_length(actor) between 1 and 200),
  constraint operations_audit_reason_length_check check (char_length(reason) <= 1000),
  constraint operations_audit_flags_object_check
    check (jsonb_typeof(previous_flags) = 'object' and jsonb_typeof(new_flags) = 'object'),
  -- an undo names the rollback it undoes, and (unique) each rollback is undone once
  constraint operations_audit_undo_reference_check check ((action = 'rollback_undo') = (undoes is not null))
);
alter table public.operations_audit enable row level security;
comment on table public.operations_audit is
  'Who changed which feature flags, when and why, with their values before and after. Append-only.';

create index operations_audit_created_at_idx on public.operations_audit (created_at desc);

create function private.refuse_audit_change() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'operations_audit is append-only: % is not allowed', lower(tg_op)
    using errcode = 'object_not_in_prerequisite_state';
end
$$;

create trigger operations_audit_refuse_update_delete
  before update or delete on public.operations_audit
  for each row execute function private.refuse_audit_change();

create trigger operations_audit_refuse_truncate
  before truncate on public.operations_audit
  for each statement execute function private.refuse_audit_change();

-- Admins read the audit through the API; nobody writes it but the functions below.
create policy operations_audit_select on public.operations_audit
  for select to authenticated
  using ((select private.is_admin()));

-- The flags as one object, {"name": enabled, ...}, read under a lock that keeps
-- concurrent operations from interleaving (each waits for the other's commit).
create function private.locked_feature_flags() returns jsonb
language sql
volatile
set search_path = ''
as $$
  select coalesce(jsonb_object_agg(locked.name, locked.enabled), '{}'::jsonb)
  from (select f.name, f.enabled from public.feature_flags as f order by f.name for update) as locked
$$;

-- maxpulse flags set NAME on|off: one flag, audited. Returns the audit row.
create function private.set_feature_flag(
  flag_name text, enable boolean, actor text, reason text default null
) returns public.operations_audit
language plpgsql
set search_path = ''
as $$
declare
  previous boolean;
  entry public.operations_audit;
begin
  select f.enabled into previous from public.feature_flags as f where f.name = flag_name for update;
  if not found then
    raise exception 'there is no feature flag named "%"', flag_name
      using errcode = 'no_data_found', hint = 'maxpulse flags list shows the flags';
  end if;
  update public.feature_flags set enabled = enable where name = flag_name and enabled is distinct from enable;
  insert into public.operations_audit (action, actor, reason, previous_flags, new_flags)
  values ('flag_set', actor, reason, jsonb_build_object(flag_name, previous), jsonb_build_object(flag_name, enable))
  returning * into entry;
  return entry;
end
$$;

-- maxpulse rollback: every flag off in one transaction, the previous values kept
-- in the audit row so that an undo can restore them. Returns the audit row.
create function private.kill_switch(actor text, reason text default null)
returns public.operations_audit
language plpgsql
set search_path = ''
as $$
declare
  previous jsonb := private.locked_feature_flags();
  entry public.operations_audit;
begin
  update public.feature_flags set enabled = false where enabled;
  insert into public.operations_audit (action, actor, reason, previous_flags, new_flags)
  values ('rollback', actor, reason, previous, private.locked_feature_flags())
  returning * into entry;
  return entry;
end
$$;

-- maxpulse rollback --undo: the flags of the latest rollback not yet undone, as
-- they were before it (flags deleted since are skipped). Returns the undo's audit
-- row, or NULL when there is nothing to undo.
create function private.undo_kill_switch(actor text, reason text default null)
returns public.operations_audit
language plpgsql
set search_path = ''
as $$
declare
  current_flags jsonb := private.locked_feature_flags();
  last_rollback public.operations_audit;
  entry public.operations_audit;
begin
  select a.* into last_rollback
  from public.operations_audit as a
  where a.action = 'rollback'
    and not exists (select from public.operations_audit as u where u.undoes = a.id)
  order by a.created_at desc, a.id desc
  limit 1;
  if not found then
    return null;
  end if;
  update public.feature_flags as f
  set enabled = (last_rollback.previous_flags ->> f.name)::boolean
  where last_rollback.previous_flags ? f.name
    and f.enabled is distinct from (last_rollback.previous_flags ->> f.name)::boolean;
  insert into public.operations_audit (action, actor, reason, previous_flags, new_flags, undoes)
  values ('rollback_undo', actor, reason, current_flags, private.locked_feature_flags(), last_rollback.id)
  returning * into entry;
  return entry;
end
$$;

-- Functions are created executable by PUBLIC: keep only the explicit grants.
-- (Trigger functions need no EXECUTE grant to fire.)
revoke execute on all functions in schema private from public;
