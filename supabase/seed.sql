-- A small, realistic world for the local stack, the README's examples and the
-- tests: an admin, two distributors (Ben is in Ava's downline), a trainer,
-- two participants, assessment sessions with answers, results and tracking
-- events, clients, orders with commissions and a payout, and a course.
--
-- Ids are fixed so examples and tests can name them; every insert skips rows
-- that exist, so loading the file twice changes nothing. Users are created in
-- auth.users as the auth service would; the sign-up trigger makes their
-- public.users, user_profiles and distributor_profiles rows. They have no
-- password: sign in locally with the JWTs `maxpulse status` prints, or set one
-- from the Supabase dashboard.
--
--   admin        Ada Admin         a0000000-0000-4000-8000-000000000001
--   distributor  Ava Distributor   a0000000-0000-4000-8000-000000000002  code MP-AVA01
--   distributor  Ben Distributor   a0000000-0000-4000-8000-000000000003  code MP-BEN02 (upline Ava)
--   trainer      Tara Trainer      a0000000-0000-4000-8000-000000000004
--   participant  Paula Participant a0000000-0000-4000-8000-000000000005  (referred by Ava)
--   participant  Peter Participant a0000000-0000-4000-8000-000000000006  (referred by Ben)

insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change,
  raw_app_meta_data, raw_user_meta_data, last_sign_in_at, created_at, updated_at
)
select
  '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email, '',
  now() - interval '60 days', '', '', '', '',
  jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email'), 'role', u.role)
    || coalesce(u.extra_app_meta, '{}'::jsonb),
  jsonb_build_object('first_name', u.first_name, 'last_name', u.last_name),
  now() - u.last_seen, now() - interval '60 days', now() - interval '60 days'
from (values
  ('a0000000-0000-4000-8000-000000000001'::uuid, 'ada.admin@maxpulse.example', 'admin', 'Ada', 'Admin',
   null::jsonb, interval '1 hour'),
  ('a0000000-0000-4000-8000-000000000002', 'ava.distributor@maxpulse.example', 'distributor', 'Ava',
   'Distributor', '{"distributor_code": "MP-AVA01"}', interval '2 hours'),
  ('a0000000-0000-4000-8000-000000000003', 'ben.distributor@maxpulse.example', 'distributor', 'Ben',
   'Distributor', '{"distributor_code": "MP-BEN02"}', interval '1 day'),
  ('a0000000-0000-4000-8000-000000000004', 'tara.trainer@maxpulse.example', 'trainer', 'Tara', 'Trainer',
   null, interval '3 hours'),
  ('a0000000-0000-4000-8000-000000000005', 'paula.participant@maxpulse.example', 'participant', 'Paula',
   'Participant', null, interval '5 hours'),
  ('a0000000-0000-4000-8000-000000000006', 'peter.participant@maxpulse.example', 'participant', 'Peter',
   'Participant', null, interval '2 days')
) as u (id, email, role, first_name, last_name, extra_app_meta, last_seen)
on conflict (id) do nothing;

update public.distributor_profiles
set display_name = 'Ava''s Wellness Studio', timezone = 'America/New_York', tier_level = 2,
    commission_rate = 30.00
where user_id = 'a0000000-0000-4000-8000-000000000002';

update public.distributor_profiles
set display_name = 'Ben Moves', timezone = 'Europe/Berlin',
    upline_id = 'a0000000-0000-4000-8000-000000000002'
where user_id = 'a0000000-0000-4000-8000-000000000003';

update public.user_profiles
set phone = '+1 555 0100', preferences = '{"newsletter": true, "units": "imperial"}'
where user_id = 'a0000000-0000-4000-8000-000000000005';

-- Assessments -------------------------------------------------------------------

