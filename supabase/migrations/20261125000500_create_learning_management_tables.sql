-- Learning management: trainers own courses made of modules and lessons;
-- distributors and participants enrol and record their progress per lesson.
--
-- Composite foreign keys make the copies of course_id and user_id on child
-- rows agree with their parents: a progress row always belongs to a lesson of
-- the course its enrollment is for.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

create table public.courses (
  id uuid primary key default gen_random_uuid(),
  trainer_id uuid not null references public.users (id) on delete restrict,
  slug text not null unique,
  title text not null,
  description text,
  audience text not null default 'all',
  is_published boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint courses_slug_format_check check (slug ~ '^[a-z0-9][a-z0-9-]{1,63}$'),
  constraint courses_title_length_check check (char_length(title) between 1 and 200),
  constraint courses_audience_check check (audience in ('all', 'distributor', 'participant'))
);
alter table public.courses enable row level security;
comment on column public.courses.audience is 'Which role may enrol itself: distributor, participant or all.';

create table public.course_modules (
  id uuid primary key default gen_random_uuid(),
  course_id uuid not null references public.courses (id) on delete cascade,
  position integer not null,
  title text not null,
  description text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint course_modules_id_course_key unique (id, course_id),
  constraint course_modules_position_key unique (course_id, position) deferrable initially immediate,
  constraint course_modules_position_check check (position >= 1),
  constraint course_modules_title_length_check check (char_length(title) between 1 and 200)
);
alter table public.course_modules enable row level security;

create table public.lessons (
  id uuid primary key default gen_random_uuid(),
  module_id uuid not null,
  course_id uuid not null,
  position integer not null,
  title text not null,
  content_type text not null default 'article',
  body text,
  video_url text,
  duration_minutes integer,
  is_preview boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint lessons_id_course_key unique (id, course_id),
  constraint lessons_module_fkey foreign key (module_id, course_id)
    references public.course_modules (id, course_id) on update cascade on delete cascade,
  constraint lessons_position_key unique (module_id, position) deferrable initially immediate,
  constraint lessons_position_check check (position >= 1),
  constraint lessons_title_length_check check (char_length(title) between 1 and 200),
  constraint lessons_content_type_check check (content_type in ('article', 'video', 'quiz', 'download')),
  constraint lessons_duration_check check (duration_minutes > 0)
);
alter table public.lessons enable row level security;
comment on column public.lessons.is_preview is
  'Readable by every signed-in user while the course is published, enrolled or not.';

create table public.enrollments (
  id uuid primary key default gen_random_uuid(),
  course_id uuid not null references public.courses (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  status text not null default 'active',
  progress_percent numeric(5, 2) not null default 0,
  enrolled_at timestamptz not null default now(),
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint enrollments_course_user_key unique (course_id, user_id),
  constraint enrollments_id_course_user_key unique (id, course_id, user_id),
  constraint enrollments_status_check check (status in ('active', 'completed', 'dropped')),
  constraint enrollments_completed_at_check check ((status = 'completed') = (completed_at is not null)),
  constraint enrollments_progress_check check (progress_percent between 0 and 100)
);
alter table public.enrollments enable row level security;

create table public.lesson_progress (
  id uuid primary key default gen_random_uuid(),
  enrollment_id uuid not null,
  course_id uuid not null,
  user_id uuid not null,
  lesson_id uuid not null,
  status text not null default 'in_progress',
  last_position_seconds integer not null default 0,
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint lesson_progress_enrollment_lesson_key unique (enrollment_id, lesson_id),
  constraint lesson_progress_enrollment_fkey foreign key (enrollment_id, course_id, user_id)
    references public.enrollments (id, course_id, user_id) on update cascade on delete cascade,
  constraint lesson_progress_lesson_fkey foreign key (lesson_id, course_id)
    references public.lessons (id, course_id) on update cascade on delete cascade,
  constraint lesson_progress_status_check check (status in ('in_progress', 'completed')),
  constraint lesson_progress_completed_at_check check ((status = 'completed') = (completed_at is not null)),
  constraint lesson_progress_position_check check (last_position_seconds >= 0)
);
alter table public.lesson_progress enable row level security;

-- Course membership helpers for policies. SECURITY DEFINER so that courses,
-- enrollments and lessons can refer to each other without policy recursion.

create function private.taught_course_ids() returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select c.id from public.courses as c where c.trainer_id = (select auth.uid())
$$;

create function private.enrolled_course_ids() returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select e.course_id
  from public.enrollments as e
  where e.user_id = (select auth.uid()) and e.status in ('active', 'completed')
$$;

grant execute on function private.taught_course_ids(), private.enrolled_course_ids()
  to authenticated, service_role;

-- AFTER INSERT/UPDATE/DELETE on lesson_progress: an enrollment's progress is
-- the share of the course's lessons completed; all of them completes it.
create function private.refresh_enrollment_progress() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  target uuid := coalesce((to_jsonb(new) ->> 'enrollment_id')::uuid, (to_jsonb(old) ->> 'enrollment_id')::uuid);
  lesson_count integer;
  completed_count integer;
  percent numeric(5, 2);
begin
  select count(*) into lesson_count
  from public.lessons as l
  join public.enrollments as e on e.course_id = l.course_id
  where e.id = target;

  select count(*) into completed_count
  from public.lesson_progress as p
  where p.enrollment_id = target and p.status = 'completed';

  percent := case when lesson_count = 0 then 0 else round(100.0 * completed_count / lesson_count, 2) end;

  update public.enrollments as e
  set progress_percent = percent,
      status = case
        when percent = 100 and e.status = 'active' then 'completed'
        when percent < 100 and e.status = 'completed' then 'active'
        else e.status
      end,
      completed_at = case
        when percent = 100 and e.status = 'active' then now()
        when percent < 100 and e.status = 'completed' then null
        else e.completed_at
      end
  where e.id = target;
  return null;
end
$$;

create trigger courses_set_updated_at
  before update on public.courses
  for each row execute function private.set_updated_at();

create trigger courses_check_trainer
  before insert or update of trainer_id on public.courses
  for each row execute function private.check_user_role_reference('trainer_id', 'trainer', 'admin');

create trigger course_modules_set_updated_at
  before update on public.course_modules
  for each row execute function private.set_updated_at();

create trigger lessons_set_updated_at
  before update on public.lessons
  for each row execute function private.set_updated_at();

create trigger enrollments_set_updated_at
  before update on public.enrollments
  for each row execute function private.set_updated_at();

create trigger enrollments_protect_columns
  before update on public.enrollments
  for each row execute function private.protect_columns(
    'course_id', 'user_id', 'progress_percent', 'completed_at', 'enrolled_at'
  );

create trigger lesson_progress_set_updated_at
  before update on public.lesson_progress
  for each row execute function private.set_updated_at();

create trigger lesson_progress_protect_columns
  before update on public.lesson_progress
  for each row execute function private.protect_columns('enrollment_id', 'course_id', 'user_id', 'lesson_id');

create trigger lesson_progress_refresh_enrollment
  after insert or update or delete on public.lesson_progress
  for each row execute function private.refresh_enrollment_progress();

-- Functions are created executable by PUBLIC: keep only the explicit grants.
-- (Trigger functions need no EXECUTE grant to fire.)
revoke execute on all functions in schema private from public;
