-- Row-level security policies for every table in public.
--
-- The role model (README, "Schema"):
--   anon         reads feature_flags, nothing else;
--   participant  their own profile, sessions, answers and results; no money;
--   distributor  their own profile, clients, referred sessions and tracking,
--                orders, commissions and payouts; never another distributor's;
--   trainer      their courses and the progress of the people enrolled;
--   admin        everything; the only API role that changes roles, rates,
--                tiers, payouts and flags (service_role bypasses RLS).
--
-- Conventions that keep the database advisor quiet and the policies fast:
--   * one permissive policy per table, command and role (never FOR ALL), so
--     Postgres evaluates one expression per row;
--   * auth.uid() and the private role helpers are wrapped in (select ...), so
--     they are evaluated once per statement, not once per row;
--   * role checks go through SECURITY DEFINER helpers in schema private, so a
--     policy never recurses into the policies of public.users.
-- Columns a user may not change on their own rows (role, commission_rate,
-- ...) are guarded by the private.protect_columns triggers of each table.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

-- User management -------------------------------------------------------------

create policy users_select on public.users
  for select to authenticated
  using (id = (select auth.uid()) or (select private.is_admin()));

create policy users_update on public.users
  for update to authenticated
  using (id = (select auth.uid()) or (select private.is_admin()))
  with check (
    (select private.is_admin())
    or (id = (select auth.uid()) and role = (select private.current_user_role()))
  );

create policy user_profiles_select on public.user_profiles
  for select to authenticated
  using (
    user_id = (select auth.uid())
    or (select private.is_admin())
    or user_id in (
      select e.user_id from public.enrollments as e
      where e.course_id in (select private.taught_course_ids())
    )
  );

create policy user_profiles_update on public.user_profiles
  for update to authenticated
  using (user_id = (select auth.uid()) or (select private.is_admin()))
  with check (user_id = (select auth.uid()) or (select private.is_admin()));

create policy distributor_profiles_select on public.distributor_profiles
  for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_admin()));

create policy distributor_profiles_insert on public.distributor_profiles
  for insert to authenticated
  with check ((select private.is_admin()));

create policy distributor_profiles_update on public.distributor_profiles
  for update to authenticated
  using (user_id = (select auth.uid()) or (select private.is_admin()))
  with check (user_id = (select auth.uid()) or (select private.is_admin()));

create policy distributor_profiles_delete on public.distributor_profiles
  for delete to authenticated
  using ((select private.is_admin()));

-- Assessment system -----------------------------------------------------------

create policy assessments_select on public.assessments
  for select to authenticated
  using (is_active or (select private.is_admin()));

create policy assessments_insert on public.assessments
  for insert to authenticated
  with check ((select private.is_admin()));

create policy assessments_update on public.assessments
  for update to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

create policy assessments_delete on public.assessments
  for delete to authenticated
  using ((select private.is_admin()));

create policy assessment_sessions_select on public.assessment_sessions
  for select to authenticated
  using (
    participant_id = (select auth.uid())
    or distributor_id = (select auth.uid())
    or (select private.is_admin())
  );

create policy assessment_sessions_insert on public.assessment_sessions
  for insert to authenticated
  with check (
    (participant_id = (select auth.uid()) and status in ('started', 'in_progress'))
    or (select private.is_admin())
  );

create policy assessment_sessions_update on public.assessment_sessions
  for update to authenticated
  using (participant_id = (select auth.uid()) or (select private.is_admin()))
  with check (participant_id = (select auth.uid()) or (select private.is_admin()));

create policy assessment_sessions_delete on public.assessment_sessions
  for delete to authenticated
  using ((select private.is_admin()));

-- Raw answers are the participant's; the referring distributor sees results only.
create policy assessment_responses_select on public.assessment_responses
  for select to authenticated
  using (
    session_id in (
      select s.id from public.assessment_sessions as s
      where s.participant_id = (select auth.uid())
    )
    or (select private.is_admin())
  );

create policy assessment_responses_insert on public.assessment_responses
  for insert to authenticated
  with check (
    session_id in (
      select s.id from public.assessment_sessions as s
      where s.participant_id = (select auth.uid()) and s.status <> 'completed'
    )
    or (select private.is_admin())
  );

