-- Assessment system: assessment definitions, the sessions in which people take
-- them (who, referred by which distributor), their answers and results, and the
-- event stream (assessment_tracking) behind the distributors' live dashboards.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

create table public.assessments (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique,
  title text not null,
  description text,
  assessment_type text not null,
  version integer not null default 1,
  questions jsonb not null default '[]'::jsonb,
  estimated_minutes integer,
  is_active boolean not null default true,
  created_by uuid references public.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint assessments_slug_format_check check (slug ~ '^[a-z0-9][a-z0-9-]{1,63}$'),
  constraint assessments_type_format_check check (assessment_type ~ '^[a-z][a-z0-9_]{1,63}$'),
  constraint assessments_version_check check (version >= 1),
  constraint assessments_questions_array_check check (jsonb_typeof(questions) = 'array'),
  constraint assessments_estimated_minutes_check check (estimated_minutes > 0)
);
alter table public.assessments enable row level security;

-- A session exists before anyone signs up: the link tracker creates it (as
-- service_role) from the stored click on the session's first assessment event,
-- so participant_id starts empty and is filled in when the visitor gets an account.
create table public.assessment_sessions (
  id uuid primary key default gen_random_uuid(),
  assessment_id uuid references public.assessments (id) on delete restrict,
  participant_id uuid references public.users (id) on delete set null,
  distributor_id uuid references public.users (id) on delete set null,
  referral_code text,
  source text not null default 'direct',
  status text not null default 'started',
  progress_percent numeric(5, 2) not null default 0,
  metadata jsonb not null default '{}'::jsonb,
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint assessment_sessions_status_check
    check (status in ('started', 'in_progress', 'completed', 'abandoned')),
  constraint assessment_sessions_completed_at_check
    check ((status = 'completed') = (completed_at is not null)),
  constraint assessment_sessions_completed_after_start_check check (completed_at >= started_at),
  constraint assessment_sessions_progress_check check (progress_percent between 0 and 100),
  constraint assessment_sessions_source_format_check check (source ~ '^[a-z][a-z0-9_]{1,31}$'),
  constraint assessment_sessions_metadata_object_check check (jsonb_typeof(metadata) = 'object')
);
alter table public.assessment_sessions enable row level security;
comment on column public.assessment_sessions.distributor_id is
  'The referring distributor (users.id); decides who sees the session on a dashboard.';

create table public.assessment_responses (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null references public.assessment_sessions (id) on delete cascade,
  question_id text not null,
  answer jsonb not null,
  answered_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint assessment_responses_one_answer_per_question unique (session_id, question_id),
  constraint assessment_responses_question_id_length_check check (char_length(question_id) between 1 and 100)
);
alter table public.assessment_responses enable row level security;

-- Written by the analysis service (service_role) or an admin, read by the
-- participant and the referring distributor.
create table public.assessment_results (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null unique references public.assessment_sessions (id) on delete cascade,
  assessment_type text not null,
  score numeric(6, 2),
  category text,
  summary text,
  result_data jsonb not null default '{}'::jsonb,
  recommendations jsonb not null default '[]'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint assessment_results_type_format_check check (assessment_type ~ '^[a-z][a-z0-9_]{1,63}$'),
  constraint assessment_results_score_check check (score >= 0),
  constraint assessment_results_data_object_check check (jsonb_typeof(result_data) = 'object'),
  constraint assessment_results_recommendations_array_check
    check (jsonb_typeof(recommendations) = 'array')
);
alter table public.assessment_results enable row level security;

-- The event stream of the dashboards (postgres_changes). distributor_id is
-- always the session's referring distributor, copied by trigger.
create table public.assessment_tracking (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null references public.assessment_sessions (id) on delete cascade,
  distributor_id uuid references public.users (id) on delete set null,
  event_type text not null,
  event_data jsonb not null default '{}'::jsonb,
  "timestamp" timestamptz not null default now(),
  constraint assessment_tracking_event_type_format_check check (event_type ~ '^[a-z][a-z0-9_]{1,63}$'),
  constraint assessment_tracking_event_data_object_check check (jsonb_typeof(event_data) = 'object')
);
alter table public.assessment_tracking enable row level security;

-- BEFORE INSERT on assessment_tracking: events are attributed to the
-- distributor who referred the session, never to one the writer names.
create function private.set_tracking_distributor() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select s.distributor_id into new.distributor_id
  from public.assessment_sessions as s
  where s.id = new.session_id;
  return new;
end
$$;

create trigger assessments_set_updated_at
  before update on public.assessments
  for each row execute function private.set_updated_at();

create trigger assessment_sessions_set_updated_at
  before update on public.assessment_sessions
  for each row execute function private.set_updated_at();

create trigger assessment_sessions_protect_columns
  before update on public.assessment_sessions
  for each row execute function private.protect_columns(
    'participant_id', 'distributor_id', 'referral_code', 'assessment_id', 'started_at', 'created_at'
  );

create trigger assessment_sessions_check_distributor
  before insert or update of distributor_id on public.assessment_sessions
  for each row execute function private.check_user_role_reference('distributor_id', 'distributor');

create trigger assessment_responses_set_updated_at
  before update on public.assessment_responses
  for each row execute function private.set_updated_at();

create trigger assessment_responses_protect_columns
  before update on public.assessment_responses
  for each row execute function private.protect_columns('session_id', 'question_id');

create trigger assessment_results_set_updated_at
  before update on public.assessment_results
  for each row execute function private.set_updated_at();

create trigger assessment_tracking_set_distributor
  before insert on public.assessment_tracking
  for each row execute function private.set_tracking_distributor();

alter publication supabase_realtime add table public.assessment_tracking;

-- Functions are created executable by PUBLIC: keep only the explicit grants.
-- (Trigger functions need no EXECUTE grant to fire.)
revoke execute on all functions in schema private from public;
