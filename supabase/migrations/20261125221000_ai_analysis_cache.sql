-- The ai-analysis function's pattern cache, its single-flight leases, and the
-- record of what the LLM cost.
--
-- A cached analysis belongs to a pattern, never to a person: the assessment
-- type, the age floored to the decade and each metric rounded to the nearest
-- even number, plus a key version that changes with the prompt, the model and
-- the output schema. input_hash is the SHA-256 of key version and pattern, so
-- one row per key is the existing unique constraint on input_hash.
--
-- Everything here is written only by the function, as service_role, through
-- the functions in `private` at the end of this file; admins read the tables
-- through the API.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

-- The checks are on the new columns themselves: every existing row holds
-- nulls there, which they accept without a scan worth the name.
alter table public.ai_analysis_results
  add column key_version text
    constraint ai_analysis_results_key_version_format_check check (key_version ~ '^[0-9a-f]{16}$'),
  add column pattern jsonb
    constraint ai_analysis_results_pattern_object_check check (jsonb_typeof(pattern) = 'object');
comment on column public.ai_analysis_results.key_version is
  'Hash of prompt, model and output schema the analysis was made with; null for rows written before keys had versions (never served).';
comment on column public.ai_analysis_results.pattern is
  'The pattern the analysis answers (type, age decade, even-rounded metrics): no personal data.';
comment on column public.ai_analysis_results.hit_count is
  'Requests answered from this row, counted by the function in batches every few seconds.';

-- One row per LLM call, successful or not: what it cost.
create table public.ai_analysis_generations (
  id uuid primary key,
  input_hash text not null,
  key_version text not null,
  model text not null,
  outcome text not null,
  prompt_tokens integer,
  completion_tokens integer,
  cost_usd numeric(14, 8),
  duration_ms integer not null,
  created_at timestamptz not null default now(),
  constraint ai_analysis_generations_outcome_check check (
    outcome in ('stored', 'refused', 'invalid_output', 'timeout', 'upstream_error')
  ),
  constraint ai_analysis_generations_input_hash_format_check check (input_hash ~ '^[0-9a-f]{64}$'),
  constraint ai_analysis_generations_key_version_format_check check (key_version ~ '^[0-9a-f]{16}$'),
  constraint ai_analysis_generations_model_length_check check (char_length(model) between 1 and 200),
  constraint ai_analysis_generations_tokens_check
    check (prompt_tokens >= 0 and completion_tokens >= 0),
  constraint ai_analysis_generations_cost_check check (cost_usd >= 0),
  constraint ai_analysis_generations_duration_check check (duration_ms >= 0)
);
alter table public.ai_analysis_generations enable row level security;
comment on table public.ai_analysis_generations is
  'Every LLM call of the ai-analysis function: model, tokens and estimated cost (USD, from its price table).';
comment on column public.ai_analysis_generations.cost_usd is
  'Estimated from the function''s price table; null when the model has no price there or the tokens are unknown.';

create index ai_analysis_generations_created_at_idx on public.ai_analysis_generations (created_at);

-- Requests per UTC day and outcome: answered from the cache ('hit'), by a new
-- LLM call ('miss') or by the rule-based analyzer ('rules').
create table public.ai_analysis_usage (
  day date not null,
  outcome text not null,
  requests bigint not null,
  primary key (day, outcome),
  constraint ai_analysis_usage_outcome_check check (outcome in ('hit', 'miss', 'rules')),
  constraint ai_analysis_usage_requests_check check (requests >= 0)
);
alter table public.ai_analysis_usage enable row level security;
comment on table public.ai_analysis_usage is
  'ai-analysis requests per UTC day: hit (from the pattern cache), miss (a new LLM call), rules (the rule-based analyzer).';

-- Private state ------------------------------------------------------------------

-- Who is generating the analysis of a key right now, across processes. A
-- claim expires (a holder that died frees its key); a failed generation keeps
-- the key "failed" for a short while, so its waiters and the next requests
-- answer by rules at once instead of calling the LLM again and again.
create table private.ai_analysis_leases (
  input_hash text primary key,
  state text not null,
  held_until timestamptz not null,
  constraint ai_analysis_leases_state_check check (state in ('generating', 'failed'))
);

-- Batches of usage counts already applied: a flush that is retried after an
-- unclear failure counts nothing twice.
create table private.ai_analysis_usage_batches (
  id uuid primary key,
  applied_at timestamptz not null default now()
);

-- Policies ---------------------------------------------------------------------

revoke all on public.ai_analysis_generations, public.ai_analysis_usage from anon;
revoke insert, update, delete on public.ai_analysis_generations, public.ai_analysis_usage
  from authenticated;

create policy ai_analysis_generations_select on public.ai_analysis_generations
  for select to authenticated
  using ((select private.is_admin()));

create policy ai_analysis_usage_select on public.ai_analysis_usage
  for select to authenticated
  using ((select private.is_admin()));

grant select, insert, update, delete on private.ai_analysis_leases,
  private.ai_analysis_usage_batches to service_role;

-- The function's statements --------------------------------------------------------
-- Each runs as service_role (`set role`), one statement in a transaction of
-- its own: one round trip, committed before the function answers.

-- The cached analysis of `key` when it is fresh ('hit', with the seconds it
-- stays fresh); else the right to
-- generate it ('claimed', for `lease_seconds`); else 'busy' (another request
-- is generating it: ask again shortly) or 'failed' (its last generation failed
-- moments ago: answer by rules). A claim made just as another holder stored
-- the analysis finds the stored row and answers 'hit' instead.
create function private.claim_ai_analysis(key text, lease_seconds integer)
returns table (status text, analysis jsonb, fresh_seconds double precision)
language plpgsql
volatile
set search_path = ''
set role = service_role
as $$
declare
  lease_state text;