insert into public.assessments (id, slug, title, description, assessment_type, estimated_minutes, questions, created_by)
values
  ('b0000000-0000-4000-8000-000000000001', 'health-risk', 'Health Risk Assessment',
   'Ten questions on sleep, stress, activity and nutrition.', 'health_risk', 8,
   '[{"id": "sleep_hours", "text": "How many hours do you sleep?", "type": "number"},
     {"id": "stress_level", "text": "How stressed do you feel (1-10)?", "type": "scale"},
     {"id": "active_days", "text": "Days per week with 30 minutes of activity?", "type": "number"},
     {"id": "vegetables", "text": "Servings of vegetables per day?", "type": "number"}]',
   'a0000000-0000-4000-8000-000000000001'),
  ('b0000000-0000-4000-8000-000000000002', 'lifestyle-check', 'Lifestyle Check',
   'A two-minute check of daily habits.', 'lifestyle', 2,
   '[{"id": "water_glasses", "text": "Glasses of water per day?", "type": "number"}]',
   'a0000000-0000-4000-8000-000000000001')
on conflict (id) do nothing;

insert into public.assessment_sessions (
  id, assessment_id, participant_id, distributor_id, referral_code, source, status,
  progress_percent, started_at, completed_at
)
values
  ('c0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000001',
   'a0000000-0000-4000-8000-000000000005', 'a0000000-0000-4000-8000-000000000002', 'MP-AVA01', 'link',
   'completed', 100, now() - interval '6 days', now() - interval '6 days' + interval '9 minutes'),
  ('c0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000001',
   'a0000000-0000-4000-8000-000000000006', 'a0000000-0000-4000-8000-000000000003', 'MP-BEN02', 'link',
   'in_progress', 50, now() - interval '2 days', null),
  ('c0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000002',
   null, 'a0000000-0000-4000-8000-000000000002', 'MP-AVA01', 'link',
   'started', 0, now() - interval '3 hours', null)
on conflict (id) do nothing;

insert into public.assessment_responses (session_id, question_id, answer, answered_at)
values
  ('c0000000-0000-4000-8000-000000000001', 'sleep_hours', '6', now() - interval '6 days'),
  ('c0000000-0000-4000-8000-000000000001', 'stress_level', '7', now() - interval '6 days'),
  ('c0000000-0000-4000-8000-000000000001', 'active_days', '2', now() - interval '6 days'),
  ('c0000000-0000-4000-8000-000000000001', 'vegetables', '1', now() - interval '6 days'),
  ('c0000000-0000-4000-8000-000000000002', 'sleep_hours', '8', now() - interval '2 days'),
  ('c0000000-0000-4000-8000-000000000002', 'stress_level', '3', now() - interval '2 days')
on conflict (session_id, question_id) do nothing;

insert into public.assessment_results (id, session_id, assessment_type, score, category, summary, result_data, recommendations)
values (
  'c1000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', 'health_risk', 62.50,
  'moderate', 'Short sleep and high stress; activity and vegetables below target.',
  '{"sleep": "low", "stress": "high", "activity": "low", "nutrition": "low"}',
  '["Aim for 7-8 hours of sleep", "Two short walks a day", "Add one vegetable serving per meal"]'
)
on conflict (id) do nothing;

insert into public.assessment_tracking (id, session_id, event_type, event_data, "timestamp")
values
  ('c2000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', 'link_clicked',
   '{"utm_source": "instagram"}', now() - interval '6 days' - interval '2 minutes'),
  ('c2000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001', 'assessment_started',
   '{}', now() - interval '6 days'),
  ('c2000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000001', 'question_answered',
   '{"question_id": "stress_level"}', now() - interval '6 days' + interval '3 minutes'),
  ('c2000000-0000-4000-8000-000000000004', 'c0000000-0000-4000-8000-000000000001', 'assessment_completed',
   '{"score": 62.5}', now() - interval '6 days' + interval '9 minutes'),
  ('c2000000-0000-4000-8000-000000000005', 'c0000000-0000-4000-8000-000000000002', 'link_clicked',
   '{"utm_source": "email"}', now() - interval '2 days' - interval '1 minute'),
  ('c2000000-0000-4000-8000-000000000006', 'c0000000-0000-4000-8000-000000000002', 'assessment_started',
   '{}', now() - interval '2 days'),
  ('c2000000-0000-4000-8000-000000000007', 'c0000000-0000-4000-8000-000000000003', 'link_clicked',
   '{"utm_source": "whatsapp"}', now() - interval '3 hours')
on conflict (id) do nothing;