create policy assessment_responses_update on public.assessment_responses
  for update to authenticated
  using (
    session_id in (
      select s.id from public.assessment_sessions as s
      where s.participant_id = (select auth.uid()) and s.status <> 'completed'
    )
    or (select private.is_admin())
  )
  with check (
    session_id in (
      select s.id from public.assessment_sessions as s
      where s.participant_id = (select auth.uid()) and s.status <> 'completed'
    )
    or (select private.is_admin())
  );

create policy assessment_responses_delete on public.assessment_responses
  for delete to authenticated
  using (
    session_id in (
      select s.id from public.assessment_sessions as s
      where s.participant_id = (select auth.uid()) and s.status <> 'completed'
    )
    or (select private.is_admin())
  );

create policy assessment_results_select on public.assessment_results
  for select to authenticated
  using (
    session_id in (
      select s.id from public.assessment_sessions as s
      where s.participant_id = (select auth.uid()) or s.distributor_id = (select auth.uid())
    )
    or (select private.is_admin())
  );

create policy assessment_results_insert on public.assessment_results
  for insert to authenticated
  with check ((select private.is_admin()));

create policy assessment_results_update on public.assessment_results
  for update to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

create policy assessment_results_delete on public.assessment_results
  for delete to authenticated
  using ((select private.is_admin()));

create policy assessment_tracking_select on public.assessment_tracking
  for select to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy assessment_tracking_insert on public.assessment_tracking
  for insert to authenticated
  with check (
    session_id in (
      select s.id from public.assessment_sessions as s
      where s.participant_id = (select auth.uid())
    )
    or (select private.is_admin())
  );

create policy assessment_tracking_delete on public.assessment_tracking
  for delete to authenticated
  using ((select private.is_admin()));

-- Client management -----------------------------------------------------------

