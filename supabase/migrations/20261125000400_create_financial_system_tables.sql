-- Financial system: products, orders and their items, commission tiers,
-- commissions, payouts and an append-only ledger.
--
-- Money is numeric(12, 2) next to an ISO 4217 currency column, never a float.
-- Commissions have a natural key (order item, level) so that turning sales
-- into commissions can be retried and still pays each level exactly once.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

create table public.products (
  id uuid primary key default gen_random_uuid(),
  sku text not null unique,
  name text not null,
  description text,
  price numeric(12, 2) not null,
  currency text not null default 'USD',
  is_commissionable boolean not null default true,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint products_sku_format_check check (sku ~ '^[A-Z0-9][A-Z0-9-]{1,39}$'),
  constraint products_price_check check (price >= 0),
  constraint products_currency_check check (currency ~ '^[A-Z]{3}$')
);
alter table public.products enable row level security;

create table public.commission_tiers (
  tier_level integer primary key,
  name text not null unique,
  commission_rate numeric(5, 2) not null,
  min_sales numeric(12, 2) not null,
  currency text not null default 'USD',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint commission_tiers_level_check check (tier_level >= 1),
  constraint commission_tiers_rate_check check (commission_rate >= 0 and commission_rate <= 100),
  constraint commission_tiers_min_sales_check check (min_sales >= 0),
  constraint commission_tiers_currency_check check (currency ~ '^[A-Z]{3}$')
);
alter table public.commission_tiers enable row level security;
comment on table public.commission_tiers is
  'Tier level -> commission rate and the sales total (min_sales) that reaches it.';

insert into public.commission_tiers (tier_level, name, commission_rate, min_sales) values
  (1, 'Associate', 25.00, 0),
  (2, 'Bronze', 30.00, 5000),
  (3, 'Silver', 35.00, 15000),
  (4, 'Gold', 40.00, 50000)
on conflict (tier_level) do nothing;

-- distributor_profiles was created before the tiers existed; both tables are
-- new in this deployment, so the lock and scan squawk warns about are empty.
alter table public.distributor_profiles
  -- squawk-ignore adding-foreign-key-constraint, constraint-missing-not-valid
  add constraint distributor_profiles_tier_level_fkey
  foreign key (tier_level) references public.commission_tiers (tier_level) on update cascade;

create table public.orders (
  id uuid primary key default gen_random_uuid(),
  order_number text not null unique default ('MP-' || upper(substr(md5(gen_random_uuid()::text), 1, 12))),
  distributor_id uuid not null references public.users (id) on delete restrict,
  client_id uuid,
  status text not null default 'pending',
  currency text not null default 'USD',
  subtotal numeric(12, 2) not null default 0,
  tax_amount numeric(12, 2) not null default 0,
  shipping_amount numeric(12, 2) not null default 0,
  total_amount numeric(12, 2) generated always as (subtotal + tax_amount + shipping_amount) stored,
  notes text,
  external_reference text unique,
  placed_at timestamptz not null default now(),
  paid_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint orders_id_currency_key unique (id, currency),
  constraint orders_client_fkey foreign key (client_id, distributor_id)
    references public.clients (id, distributor_id) on delete set null (client_id),
  constraint orders_status_check
    check (status in ('pending', 'paid', 'fulfilled', 'cancelled', 'refunded')),
  constraint orders_paid_at_check check ((status in ('pending', 'cancelled')) = (paid_at is null)),
  constraint orders_amounts_check check (subtotal >= 0 and tax_amount >= 0 and shipping_amount >= 0),
  constraint orders_currency_check check (currency ~ '^[A-Z]{3}$')
);
alter table public.orders enable row level security;
comment on column public.orders.distributor_id is 'The distributor who made the sale (users.id).';
comment on column public.orders.subtotal is 'Sum of the order items'' line totals, kept by trigger.';