-- Clients -------------------------------------------------------------------------

insert into public.clients (
  id, distributor_id, user_id, source_session_id, first_name, last_name, email, phone, status, tags,
  last_contacted_at
)
values
  ('d0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002',
   'a0000000-0000-4000-8000-000000000005', 'c0000000-0000-4000-8000-000000000001', 'Paula', 'Participant',
   'paula.participant@maxpulse.example', '+1 555 0100', 'customer', '{sleep,stress}', now() - interval '4 days'),
  ('d0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000002',
   null, null, 'Quinn', 'Prospect', 'quinn@example.com', null, 'lead', '{}', null),
  ('d0000000-0000-4000-8000-000000000003', 'a0000000-0000-4000-8000-000000000003',
   'a0000000-0000-4000-8000-000000000006', 'c0000000-0000-4000-8000-000000000002', 'Peter', 'Participant',
   'peter.participant@maxpulse.example', null, 'contacted', '{fitness}', now() - interval '1 day')
on conflict (id) do nothing;

insert into public.client_interactions (id, client_id, distributor_id, interaction_type, summary, occurred_at)
values
  ('d1000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001',
   'a0000000-0000-4000-8000-000000000002', 'call', 'Walked through the assessment results; interested in the sleep bundle.',
   now() - interval '5 days'),
  ('d1000000-0000-4000-8000-000000000002', 'd0000000-0000-4000-8000-000000000003',
   'a0000000-0000-4000-8000-000000000003', 'message', 'Sent the link to finish the assessment.',
   now() - interval '1 day')
on conflict (id) do nothing;

insert into public.client_follow_ups (id, client_id, distributor_id, title, due_at, status, completed_at)
values
  ('d2000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001',
   'a0000000-0000-4000-8000-000000000002', 'Check in after two weeks on the sleep bundle',
   now() + interval '8 days', 'pending', null),
  ('d2000000-0000-4000-8000-000000000002', 'd0000000-0000-4000-8000-000000000003',
   'a0000000-0000-4000-8000-000000000003', 'Remind Peter to finish the assessment',
   now() + interval '1 day', 'pending', null)
on conflict (id) do nothing;

-- Products, orders, commissions, payouts and the ledger ------------------------------

insert into public.products (id, sku, name, description, price, currency)
values
  ('e0000000-0000-4000-8000-000000000001', 'MP-SLEEP-30', 'Sleep Support Bundle (30 days)',
   'Magnesium, tea and a sleep routine guide.', 49.00, 'USD'),
  ('e0000000-0000-4000-8000-000000000002', 'MP-ENERGY-30', 'Energy Greens (30 servings)',
   'Greens powder for the morning routine.', 39.50, 'USD'),
  ('e0000000-0000-4000-8000-000000000003', 'MP-COACH-1', 'Coaching Session',
   'One 45-minute coaching call.', 75.00, 'USD')
on conflict (id) do nothing;

insert into public.orders (id, order_number, distributor_id, client_id, status, placed_at, paid_at, shipping_amount)
values
  ('e1000000-0000-4000-8000-000000000001', 'MP-SEED-0001', 'a0000000-0000-4000-8000-000000000002',
   'd0000000-0000-4000-8000-000000000001', 'pending', now() - interval '5 days', null, 5.00),
  ('e1000000-0000-4000-8000-000000000002', 'MP-SEED-0002', 'a0000000-0000-4000-8000-000000000003',
   'd0000000-0000-4000-8000-000000000003', 'pending', now() - interval '1 day', null, 0),
  ('e1000000-0000-4000-8000-000000000003', 'MP-SEED-0003', 'a0000000-0000-4000-8000-000000000002',
   'd0000000-0000-4000-8000-000000000002', 'pending', now() - interval '1 hour', null, 0)
on conflict (id) do nothing;

