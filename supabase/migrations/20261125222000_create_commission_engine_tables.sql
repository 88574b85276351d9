-- The commission engine's tables: override rates per upline level, refunds
-- and the commission reversals they cause, the log of payment events, the
-- open-amount product flag, and unique keys that make the ledger's sale,
-- commission and payout entries exactly-once.
--
-- Refunds and reversals are written only by the commission processor (the
-- functions of the next migration, as service_role); distributors read their
-- own, admins read all. Corrections go through new events or ledger
-- adjustments, never by editing these rows.
--
-- The new indexes on products and ledger_entries are plain CREATE INDEX (a
-- migration is one transaction): both tables hold a few rows per order and
-- are built in moments.
-- squawk-ignore-file require-concurrent-index-creation

set local lock_timeout = '10s';
set local statement_timeout = '5min';

-- Override rates ------------------------------------------------------------------
-- Level 0 is the seller, paid at their own rate or their tier's, whichever is
-- higher. Level n >= 1 is the n-th distributor up the seller's upline, paid
-- this rate of the same base. A level without a row pays nothing.

create table public.commission_override_rates (
  level integer primary key,
  rate numeric(5, 2) not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint commission_override_rates_level_check check (level between 1 and 10),
  constraint commission_override_rates_rate_check check (rate >= 0 and rate <= 100)
);
alter table public.commission_override_rates enable row level security;
comment on table public.commission_override_rates is
  'Upline level -> the percentage of each commissionable line the n-th upline earns.';

insert into public.commission_override_rates (level, rate) values (1, 5.00)
on conflict (level) do nothing;

create trigger commission_override_rates_set_updated_at
  before update on public.commission_override_rates
  for each row execute function private.set_updated_at();

create policy commission_override_rates_select on public.commission_override_rates
  for select to authenticated
  using ((select private.is_distributor()) or (select private.is_admin()));

create policy commission_override_rates_insert on public.commission_override_rates
  for insert to authenticated
  with check ((select private.is_admin()));

create policy commission_override_rates_update on public.commission_override_rates
  for update to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));

create policy commission_override_rates_delete on public.commission_override_rates
  for delete to authenticated
  using ((select private.is_admin()));

-- Open-amount sales ------------------------------------------------------------------
-- A sale event without items is booked as one line of this product at the
-- event's amount; without such a product (per currency) items are required.

alter table public.products add column is_open_amount boolean not null default false;
comment on column public.products.is_open_amount is
  'Sales without items are booked as one line of this product at their amount (one per currency).';

create unique index products_open_amount_currency_key
  on public.products (currency) where is_open_amount;

-- Payment events --------------------------------------------------------------------
-- Every event the processor accepted, by the payment system's id. Inserting
-- the id is the first statement of processing: a second delivery waits for
-- the first to commit, then finds the id and answers the first result.

create table private.payment_events (
  event_id text primary key,
  event_type text not null,
  order_reference text not null,
  payload jsonb not null,
  received_at timestamptz not null default now(),
  constraint payment_events_event_id_length_check check (char_length(event_id) between 1 and 255),
  constraint payment_events_type_check check (event_type in ('sale', 'refund', 'order_paid')),
  constraint payment_events_order_reference_length_check
    check (char_length(order_reference) between 1 and 255)
);

-- Refunds ---------------------------------------------------------------------------
-- One row per refund event. `pending` until its order's sale is booked (a
-- refund may arrive first); then `applied`, or `refused` when it would take
-- the order's refunds past its total.

create table public.order_refunds (
  id uuid primary key default gen_random_uuid(),
  event_id text not null,
  order_reference text not null,
  order_id uuid references public.orders (id) on delete restrict,
  distributor_id uuid references public.users (id) on delete restrict,
  amount numeric(12, 2) not null,
  currency text,
  status text not null default 'pending',
  refused_reason text,
  -- the clock, not the transaction's start: pending refunds apply in arrival order
  received_at timestamptz not null default clock_timestamp(),
  settled_at timestamptz,
  constraint order_refunds_event_id_key unique (event_id),
  constraint order_refunds_amount_check check (amount > 0),
  constraint order_refunds_currency_check check (currency ~ '^[A-Z]{3}$'),
  constraint order_refunds_status_check check (status in ('pending', 'applied', 'refused')),
  constraint order_refunds_settled_check check (
    (status = 'pending') = (settled_at is null)
    and (status = 'pending') = (order_id is null)
    and (status = 'pending') = (distributor_id is null)
  ),
  constraint order_refunds_reason_check check ((status = 'refused') = (refused_reason is not null))
);
alter table public.order_refunds enable row level security;
comment on table public.order_refunds is
  'Refund events: pending until their order is booked, then applied or refused. Written by the commission processor only.';
comment on column public.order_refunds.distributor_id is 'The seller of the refunded order (set when settled).';

create index order_refunds_pending_reference_idx
  on public.order_refunds (order_reference, received_at) where status = 'pending';
create index order_refunds_order_id_idx on public.order_refunds (order_id);
create index order_refunds_distributor_id_idx on public.order_refunds (distributor_id);

-- Commission reversals ----------------------------------------------------------------
-- What a refund took back of one commission. Before the commission is paid a
-- reversal lowers what its payout will pay; after, it is a clawback that the
-- distributor's next payout deducts (settled_payout_id).

create table public.commission_reversals (
  id uuid primary key default gen_random_uuid(),
  commission_id uuid not null references public.commissions (id) on delete restrict,
  refund_id uuid not null references public.order_refunds (id) on delete restrict,
  distributor_id uuid not null references public.users (id) on delete restrict,
  amount numeric(12, 2) not null,
  currency text not null,
  is_clawback boolean not null,
  settled_payout_id uuid references public.payouts (id) on delete restrict,
  created_at timestamptz not null default now(),
  constraint commission_reversals_commission_refund_key unique (commission_id, refund_id),
  constraint commission_reversals_amount_check check (amount > 0),
  constraint commission_reversals_currency_check check (currency ~ '^[A-Z]{3}$'),
  constraint commission_reversals_settled_check check (is_clawback or settled_payout_id is null)
);
alter table public.commission_reversals enable row level security;
comment on table public.commission_reversals is
  'The part of a commission a refund took back; a clawback when the commission was already paid out.';

create index commission_reversals_refund_id_idx on public.commission_reversals (refund_id);
create index commission_reversals_distributor_id_idx on public.commission_reversals (distributor_id);
create index commission_reversals_unsettled_idx
  on public.commission_reversals (distributor_id, currency) where is_clawback and settled_payout_id is null;
create index commission_reversals_settled_payout_id_idx
  on public.commission_reversals (settled_payout_id);

revoke insert, update, delete on public.order_refunds, public.commission_reversals
  from anon, authenticated;
revoke all on public.order_refunds, public.commission_reversals from anon;

create policy order_refunds_select on public.order_refunds
  for select to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

create policy commission_reversals_select on public.commission_reversals
  for select to authenticated
  using (distributor_id = (select auth.uid()) or (select private.is_admin()));

-- Exactly-once keys of the ledger ------------------------------------------------------
-- One sale entry per order, one commission entry per commission, one payout
-- entry per payout: a retried booking conflicts instead of counting twice.

create unique index ledger_entries_sale_order_key
  on public.ledger_entries (order_id) where entry_type = 'sale';
create unique index ledger_entries_commission_key
  on public.ledger_entries (commission_id) where entry_type = 'commission';
create unique index ledger_entries_payout_key
  on public.ledger_entries (payout_id) where entry_type = 'payout';

-- The processor's functions (next migrations) run as service_role.
grant select, insert on private.payment_events to service_role;