create table public.order_items (
  id uuid primary key default gen_random_uuid(),
  order_id uuid not null,
  product_id uuid not null references public.products (id) on delete restrict,
  quantity integer not null,
  unit_price numeric(12, 2) not null,
  currency text not null,
  line_total numeric(12, 2) generated always as (quantity * unit_price) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint order_items_id_order_key unique (id, order_id),
  constraint order_items_order_fkey foreign key (order_id, currency)
    references public.orders (id, currency) on update cascade on delete cascade,
  constraint order_items_quantity_check check (quantity > 0 and quantity <= 10000),
  constraint order_items_unit_price_check check (unit_price >= 0)
);
alter table public.order_items enable row level security;

create table public.payouts (
  id uuid primary key default gen_random_uuid(),
  distributor_id uuid not null references public.users (id) on delete restrict,
  amount numeric(12, 2) not null,
  currency text not null default 'USD',
  status text not null default 'pending',
  method text not null default 'bank_transfer',
  reference text,
  period_start date,
  period_end date,
  requested_at timestamptz not null default now(),
  paid_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint payouts_amount_check check (amount > 0),
  constraint payouts_currency_check check (currency ~ '^[A-Z]{3}$'),
  constraint payouts_status_check
    check (status in ('pending', 'processing', 'paid', 'failed', 'cancelled')),
  constraint payouts_paid_at_check check ((status = 'paid') = (paid_at is not null)),
  constraint payouts_method_check check (method in ('bank_transfer', 'paypal', 'check', 'store_credit')),
  constraint payouts_period_check check (period_end >= period_start)
);
alter table public.payouts enable row level security;

create table public.commissions (
  id uuid primary key default gen_random_uuid(),
  order_item_id uuid not null,
  order_id uuid not null,
  distributor_id uuid not null references public.users (id) on delete restrict,
  level integer not null,
  rate numeric(5, 2) not null,
  base_amount numeric(12, 2) not null,
  amount numeric(12, 2) not null,
  currency text not null,
  status text not null default 'pending',
  payout_id uuid references public.payouts (id) on delete set null,
  earned_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint commissions_order_item_level_key unique (order_item_id, level),
  constraint commissions_order_item_fkey foreign key (order_item_id, order_id)
    references public.order_items (id, order_id) on delete restrict,
  constraint commissions_level_check check (level >= 0 and level <= 10),
  constraint commissions_rate_check check (rate >= 0 and rate <= 100),
  constraint commissions_amounts_check check (base_amount >= 0 and amount >= 0),
  constraint commissions_currency_check check (currency ~ '^[A-Z]{3}$'),
  constraint commissions_status_check check (status in ('pending', 'approved', 'paid', 'reversed')),
  constraint commissions_paid_has_payout_check check (status <> 'paid' or payout_id is not null)
);
alter table public.commissions enable row level security;
comment on constraint commissions_order_item_level_key on public.commissions is
  'Exactly one commission per order item and level (0 = the seller, 1 = their upline, ...).';

-- Append-only: rows are added, never changed or removed, not even by the owner.
-- A correction is a new entry with the opposite amount.
create table public.ledger_entries (
  id uuid primary key default gen_random_uuid(),
  entry_type text not null,
  distributor_id uuid references public.users (id) on delete restrict,
  order_id uuid references public.orders (id) on delete restrict,
  commission_id uuid references public.commissions (id) on delete restrict,
  payout_id uuid references public.payouts (id) on delete restrict,
  amount numeric(12, 2) not null,
  currency text not null,
  description text,
  created_by uuid default auth.uid() references public.users (id) on delete restrict,
  created_at timestamptz not null default now(),
  constraint ledger_entries_type_check
    check (entry_type in ('sale', 'commission', 'commission_reversal', 'payout', 'adjustment', 'refund')),
  constraint ledger_entries_amount_check check (amount <> 0),
  constraint ledger_entries_currency_check check (currency ~ '^[A-Z]{3}$')
);
alter table public.ledger_entries enable row level security;
comment on table public.ledger_entries is
  'Append-only money ledger: UPDATE, DELETE and TRUNCATE are refused by trigger.';

