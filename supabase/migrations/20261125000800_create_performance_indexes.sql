-- Indexes: one covering every foreign key (joins, and the lookups cascades
-- and restricts make on delete), and one for each column the policies and
-- dashboards filter on. Unique constraints already index what they cover and
-- are not repeated here.
--
-- Plain CREATE INDEX, not CONCURRENTLY: each migration file runs in one
-- transaction, where CONCURRENTLY is not allowed. The tables are created by
-- the migrations just before this one and are empty when it runs.
-- squawk-ignore-file require-concurrent-index-creation

set local lock_timeout = '10s';
set local statement_timeout = '30min';

-- User management
create index users_role_idx on public.users (role);
create index distributor_profiles_upline_id_idx on public.distributor_profiles (upline_id);
create index distributor_profiles_tier_level_idx on public.distributor_profiles (tier_level);

-- Assessment system
create index assessments_created_by_idx on public.assessments (created_by);
create index assessment_sessions_assessment_id_idx on public.assessment_sessions (assessment_id);
create index assessment_sessions_participant_id_idx on public.assessment_sessions (participant_id);
create index assessment_sessions_distributor_started_idx
  on public.assessment_sessions (distributor_id, started_at desc);
create index assessment_sessions_status_started_idx on public.assessment_sessions (status, started_at desc);
create index assessment_tracking_session_timestamp_idx
  on public.assessment_tracking (session_id, "timestamp");
create index assessment_tracking_distributor_timestamp_idx
  on public.assessment_tracking (distributor_id, "timestamp" desc);
create index assessment_tracking_event_type_timestamp_idx
  on public.assessment_tracking (event_type, "timestamp" desc);

-- Client management
create index clients_distributor_status_idx on public.clients (distributor_id, status);
create index clients_user_id_idx on public.clients (user_id);
create index clients_source_session_id_idx on public.clients (source_session_id);
create index client_interactions_client_idx
  on public.client_interactions (client_id, distributor_id, occurred_at desc);
create index client_interactions_distributor_occurred_idx
  on public.client_interactions (distributor_id, occurred_at desc);
create index client_follow_ups_client_idx on public.client_follow_ups (client_id, distributor_id);
create index client_follow_ups_pending_due_idx
  on public.client_follow_ups (distributor_id, due_at) where status = 'pending';

-- Financial system
create index orders_distributor_placed_idx on public.orders (distributor_id, placed_at desc);
create index orders_client_idx on public.orders (client_id, distributor_id);
create index orders_status_paid_idx on public.orders (status, paid_at);
create index order_items_order_idx on public.order_items (order_id, currency);
create index order_items_product_id_idx on public.order_items (product_id);
create index payouts_distributor_requested_idx on public.payouts (distributor_id, requested_at desc);
create index payouts_status_idx on public.payouts (status, requested_at);
create index commissions_order_idx on public.commissions (order_id, order_item_id);
create index commissions_distributor_earned_idx on public.commissions (distributor_id, earned_at desc);
create index commissions_payout_id_idx on public.commissions (payout_id);
create index commissions_status_earned_idx on public.commissions (status, earned_at);
create index ledger_entries_distributor_created_idx
  on public.ledger_entries (distributor_id, created_at desc);
create index ledger_entries_order_id_idx on public.ledger_entries (order_id);
create index ledger_entries_commission_id_idx on public.ledger_entries (commission_id);
create index ledger_entries_payout_id_idx on public.ledger_entries (payout_id);
create index ledger_entries_created_by_idx on public.ledger_entries (created_by);

-- Learning management
create index courses_trainer_id_idx on public.courses (trainer_id);
create index lessons_module_idx on public.lessons (module_id, course_id);
create index lessons_course_id_idx on public.lessons (course_id);
create index enrollments_user_id_idx on public.enrollments (user_id);
create index lesson_progress_enrollment_idx
  on public.lesson_progress (enrollment_id, course_id, user_id);
create index lesson_progress_lesson_idx on public.lesson_progress (lesson_id, course_id);
create index lesson_progress_user_id_idx on public.lesson_progress (user_id);
create index lesson_progress_course_id_idx on public.lesson_progress (course_id);

-- Analytics
create index analytics_events_user_occurred_idx on public.analytics_events (user_id, occurred_at desc);
create index analytics_events_distributor_occurred_idx
  on public.analytics_events (distributor_id, occurred_at desc);
create index analytics_events_session_id_idx on public.analytics_events (session_id);
create index analytics_events_type_occurred_idx on public.analytics_events (event_type, occurred_at desc);
create index performance_metrics_user_id_idx on public.performance_metrics (user_id);
create index performance_metrics_component_idx
  on public.performance_metrics (component_name, metric_type, recorded_at desc);
create index performance_metrics_recorded_at_idx on public.performance_metrics using brin (recorded_at);
create index ai_analysis_results_session_id_idx on public.ai_analysis_results (session_id);
create index ai_analysis_results_expires_at_idx on public.ai_analysis_results (expires_at);
create index feature_flags_updated_by_idx on public.feature_flags (updated_by);