begin
  return query
  select 'hit'::text, r.analysis_data, extract(epoch from r.expires_at - now())::double precision
  from public.ai_analysis_results as r
  where r.input_hash = key and r.expires_at > now();
  if found then
    return;
  end if;

  insert into private.ai_analysis_leases as l (input_hash, state, held_until)
  values (key, 'generating', now() + make_interval(secs => lease_seconds))
  on conflict (input_hash) do update
  set state = excluded.state, held_until = excluded.held_until
  where l.held_until <= now();
  if not found then
    select l.state into lease_state from private.ai_analysis_leases as l where l.input_hash = key;
    return query select case when lease_state = 'failed' then 'failed' else 'busy' end, null::jsonb, null::float8;
    return;
  end if;

  -- A new snapshot: a holder that committed while we waited for its lease row
  -- is visible now.
  return query
  select 'hit'::text, r.analysis_data, extract(epoch from r.expires_at - now())::double precision
  from public.ai_analysis_results as r
  where r.input_hash = key and r.expires_at > now();
  if found then
    delete from private.ai_analysis_leases as l where l.input_hash = key;
    return;
  end if;
  return query select 'claimed'::text, null::jsonb, null::float8;
end
$$;

-- Records one LLM call (idempotent on its id). With an analysis, stores it as
-- the key's cached answer for `ttl_seconds` and frees the key; without one
-- (the call failed), marks the key failed for `failed_seconds`. Rows expired
-- for a day or more are pruned a few at a time.
create function private.record_ai_generation(
  generation jsonb,
  pattern jsonb,
  assessment_type text,
  analysis jsonb,
  ttl_seconds integer,
  failed_seconds integer
)
returns void
language plpgsql
volatile
set search_path = ''
set role = service_role
as $$
declare
  key text := generation ->> 'input_hash';
begin
  insert into public.ai_analysis_generations (
    id, input_hash, key_version, model, outcome, prompt_tokens, completion_tokens, cost_usd,
    duration_ms
  )
  select g.id, g.input_hash, g.key_version, g.model, g.outcome, g.prompt_tokens,
    g.completion_tokens, g.cost_usd, g.duration_ms
  from jsonb_to_record(generation) as g (
    id uuid, input_hash text, key_version text, model text, outcome text, prompt_tokens integer,
    completion_tokens integer, cost_usd numeric, duration_ms integer
  )
  on conflict (id) do nothing;

  if analysis is null then
    insert into private.ai_analysis_leases as l (input_hash, state, held_until)
    values (key, 'failed', now() + make_interval(secs => failed_seconds))
    on conflict (input_hash) do update set state = excluded.state, held_until = excluded.held_until;
    return;
  end if;

  insert into public.ai_analysis_results as r (
    input_hash, key_version, pattern, assessment_type, analysis_data, model, expires_at
  )
  values (
    key, generation ->> 'key_version', pattern, assessment_type, analysis, generation ->> 'model',
    now() + make_interval(secs => ttl_seconds)
  )
  on conflict (input_hash) do update
  set key_version = excluded.key_version,
      pattern = excluded.pattern,
      analysis_data = excluded.analysis_data,
      model = excluded.model,
      expires_at = excluded.expires_at;
  delete from private.ai_analysis_leases as l where l.input_hash = key;

  delete from public.ai_analysis_results as r
  where r.id in (
    select old.id from public.ai_analysis_results as old
    where old.expires_at < now() - interval '1 day'
    limit 100
  );
  delete from private.ai_analysis_leases as l where l.held_until < now() - interval '1 hour';
end
$$;

-- Adds a batch of request counts ({"hit": n, "miss": n, "rules": n}) to
-- today's (UTC) usage and per-key hit counts ({"<input_hash>": n}) to the
-- cached rows, once per batch id.
create function private.record_ai_usage(batch_id uuid, outcomes jsonb, hits jsonb)
returns boolean
language plpgsql
volatile
set search_path = ''
set role = service_role
as $$
begin
  insert into private.ai_analysis_usage_batches (id) values (batch_id) on conflict (id) do nothing;
  if not found then
    return false;
  end if;
  delete from private.ai_analysis_usage_batches as b where b.applied_at < now() - interval '1 day';

  insert into public.ai_analysis_usage as u (day, outcome, requests)
  select (now() at time zone 'utc')::date, o.key, o.value::bigint
  from jsonb_each_text(outcomes) as o
  where o.value::bigint > 0
  on conflict (day, outcome) do update set requests = u.requests + excluded.requests;

  -- Rows are locked in key order: two processes flushing at once never wait
  -- for each other in a cycle.
  update public.ai_analysis_results as r
  set hit_count = r.hit_count + counted.added
  from (
    select locked.id, h.value::integer as added
    from jsonb_each_text(hits) as h
    join public.ai_analysis_results as locked on locked.input_hash = h.key
    order by locked.input_hash
    for update of locked
  ) as counted
  where r.id = counted.id;
  return true;
end
$$;

revoke execute on function private.claim_ai_analysis(text, integer) from public, anon, authenticated;
revoke execute on function private.record_ai_generation(jsonb, jsonb, text, jsonb, integer, integer)
  from public, anon, authenticated;
revoke execute on function private.record_ai_usage(uuid, jsonb, jsonb)
  from public, anon, authenticated;
grant execute on function private.claim_ai_analysis(text, integer) to service_role;
grant execute on function private.record_ai_generation(jsonb, jsonb, text, jsonb, integer, integer)
  to service_role;
grant execute on function private.record_ai_usage(uuid, jsonb, jsonb) to service_role;