-- Prices come from the catalogue (trigger); subtotals follow the items (trigger).
insert into public.order_items (id, order_id, product_id, quantity)
values
  ('e2000000-0000-4000-8000-000000000001', 'e1000000-0000-4000-8000-000000000001',
   'e0000000-0000-4000-8000-000000000001', 2),
  ('e2000000-0000-4000-8000-000000000002', 'e1000000-0000-4000-8000-000000000001',
   'e0000000-0000-4000-8000-000000000003', 1),
  ('e2000000-0000-4000-8000-000000000003', 'e1000000-0000-4000-8000-000000000002',
   'e0000000-0000-4000-8000-000000000002', 2),
  ('e2000000-0000-4000-8000-000000000004', 'e1000000-0000-4000-8000-000000000003',
   'e0000000-0000-4000-8000-000000000002', 1)
on conflict (id) do nothing;

update public.orders
set status = 'paid', paid_at = placed_at + interval '10 minutes',
    external_reference = 'pay_seed_' || right(order_number, 4)
where id in ('e1000000-0000-4000-8000-000000000001', 'e1000000-0000-4000-8000-000000000002')
  and status = 'pending';

insert into public.payouts (id, distributor_id, amount, currency, status, method, reference, period_start, period_end, requested_at, paid_at)
values (
  'e3000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002', 51.90, 'USD', 'paid',
  'bank_transfer', 'PAYOUT-SEED-0001', (now() - interval '30 days')::date, now()::date,
  now() - interval '2 days', now() - interval '1 day'
)
on conflict (id) do nothing;

-- Level 0 pays the seller at their rate; level 1 pays the seller's upline 5 %.
insert into public.commissions (
  id, order_item_id, order_id, distributor_id, level, rate, base_amount, amount, currency, status,
  payout_id, earned_at
)
values
  ('e4000000-0000-4000-8000-000000000001', 'e2000000-0000-4000-8000-000000000001',
   'e1000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002', 0, 30.00, 98.00, 29.40,
   'USD', 'paid', 'e3000000-0000-4000-8000-000000000001', now() - interval '5 days'),
  ('e4000000-0000-4000-8000-000000000002', 'e2000000-0000-4000-8000-000000000002',
   'e1000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002', 0, 30.00, 75.00, 22.50,
   'USD', 'paid', 'e3000000-0000-4000-8000-000000000001', now() - interval '5 days'),
  ('e4000000-0000-4000-8000-000000000003', 'e2000000-0000-4000-8000-000000000003',
   'e1000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000003', 0, 25.00, 79.00, 19.75,
   'USD', 'pending', null, now() - interval '1 day'),
  ('e4000000-0000-4000-8000-000000000004', 'e2000000-0000-4000-8000-000000000003',
   'e1000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000002', 1, 5.00, 79.00, 3.95,
   'USD', 'pending', null, now() - interval '1 day')
on conflict (id) do nothing;

-- The totals are the sums of the ledger's entries: a paid order's total_amount
-- (its sale entry), the commissions not reversed.
update public.distributor_profiles as d
set total_sales = s.sales, total_commissions = s.earned
from (
  select
    dp.user_id,
    coalesce((select sum(o.total_amount) from public.orders as o
              where o.distributor_id = dp.user_id and o.status in ('paid', 'fulfilled')), 0) as sales,
    coalesce((select sum(c.amount) from public.commissions as c
              where c.distributor_id = dp.user_id and c.status <> 'reversed'), 0) as earned
  from public.distributor_profiles as dp
) as s
where d.user_id = s.user_id;

