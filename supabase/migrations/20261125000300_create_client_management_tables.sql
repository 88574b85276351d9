-- Client management: each distributor's book of clients (contact data, pipeline
-- status, the assessment session they came from), their interactions and the
-- follow-ups the distributor plans.
--
-- Child rows carry the owning distributor_id too, tied to the client by a
-- composite foreign key, so the database guarantees they agree and policies
-- can filter on a plain column.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

create table public.clients (
  id uuid primary key default gen_random_uuid(),
  distributor_id uuid not null references public.users (id) on delete cascade,
  user_id uuid references public.users (id) on delete set null,
  source_session_id uuid references public.assessment_sessions (id) on delete set null,
  first_name text not null,
  last_name text,
  email text,
  phone text,
  status text not null default 'lead',
  tags text[] not null default '{}',
  notes text,
  last_contacted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint clients_id_distributor_key unique (id, distributor_id),
  constraint clients_status_check
    check (status in ('lead', 'contacted', 'qualified', 'customer', 'inactive', 'lost')),
  constraint clients_email_lowercase_check check (email = lower(email)),
  constraint clients_first_name_length_check check (char_length(first_name) between 1 and 100),
  constraint clients_last_name_length_check check (char_length(last_name) <= 100),
  constraint clients_phone_length_check check (char_length(phone) <= 32)
);
alter table public.clients enable row level security;
comment on table public.clients is 'A distributor''s clients; only that distributor and admins see them.';

create table public.client_interactions (
  id uuid primary key default gen_random_uuid(),
  client_id uuid not null,
  distributor_id uuid not null,
  interaction_type text not null,
  summary text not null,
  occurred_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint client_interactions_client_fkey foreign key (client_id, distributor_id)
    references public.clients (id, distributor_id) on update cascade on delete cascade,
  constraint client_interactions_type_check
    check (interaction_type in ('call', 'email', 'meeting', 'message', 'note', 'other')),
  constraint client_interactions_summary_length_check check (char_length(summary) between 1 and 4000)
);
alter table public.client_interactions enable row level security;

create table public.client_follow_ups (
  id uuid primary key default gen_random_uuid(),
  client_id uuid not null,
  distributor_id uuid not null,
  title text not null,
  notes text,
  due_at timestamptz not null,
  status text not null default 'pending',
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint client_follow_ups_client_fkey foreign key (client_id, distributor_id)
    references public.clients (id, distributor_id) on update cascade on delete cascade,
  constraint client_follow_ups_status_check check (status in ('pending', 'done', 'cancelled')),
  constraint client_follow_ups_completed_at_check check ((status = 'done') = (completed_at is not null)),
  constraint client_follow_ups_title_length_check check (char_length(title) between 1 and 200)
);
alter table public.client_follow_ups enable row level security;

create trigger clients_set_updated_at
  before update on public.clients
  for each row execute function private.set_updated_at();

create trigger clients_check_distributor
  before insert or update of distributor_id on public.clients
  for each row execute function private.check_user_role_reference('distributor_id', 'distributor');

create trigger client_interactions_set_updated_at
  before update on public.client_interactions
  for each row execute function private.set_updated_at();

create trigger client_follow_ups_set_updated_at
  before update on public.client_follow_ups
  for each row execute function private.set_updated_at();