create policy clients_select on public.clients
  for select to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy clients_insert on public.clients
  for insert to authenticated
  with check (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy clients_update on public.clients
  for update to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()))
  with check (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy clients_delete on public.clients
  for delete to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy client_interactions_select on public.client_interactions
  for select to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy client_interactions_insert on public.client_interactions
  for insert to authenticated
  with check (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy client_interactions_update on public.client_interactions
  for update to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()))
  with check (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy client_interactions_delete on public.client_interactions
  for delete to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy client_follow_ups_select on public.client_follow_ups
  for select to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy client_follow_ups_insert on public.client_follow_ups
  for insert to authenticated
  with check (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy client_follow_ups_update on public.client_follow_ups
  for update to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()))
  with check (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy client_follow_ups_delete on public.client_follow_ups
  for delete to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

-- Financial system --------------------------------------------------------------
-- Participants and trainers see no money. Distributors read their own rows;
-- they write only their own pending orders and those orders' items.

create policy products_select on public.products
  for select to authenticated
  using ((is_active and (select private.is_distributor())) or (select private.is_admin()));

create policy products_insert on public.products
  for insert to authenticated
  with check ((select private.is_admin()));

create policy products_update on public.products
  for update to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

create policy products_delete on public.products
  for delete to authenticated
  using ((select private.is_admin()));

create policy commission_tiers_select on public.commission_tiers
  for select to authenticated
  using ((select private.is_distributor()) or (select private.is_admin()));

create policy commission_tiers_insert on public.commission_tiers
  for insert to authenticated
  with check ((select private.is_admin()));

create policy commission_tiers_update on public.commission_tiers
  for update to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

create policy commission_tiers_delete on public.commission_tiers
  for delete to authenticated
  using ((select private.is_admin()));

create policy orders_select on public.orders
  for select to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

-- A new order starts empty: its subtotal comes from the items added later,
-- its payment reference from the payment provider (service_role).
create policy orders_insert on public.orders
  for insert to authenticated
  with check (
    (
      distributor_id = (select auth.uid())
      and status = 'pending'
      and subtotal = 0
      and external_reference is null
    )
    or (select private.is_admin())
  );

create policy orders_update on public.orders
  for update to authenticated
  using (
    (distributor_id = (select auth.uid()) and status = 'pending')
    or (select private.is_admin())
  )
  with check (
    (distributor_id = (select auth.uid()) and status in ('pending', 'cancelled'))
    or (select private.is_admin())
  );

create policy orders_delete on public.orders
  for delete to authenticated
  using ((select private.is_admin()));

create policy order_items_select on public.order_items
  for select to authenticated
  using (
    order_id in (select o.id from public.orders as o where o.distributor_id = (select auth.uid()))
    or (select private.is_admin())
  );

create policy order_items_insert on public.order_items
  for insert to authenticated
  with check (
    order_id in (
      select o.id from public.orders as o
      where o.distributor_id = (select auth.uid()) and o.status = 'pending'
    )
    or (select private.is_admin())
  );

create policy order_items_update on public.order_items
  for update to authenticated
  using (
    order_id in (
      select o.id from public.orders as o
      where o.distributor_id = (select auth.uid()) and o.status = 'pending'
    )
    or (select private.is_admin())
  )
  with check (
    order_id in (
      select o.id from public.orders as o
      where o.distributor_id = (select auth.uid()) and o.status = 'pending'
    )
    or (select private.is_admin())
  );

create policy order_items_delete on public.order_items
  for delete to authenticated
  using (
    order_id in (
      select o.id from public.orders as o
      where o.distributor_id = (select auth.uid()) and o.status = 'pending'
    )
    or (select private.is_admin())
  );

create policy payouts_select on public.payouts
  for select to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy payouts_insert on public.payouts
  for insert to authenticated
  with check ((select private.is_admin()));

create policy payouts_update on public.payouts
  for update to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

create policy payouts_delete on public.payouts
  for delete to authenticated
  using ((select private.is_admin()));

create policy commissions_select on public.commissions
  for select to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy commissions_insert on public.commissions
  for insert to authenticated
  with check ((select private.is_admin()));

create policy commissions_update on public.commissions
  for update to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

create policy commissions_delete on public.commissions
  for delete to authenticated
  using ((select private.is_admin()));

-- No UPDATE or DELETE policy: the ledger is append-only (and a trigger
-- refuses both even where RLS does not apply).
create policy ledger_entries_select on public.ledger_entries
  for select to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy ledger_entries_insert on public.ledger_entries
  for insert to authenticated
  with check ((select private.is_admin()));

-- Learning management -----------------------------------------------------------

create policy courses_select on public.courses
  for select to authenticated
  using (
    is_published
    or trainer_id = (select auth.uid())
    or id in (select private.enrolled_course_ids())
    or (select private.is_admin())
  );

create policy courses_insert on public.courses
  for insert to authenticated
  with check (
    (trainer_id = (select auth.uid()) and (select private.is_trainer()))
    or (select private.is_admin())
  );

create policy courses_update on public.courses
  for update to authenticated
  using (trainer_id = (select auth.uid()) or (select private.is_admin()))
  with check (trainer_id = (select auth.uid()) or (select private.is_admin()));

create policy courses_delete on public.courses
  for delete to authenticated
  using ((trainer_id = (select auth.uid()) and not is_published) or (select private.is_admin()));

-- A course's outline is visible wherever the course is.
create policy course_modules_select on public.course_modules
  for select to authenticated
  using (course_id in (select c.id from public.courses as c));

create policy course_modules_insert on public.course_modules
  for insert to authenticated
  with check (course_id in (select private.taught_course_ids()) or (select private.is_admin()));

create policy course_modules_update on public.course_modules
  for update to authenticated
  using (course_id in (select private.taught_course_ids()) or (select private.is_admin()))
  with check (course_id in (select private.taught_course_ids()) or (select private.is_admin()));

create policy course_modules_delete on public.course_modules
  for delete to authenticated
  using (course_id in (select private.taught_course_ids()) or (select private.is_admin()));

-- Lesson content is for the trainer and enrolled learners; preview lessons of
-- a published course for every signed-in user.
create policy lessons_select on public.lessons
  for select to authenticated
  using (
    course_id in (select private.taught_course_ids())
    or course_id in (select private.enrolled_course_ids())
    or (is_preview and course_id in (select c.id from public.courses as c where c.is_published))
    or (select private.is_admin())
  );

create policy lessons_insert on public.lessons
  for insert to authenticated
  with check (course_id in (select private.taught_course_ids()) or (select private.is_admin()));

create policy lessons_update on public.lessons
  for update to authenticated
  using (course_id in (select private.taught_course_ids()) or (select private.is_admin()))
  with check (course_id in (select private.taught_course_ids()) or (select private.is_admin()));

create policy lessons_delete on public.lessons
  for delete to authenticated
  using (course_id in (select private.taught_course_ids()) or (select private.is_admin()));

create policy enrollments_select on public.enrollments
  for select to authenticated
  using (
    user_id = (select auth.uid())
    or course_id in (select private.taught_course_ids())
    or (select private.is_admin())
  );

-- Learners enrol themselves in published courses meant for their role;
-- trainers enrol people in their own courses.
create policy enrollments_insert on public.enrollments
  for insert to authenticated
  with check (
    (
      user_id = (select auth.uid())
      and status = 'active'
      and progress_percent = 0
      and course_id in (
        select c.id from public.courses as c
        where c.is_published and c.audience in ('all', (select private.current_user_role()))
      )
    )
    or course_id in (select private.taught_course_ids())
    or (select private.is_admin())
  );

create policy enrollments_update on public.enrollments
  for update to authenticated
  using (
    user_id = (select auth.uid())
    or course_id in (select private.taught_course_ids())
    or (select private.is_admin())
  )
  with check (
    (user_id = (select auth.uid()) and status in ('active', 'dropped'))
    or course_id in (select private.taught_course_ids())
    or (select private.is_admin())
  );

create policy enrollments_delete on public.enrollments
  for delete to authenticated
  using (course_id in (select private.taught_course_ids()) or (select private.is_admin()));

create policy lesson_progress_select on public.lesson_progress
  for select to authenticated
  using (
    user_id = (select auth.uid())
    or course_id in (select private.taught_course_ids())
    or (select private.is_admin())
  );

create policy lesson_progress_insert on public.lesson_progress
  for insert to authenticated
  with check (
    (user_id = (select auth.uid()) and course_id in (select private.enrolled_course_ids()))
    or (select private.is_admin())
  );

create policy lesson_progress_update on public.lesson_progress
  for update to authenticated
  using (user_id = (select auth.uid()) or (select private.is_admin()))
  with check (
    (user_id = (select auth.uid()) and course_id in (select private.enrolled_course_ids()))
    or (select private.is_admin())
  );

create policy lesson_progress_delete on public.lesson_progress
  for delete to authenticated
  using ((select private.is_admin()));

-- Analytics -----------------------------------------------------------------------

create policy analytics_events_select on public.analytics_events
  for select to authenticated
  using (
    user_id = (select auth.uid())
    or distributor_id = (select auth.uid())
    or (select private.is_admin())
  );

-- Users record their own events; only the service attributes events to
-- someone else's dashboard.
create policy analytics_events_insert on public.analytics_events
  for insert to authenticated
  with check (
    (user_id = (select auth.uid()) and (distributor_id is null or distributor_id = (select auth.uid())))
    or (select private.is_admin())
  );

create policy analytics_events_update on public.analytics_events
  for update to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

create policy analytics_events_delete on public.analytics_events
  for delete to authenticated
  using ((select private.is_admin()));

create policy performance_metrics_select on public.performance_metrics
  for select to authenticated
  using ((select private.is_admin()));

create policy performance_metrics_insert on public.performance_metrics
  for insert to authenticated
  with check (user_id = (select auth.uid()) or (select private.is_admin()));

create policy performance_metrics_update on public.performance_metrics
  for update to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

create policy performance_metrics_delete on public.performance_metrics
  for delete to authenticated
  using ((select private.is_admin()));

create policy ai_analysis_results_select on public.ai_analysis_results
  for select to authenticated
  using ((select private.is_admin()));

create policy ai_analysis_results_insert on public.ai_analysis_results
  for insert to authenticated
  with check ((select private.is_admin()));

create policy ai_analysis_results_update on public.ai_analysis_results
  for update to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

create policy ai_analysis_results_delete on public.ai_analysis_results
  for delete to authenticated
  using ((select private.is_admin()));

-- The one table anon may read: frontends need their flags before sign-in.
create policy feature_flags_select on public.feature_flags
  for select to anon, authenticated
  using (true);

create policy feature_flags_insert on public.feature_flags
  for insert to authenticated
  with check ((select private.is_admin()));

create policy feature_flags_update on public.feature_flags
  for update to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

create policy feature_flags_delete on public.feature_flags
  for delete to authenticated
  using ((select private.is_admin()));