create function private.refuse_ledger_change() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'ledger_entries is append-only: % is not allowed', lower(tg_op)
    using errcode = 'object_not_in_prerequisite_state',
          hint = 'record a correcting entry instead';
end
$$;

-- BEFORE INSERT OR UPDATE on order_items: the price comes from the catalogue.
-- Privileged writers (admins, service_role) may set another price; others get
-- the product's price and currency, and an error if they asked for another.
-- Not SECURITY DEFINER: private.is_privileged() must see the caller's role.
create function private.price_order_item() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  product public.products%rowtype;
begin
  select * into product from public.products as p where p.id = new.product_id;
  if not found then
    if private.is_privileged() then
      return new;  -- the foreign key reports a product that does not exist
    end if;
    raise exception 'product % is not for sale', new.product_id
      using errcode = 'insufficient_privilege';
  end if;
  new.currency := coalesce(new.currency, product.currency);
  new.unit_price := coalesce(new.unit_price, product.price);
  if not private.is_privileged()
     and (new.unit_price <> product.price or new.currency <> product.currency
          or not product.is_active) then
    raise exception 'order items are sold at the catalogue price of an active product'
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end
$$;

-- AFTER INSERT/UPDATE/DELETE on order_items: orders.subtotal is the sum of its lines.
create function private.refresh_order_subtotal() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  affected_order uuid;
begin
  foreach affected_order in array array_remove(
    array[(to_jsonb(new) ->> 'order_id')::uuid, (to_jsonb(old) ->> 'order_id')::uuid], null
  ) loop
    update public.orders as o
    set subtotal = coalesce((
      select sum(i.line_total) from public.order_items as i where i.order_id = affected_order
    ), 0)
    where o.id = affected_order;
  end loop;
  return null;
end
$$;

create trigger products_set_updated_at
  before update on public.products
  for each row execute function private.set_updated_at();

create trigger commission_tiers_set_updated_at
  before update on public.commission_tiers
  for each row execute function private.set_updated_at();

create trigger orders_set_updated_at
  before update on public.orders
  for each row execute function private.set_updated_at();

create trigger orders_protect_columns
  before update on public.orders
  for each row execute function private.protect_columns(
    'distributor_id', 'order_number', 'currency', 'subtotal', 'paid_at', 'external_reference',
    'placed_at', 'created_at'
  );

create trigger orders_check_distributor
  before insert or update of distributor_id on public.orders
  for each row execute function private.check_user_role_reference('distributor_id', 'distributor');

create trigger order_items_set_updated_at
  before update on public.order_items
  for each row execute function private.set_updated_at();

create trigger order_items_price
  before insert or update of product_id, unit_price, currency on public.order_items
  for each row execute function private.price_order_item();

create trigger order_items_refresh_order_subtotal
  after insert or update or delete on public.order_items
  for each row execute function private.refresh_order_subtotal();

create trigger payouts_set_updated_at
  before update on public.payouts
  for each row execute function private.set_updated_at();

create trigger payouts_check_distributor
  before insert or update of distributor_id on public.payouts
  for each row execute function private.check_user_role_reference('distributor_id', 'distributor');

create trigger commissions_set_updated_at
  before update on public.commissions
  for each row execute function private.set_updated_at();

create trigger commissions_check_distributor
  before insert or update of distributor_id on public.commissions
  for each row execute function private.check_user_role_reference('distributor_id', 'distributor');

create trigger ledger_entries_refuse_update_delete
  before update or delete on public.ledger_entries
  for each row execute function private.refuse_ledger_change();

create trigger ledger_entries_refuse_truncate
  before truncate on public.ledger_entries
  for each statement execute function private.refuse_ledger_change();

-- Functions are created executable by PUBLIC: keep only the explicit grants.
-- (Trigger functions need no EXECUTE grant to fire.)
revoke execute on all functions in schema private from public;