insert into public.ledger_entries (id, entry_type, distributor_id, order_id, commission_id, payout_id, amount, currency, description, created_at)
values
  ('e5000000-0000-4000-8000-000000000001', 'sale', 'a0000000-0000-4000-8000-000000000002',
   'e1000000-0000-4000-8000-000000000001', null, null, 178.00, 'USD', 'Order MP-SEED-0001 paid',
   now() - interval '5 days'),
  ('e5000000-0000-4000-8000-000000000002', 'commission', 'a0000000-0000-4000-8000-000000000002',
   'e1000000-0000-4000-8000-000000000001', 'e4000000-0000-4000-8000-000000000001', null, 29.40, 'USD',
   'Level 0 commission, MP-SEED-0001', now() - interval '5 days'),
  ('e5000000-0000-4000-8000-000000000003', 'commission', 'a0000000-0000-4000-8000-000000000002',
   'e1000000-0000-4000-8000-000000000001', 'e4000000-0000-4000-8000-000000000002', null, 22.50, 'USD',
   'Level 0 commission, MP-SEED-0001', now() - interval '5 days'),
  ('e5000000-0000-4000-8000-000000000004', 'payout', 'a0000000-0000-4000-8000-000000000002',
   null, null, 'e3000000-0000-4000-8000-000000000001', -51.90, 'USD', 'Payout PAYOUT-SEED-0001',
   now() - interval '1 day'),
  ('e5000000-0000-4000-8000-000000000005', 'sale', 'a0000000-0000-4000-8000-000000000003',
   'e1000000-0000-4000-8000-000000000002', null, null, 79.00, 'USD', 'Order MP-SEED-0002 paid',
   now() - interval '1 day'),
  ('e5000000-0000-4000-8000-000000000006', 'commission', 'a0000000-0000-4000-8000-000000000003',
   'e1000000-0000-4000-8000-000000000002', 'e4000000-0000-4000-8000-000000000003', null, 19.75, 'USD',
   'Level 0 commission, MP-SEED-0002', now() - interval '1 day'),
  ('e5000000-0000-4000-8000-000000000007', 'commission', 'a0000000-0000-4000-8000-000000000002',
   'e1000000-0000-4000-8000-000000000002', 'e4000000-0000-4000-8000-000000000004', null, 3.95, 'USD',
   'Level 1 commission (upline), MP-SEED-0002', now() - interval '1 day')
on conflict (id) do nothing;

-- Learning --------------------------------------------------------------------------

insert into public.courses (id, trainer_id, slug, title, description, audience, is_published)
values
  ('f0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000004', 'maxpulse-foundations',
   'MAXPULSE Foundations', 'Sleep, stress and movement basics for everyone.', 'all', true),
  ('f0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000004', 'coaching-conversations',
   'Coaching Conversations', 'How distributors talk about assessment results (draft).', 'distributor', false)
on conflict (id) do nothing;

insert into public.course_modules (id, course_id, position, title)
values
  ('f1000000-0000-4000-8000-000000000001', 'f0000000-0000-4000-8000-000000000001', 1, 'Sleep'),
  ('f1000000-0000-4000-8000-000000000002', 'f0000000-0000-4000-8000-000000000001', 2, 'Stress and movement'),
  ('f1000000-0000-4000-8000-000000000003', 'f0000000-0000-4000-8000-000000000002', 1, 'Reading a result')
on conflict (id) do nothing;

insert into public.lessons (id, module_id, course_id, position, title, content_type, body, duration_minutes, is_preview)
values
  ('f2000000-0000-4000-8000-000000000001', 'f1000000-0000-4000-8000-000000000001',
   'f0000000-0000-4000-8000-000000000001', 1, 'Why sleep comes first', 'article',
   'Seven to eight hours is the foundation everything else builds on.', 5, true),
  ('f2000000-0000-4000-8000-000000000002', 'f1000000-0000-4000-8000-000000000001',
   'f0000000-0000-4000-8000-000000000001', 2, 'An evening routine', 'video', null, 12, false),
  ('f2000000-0000-4000-8000-000000000003', 'f1000000-0000-4000-8000-000000000002',
   'f0000000-0000-4000-8000-000000000001', 1, 'Two walks a day', 'article',
   'Short walks after meals lower stress and blood sugar.', 6, false),
  ('f2000000-0000-4000-8000-000000000004', 'f1000000-0000-4000-8000-000000000003',
   'f0000000-0000-4000-8000-000000000002', 1, 'Scores and categories', 'article', 'Draft.', 10, false)
on conflict (id) do nothing;

insert into public.enrollments (id, course_id, user_id, enrolled_at)
values
  ('f3000000-0000-4000-8000-000000000001', 'f0000000-0000-4000-8000-000000000001',
   'a0000000-0000-4000-8000-000000000005', now() - interval '5 days'),
  ('f3000000-0000-4000-8000-000000000002', 'f0000000-0000-4000-8000-000000000001',
   'a0000000-0000-4000-8000-000000000002', now() - interval '20 days')
on conflict (id) do nothing;

-- Progress rolls up into enrollments.progress_percent (trigger).
insert into public.lesson_progress (id, enrollment_id, course_id, user_id, lesson_id, status, started_at, completed_at)
values
  ('f4000000-0000-4000-8000-000000000001', 'f3000000-0000-4000-8000-000000000001',
   'f0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000005',
   'f2000000-0000-4000-8000-000000000001', 'completed', now() - interval '4 days', now() - interval '4 days'),
  ('f4000000-0000-4000-8000-000000000002', 'f3000000-0000-4000-8000-000000000001',
   'f0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000005',
   'f2000000-0000-4000-8000-000000000002', 'in_progress', now() - interval '3 days', null),
  ('f4000000-0000-4000-8000-000000000003', 'f3000000-0000-4000-8000-000000000002',
   'f0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002',
   'f2000000-0000-4000-8000-000000000001', 'completed', now() - interval '19 days', now() - interval '19 days'),
  ('f4000000-0000-4000-8000-000000000004', 'f3000000-0000-4000-8000-000000000002',
   'f0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002',
   'f2000000-0000-4000-8000-000000000002', 'completed', now() - interval '18 days', now() - interval '18 days')
on conflict (id) do nothing;

-- Analytics ---------------------------------------------------------------------------

insert into public.analytics_events (id, user_id, distributor_id, session_id, event_type, properties, occurred_at)
values
  ('a1000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000005',
   'a0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001', 'results.viewed',
   '{"category": "moderate"}', now() - interval '6 days'),
  ('a1000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000002',
   null, null, 'dashboard.opened', '{"tab": "clients"}', now() - interval '2 hours'),
  ('a1000000-0000-4000-8000-000000000003', 'a0000000-0000-4000-8000-000000000006',
   'a0000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000002', 'assessment.resumed',
   '{}', now() - interval '2 days')
on conflict (id) do nothing;

insert into public.performance_metrics (id, component_name, metric_type, metric_value, unit, tags, user_id, recorded_at)
values
  ('a2000000-0000-4000-8000-000000000001', 'AssessmentWizard', 'render_time', 182.4, 'ms',
   '{"route": "/assessment"}', 'a0000000-0000-4000-8000-000000000005', now() - interval '6 days'),
  ('a2000000-0000-4000-8000-000000000002', 'DistributorDashboard', 'largest_contentful_paint', 1.9, 's',
   '{"route": "/dashboard"}', 'a0000000-0000-4000-8000-000000000002', now() - interval '2 hours'),
  ('a2000000-0000-4000-8000-000000000003', 'ai-analysis', 'latency', 840, 'ms',
   '{"model": "rule-based"}', null, now() - interval '6 days')
on conflict (id) do nothing;

insert into public.ai_analysis_results (id, input_hash, assessment_type, analysis_data, model, session_id, expires_at)
values (
  'a3000000-0000-4000-8000-000000000001',
  '3b9c8f1e0d6a4c2b9e7f5a1d3c8b6e4f2a0d9c7b5e3f1a8d6c4b2e0f9a7d5c3b', 'health_risk',
  '{"category": "moderate", "highlights": ["sleep", "stress"]}', 'rule-based',
  'c0000000-0000-4000-8000-000000000001', now() + interval '1 day'
)
on conflict (id) do nothing;

-- Tracked links (link-tracker): Ava's campaign link, Ben's intro link, and a
-- link Ava switched off. The README's curl examples use these codes.
insert into public.tracked_links (
  id, distributor_id, short_code, destination_url, label, utm_source, utm_campaign, is_active
)
values
  ('a4000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002', 'ava-spring',
   'https://assessment.maxpulse.example/start', 'Spring campaign', 'instagram', 'spring', true),
  ('a4000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000003', 'ben-intro',
   'https://assessment.maxpulse.example/start', 'Intro', 'whatsapp', null, true),
  ('a4000000-0000-4000-8000-000000000003', 'a0000000-0000-4000-8000-000000000002', 'ava-winter',
   'https://assessment.maxpulse.example/start', 'Winter campaign (ended)', 'instagram', 'winter', false)
on conflict (id) do nothing;
