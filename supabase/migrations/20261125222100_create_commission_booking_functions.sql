-- Booking payment events: paid sales into commissions exactly once, refunds
-- into proportional reversals. The commission-processor function calls
-- private.process_payment_event(event) as one statement; everything below
-- happens in that statement's transaction, so an event is booked whole or
-- not at all.
--
-- Exactly once, by unique keys rather than by looking first:
--   * private.payment_events (event_id): a redelivered event waits for the
--     first delivery to commit, then answers its result with duplicate = true;
--   * orders.external_reference: a second sale of the same order, whatever
--     its event id, answers the first sale's result;
--   * ledger_entries (order_id) where entry_type = 'sale': an order is booked
--     once, however it was paid (sale or order_paid event);
--   * commissions (order_item_id, level): one commission per line and level.
--
-- Locks are taken in one order everywhere (the order reference's advisory
-- lock, the order, its commissions by id, then distributor profiles from the
-- seller up the upline), so bookings, refunds and payout runs wait for each
-- other instead of deadlocking.
--
-- Input errors raise SQLSTATE MP422 with the event's field in COLUMN and a
-- snake_case reason in CONSTRAINT; the function answers them as 422.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

-- Arithmetic ---------------------------------------------------------------------
-- PL/pgSQL, not SQL: a function with a fixed search_path is never inlined, and
-- PL/pgSQL evaluates these one-expression bodies without starting an executor
-- (and caches the plans of the longer functions below for the session).

-- Rounds to `places` decimals, ties to the even neighbour (banker's rounding):
-- 0.125 -> 0.12, 0.135 -> 0.14. round() on numeric sends ties away from zero.
create function private.round_half_even(value numeric, places integer) returns numeric
language plpgsql
immutable
strict
parallel safe
set search_path = ''
as $$
declare
  scaled numeric := value * 10::numeric ^ places;
begin
  if abs(mod(scaled, 1)) = 0.5 and mod(trunc(scaled), 2) = 0 then
    return trunc(value, places);
  end if;
  return round(value, places);
end
$$;

-- The commission of `base` at `rate` percent: base x rate / 100, half to even.
create function private.commission_amount(base numeric, rate numeric) returns numeric
language plpgsql
immutable
strict
parallel safe
set search_path = ''
as $$
declare
  cents numeric := base * rate;  -- exact: the commission in cents, fractions included
begin
  if abs(mod(cents, 1)) = 0.5 and mod(trunc(cents), 2) = 0 then
    return trunc(cents) * 0.01;
  end if;
  return round(cents) * 0.01;
end
$$;

-- amount * part / whole in cents, ties to even, computed on integers so that
-- no division is ever rounded before the tie is decided. For cents >= 0.
create function private.prorate(amount numeric, part numeric, whole numeric) returns numeric
language plpgsql
immutable
strict
parallel safe
set search_path = ''
as $$
declare
  numerator numeric := amount * 100 * part * 100;
  denominator numeric := whole * 100;
  cents numeric := div(numerator, denominator);
  twice_rest numeric := 2 * mod(numerator, denominator);
begin
  if twice_rest > denominator or (twice_rest = denominator and mod(cents, 2) = 1) then
    cents := cents + 1;
  end if;
  return round(cents * 0.01, 2);
end
$$;

-- Orders ---------------------------------------------------------------------------

-- As before (orders.subtotal is the sum of its lines), but an order whose
-- subtotal is already right is left alone: a sale inserts its order with the
-- subtotal of its lines, and its items then cost no second write of the order.
create or replace function private.refresh_order_subtotal() returns trigger
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
    set subtotal = lines.subtotal
    from (
      select coalesce(sum(i.line_total), 0) as subtotal
      from public.order_items as i
      where i.order_id = affected_order
    ) as lines
    where o.id = affected_order and o.subtotal is distinct from lines.subtotal;
  end loop;
  return null;
end
$$;

-- Serialises a sale and the refunds of the same order reference, so that a
-- refund is never left pending by a sale committing at the same moment.
create function private.lock_order_reference(reference text) returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  perform pg_advisory_xact_lock(hashtextextended('maxpulse.order:' || reference, 0));
end
$$;

create function private.is_booked(booked_order_id uuid) returns boolean
language plpgsql
stable
set search_path = ''
as $$
begin
  return exists (
    select 1 from public.ledger_entries as e
    where e.order_id = booked_order_id and e.entry_type = 'sale'
  );
end
$$;

-- Books a paid order: its sale entry, a commission per commissionable line
-- and earning level with their entries, the totals, a tier promotion for
-- later sales, and refunds that arrived before the order. False when the
-- order was booked already (the sale entry's unique key).
--
-- The earners: level 0 the seller, at their rate or their tier's, whichever
-- is higher; level n the n-th upline at that level's override rate, when
-- active and paid in the sale's currency. Their profiles are locked first,
-- seller first and then up the upline (the order every booking and refund
-- takes them in), so rates and tiers are read current and totals cannot race.
create function private.book_paid_order(booked_order_id uuid) returns boolean
language plpgsql
volatile
set search_path = ''
as $$
declare
  sale public.orders%rowtype;
  earners jsonb;
  pending_refund uuid;
begin
  select * into strict sale from public.orders as o where o.id = booked_order_id;
  insert into public.ledger_entries (entry_type, distributor_id, order_id, amount, currency, description)
  values ('sale', sale.distributor_id, sale.id, sale.total_amount, sale.currency,
          format('Order %s paid', sale.order_number))
  on conflict (order_id) where entry_type = 'sale' do nothing;
  if not found then
    return false;
  end if;

  with recursive chain (level, user_id) as (
    select 0, sale.distributor_id
    union all
    select chain.level + 1, d.upline_id
    from chain
    join public.distributor_profiles as d on d.user_id = chain.user_id
    where d.upline_id is not null
      and chain.level < (select coalesce(max(r.level), 0) from public.commission_override_rates as r)
  ),
  locked as (
    select chain.level, d.user_id, d.status, d.currency, d.commission_rate, d.tier_level
    from chain
    join public.distributor_profiles as d on d.user_id = chain.user_id
    order by chain.level
    for update of d
  )
  select jsonb_agg(jsonb_build_object('user_id', l.user_id, 'level', l.level, 'rate',
           case when l.level = 0 then greatest(l.commission_rate, coalesce(t.commission_rate, 0))
                else r.rate end))
  into earners
  from locked as l
  left join public.commission_tiers as t on t.tier_level = l.tier_level and l.level = 0
  left join public.commission_override_rates as r on r.level = l.level
  where l.level = 0 or (r.rate is not null and l.status = 'active' and l.currency = sale.currency);

  with earned as (
    insert into public.commissions (
      order_item_id, order_id, distributor_id, level, rate, base_amount, amount, currency, earned_at
    )
    select i.id, sale.id, e.user_id, e.level, e.rate, i.line_total, c.amount, i.currency, sale.paid_at
    from public.order_items as i
    join public.products as p on p.id = i.product_id and p.is_commissionable
    cross join jsonb_to_recordset(earners) as e (user_id uuid, level integer, rate numeric)
    cross join lateral (
      select private.commission_amount(i.line_total, e.rate) as amount offset 0
    ) as c
    where i.order_id = sale.id and c.amount > 0
    returning id, distributor_id, level, amount, currency
  ),
  entries as (
    insert into public.ledger_entries (
      entry_type, distributor_id, order_id, commission_id, amount, currency, description
    )
    select 'commission', c.distributor_id, sale.id, c.id, c.amount, c.currency,
           format('Level %s commission, %s', c.level, sale.order_number)
    from earned as c
  ),
  changes as (
    select c.distributor_id, sum(c.amount) as commissions, 0 as sales from earned as c group by 1
    union all
    select sale.distributor_id, 0, sale.total_amount
  )
  update public.distributor_profiles as d
  set total_commissions = d.total_commissions + t.commissions,
      total_sales = d.total_sales + t.sales
  from (
    select c.distributor_id, sum(c.commissions) as commissions, sum(c.sales) as sales
    from changes as c group by 1
  ) as t
  where d.user_id = t.distributor_id;

  -- Promotion to the highest tier the seller's sales now reach, for later sales
  -- (this one is paid at the old rate). Only up.
  update public.distributor_profiles as d
  set tier_level = reached.tier_level,
      commission_rate = greatest(d.commission_rate, reached.commission_rate)
  from (
    select tier.tier_level, tier.commission_rate
    from public.distributor_profiles as me
    join public.commission_tiers as tier
      on tier.min_sales <= me.total_sales and tier.currency = me.currency
         and tier.tier_level > me.tier_level
    where me.user_id = sale.distributor_id
    order by tier.tier_level desc
    limit 1
  ) as reached
  where d.user_id = sale.distributor_id;

  -- Refunds that arrived before the order, oldest first; one that no longer
  -- fits is refused, not raised.
  for pending_refund in
    select r.id
    from public.order_refunds as r
    where r.status = 'pending' and r.order_reference in (sale.external_reference, sale.id::text)
    order by r.received_at, r.id
  loop
    perform private.apply_refund(pending_refund, sale.id, false);
  end loop;
  return true;
end
$$;

-- Refunds --------------------------------------------------------------------------

-- The booked order a refund names (its external reference, else its id),
-- locked; null when there is none yet.
create function private.lock_booked_order(reference text) returns uuid
language plpgsql
volatile
set search_path = ''
as $$
declare
  found_id uuid;
begin
  select o.id into found_id from public.orders as o where o.external_reference = reference for update;
  if found_id is null
     and reference ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    select o.id into found_id from public.orders as o where o.id = reference::uuid for update;
  end if;
  if found_id is null or not private.is_booked(found_id) then
    return null;
  end if;
  return found_id;
end
$$;

-- Settles one refund on its booked (and locked) order. A refund that does not
-- fit (another currency, or past the order's total) raises when it is being
-- delivered (`is_live`) and is marked refused when applied later.
create function private.apply_refund(refund_id uuid, booked_order_id uuid, is_live boolean)
returns void
language plpgsql
volatile
set search_path = ''
as $$
declare
  refund public.order_refunds%rowtype;
  target public.orders%rowtype;
  refunded_after numeric;
begin
  select * into strict refund from public.order_refunds as r where r.id = refund_id;
  select * into strict target from public.orders as o where o.id = booked_order_id;
  if refund.currency is not null and refund.currency <> target.currency then
    perform private.refuse_refund(refund_id, target, is_live, 'currency', 'currency_mismatch',
      format('the refund is in %s but order %s is in %s', refund.currency, target.order_number, target.currency));
    return;
  end if;
  select coalesce(sum(r.amount), 0) + refund.amount into refunded_after
  from public.order_refunds as r
  where r.order_id = target.id and r.status = 'applied';
  if refunded_after > target.total_amount then
    perform private.refuse_refund(refund_id, target, is_live, 'amount', 'refund_exceeds_total',
      format('a refund of %s would bring the refunds of order %s to %s, past its total of %s %s',
             refund.amount, target.order_number, refunded_after, target.total_amount, target.currency));
    return;
  end if;

  update public.order_refunds as r
  set status = 'applied', order_id = target.id, distributor_id = target.distributor_id, settled_at = now()
  where r.id = refund_id;
  if refunded_after = target.total_amount then
    update public.orders as o set status = 'refunded' where o.id = target.id;
  end if;
  insert into public.ledger_entries (entry_type, distributor_id, order_id, amount, currency, description)
  values ('refund', target.distributor_id, target.id, -refund.amount, target.currency,
          format('Refund of order %s', target.order_number));
  perform private.reverse_commissions(refund_id, target, refund.amount, refunded_after);
end
$$;

create function private.refuse_refund(
  refund_id uuid, target public.orders, is_live boolean, field text, reason text, message text
) returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  if is_live then
    raise exception using message = message, errcode = 'MP422', column = field, constraint = reason;
  end if;
  update public.order_refunds as r
  set status = 'refused', order_id = target.id, distributor_id = target.distributor_id,
      settled_at = now(), refused_reason = message
  where r.id = refund_id;
end
$$;

-- Takes back of each commission of the order the share refunded so far:
-- round_half_even(amount * refunded / total) minus what earlier refunds took.
-- Cumulative, so partial refunds never add up to more than was earned and a
-- full refund takes back exactly everything. A commission not paid out yet is
-- reduced (and `reversed` once nothing is left); a paid one is clawed back
-- from the distributor's next payout.
create function private.reverse_commissions(
  refund_id uuid, target public.orders, refund_amount numeric, refunded_after numeric
) returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  perform 1 from public.commissions as c where c.order_id = target.id order by c.id for update;
  perform 1
  from public.distributor_profiles as d
  join (
    select target.distributor_id as user_id, 0 as level
    union
    select c.distributor_id, c.level from public.commissions as c where c.order_id = target.id
  ) as e on e.user_id = d.user_id
  order by e.level
  for update of d;

  with owed as (
    select c.id, c.distributor_id, c.level, c.currency, c.status, c.amount,
           private.prorate(c.amount, refunded_after, target.total_amount) as reversed_after,
           coalesce((select sum(r.amount) from public.commission_reversals as r
                     where r.commission_id = c.id), 0) as reversed_before
    from public.commissions as c
    where c.order_id = target.id
  ),
  reversals as (
    insert into public.commission_reversals (
      commission_id, refund_id, distributor_id, amount, currency, is_clawback
    )
    select o.id, refund_id, o.distributor_id, o.reversed_after - o.reversed_before, o.currency,
           o.status = 'paid'
    from owed as o
    where o.reversed_after > o.reversed_before
    returning commission_id, distributor_id, amount, currency
  ),
  entries as (
    insert into public.ledger_entries (
      entry_type, distributor_id, order_id, commission_id, amount, currency, description
    )
    select 'commission_reversal', r.distributor_id, target.id, r.commission_id, -r.amount,
           r.currency, format('Commission reversed by a refund of order %s', target.order_number)
    from reversals as r
  ),
  statuses as (
    update public.commissions as c
    set status = 'reversed'
    from owed as o
    where c.id = o.id and o.reversed_after = o.amount and o.status in ('pending', 'approved')
  ),
  changes as (
    select r.distributor_id, sum(r.amount) as commissions, 0 as sales from reversals as r group by 1
    union all
    select target.distributor_id, 0, refund_amount
  )
  update public.distributor_profiles as d
  set total_commissions = d.total_commissions - t.commissions,
      total_sales = d.total_sales - t.sales
  from (
    select c.distributor_id, sum(c.commissions) as commissions, sum(c.sales) as sales
    from changes as c group by 1
  ) as t
  where d.user_id = t.distributor_id;
end
$$;

-- Answers ---------------------------------------------------------------------------

create function private.sale_result(booked_order_id uuid, is_duplicate boolean) returns json
language plpgsql
stable
set search_path = ''
as $$
begin
  return (
    select json_build_object(
      'duplicate', is_duplicate,
      'order', json_build_object(
        'id', o.id,
        'orderNumber', o.order_number,
        'reference', o.external_reference,
        'distributorId', o.distributor_id,
        'total', o.total_amount::text,
        'currency', o.currency,
        'paidAt', to_char(o.paid_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
      ),
      'commissions', coalesce((
        select json_agg(json_build_object(
          'id', c.id,
          'level', c.level,
          'distributorId', c.distributor_id,
          'distributorCode', d.distributor_code,
          'sku', p.sku,
          'rate', c.rate::text,
          'base', c.base_amount::text,
          'amount', c.amount::text,
          'currency', c.currency
        ) order by i.created_at, i.id, c.level)
        from public.commissions as c
        join public.order_items as i on i.id = c.order_item_id
        join public.products as p on p.id = i.product_id
        join public.distributor_profiles as d on d.user_id = c.distributor_id
        where c.order_id = o.id
      ), '[]'::json)
    )
    from public.orders as o
    where o.id = booked_order_id
  );
end
$$;

create function private.refund_result(refund_event_id text, is_duplicate boolean) returns json
language plpgsql
stable
set search_path = ''
as $$
begin
  return (
    select json_build_object(
      'duplicate', is_duplicate,
      'refund', json_build_object(
        'id', r.id,
        'status', r.status,
        'amount', r.amount::text,
        'currency', coalesce(r.currency, o.currency),
        'reason', r.refused_reason
      ),
      'order', case when o.id is not null then json_build_object(
        'id', o.id,
        'orderNumber', o.order_number,
        'reference', o.external_reference,
        'total', o.total_amount::text,
        'currency', o.currency,
        'status', o.status
      ) end,
      'reversals', coalesce((
        select json_agg(json_build_object(
          'commissionId', c.id,
          'level', c.level,
          'distributorId', cr.distributor_id,
          'distributorCode', d.distributor_code,
          'amount', cr.amount::text,
          'currency', cr.currency,
          'clawback', cr.is_clawback
        ) order by c.level, c.id)
        from public.commission_reversals as cr
        join public.commissions as c on c.id = cr.commission_id
        join public.distributor_profiles as d on d.user_id = cr.distributor_id
        where cr.refund_id = r.id
      ), '[]'::json)
    )
    from public.order_refunds as r
    left join public.orders as o on o.id = r.order_id
    where r.event_id = refund_event_id
  );
end
$$;

-- Events ---------------------------------------------------------------------------

-- The validated lines of a sale at catalogue prices, as JSON
-- [{product_id, quantity, unit_price}]; an itemless sale is one line of the
-- currency's open-amount product at the sale's amount.
create function private.sale_lines(event jsonb) returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  sale_currency text := event ->> 'currency';
  amount numeric := (event ->> 'amount')::numeric;
  items jsonb := coalesce(nullif(event -> 'items', 'null'::jsonb), '[]'::jsonb);
  culprit record;
  lines jsonb;
  total numeric;
begin
  if jsonb_array_length(items) = 0 then
    select jsonb_build_array(jsonb_build_object('product_id', p.id, 'quantity', 1, 'unit_price', amount))
    into lines
    from public.products as p
    where p.currency = sale_currency and p.is_open_amount and p.is_active;
    if lines is null or amount is null then
      raise exception using errcode = 'MP422', column = 'items', constraint = 'items_required',
        message = format('list the items sold: there is no open-amount product in %s to book an amount alone', sale_currency);
    end if;
    return lines;
  end if;

  select i.position - 1 as index, i.item ->> 'sku' as sku, p.currency
  into culprit
  from jsonb_array_elements(items) with ordinality as i (item, position)
  left join public.products as p on p.sku = i.item ->> 'sku' and p.is_active
  where p.id is null or p.currency <> sale_currency
  order by i.position
  limit 1;
  if found then
    raise exception using errcode = 'MP422', column = format('items[%s].sku', culprit.index),
      constraint = case when culprit.currency is null then 'unknown_sku' else 'currency_mismatch' end,
      message = case when culprit.currency is null
        then format('no active product has the SKU %s', culprit.sku)
        else format('%s is sold in %s, not %s', culprit.sku, culprit.currency, sale_currency) end;
  end if;

  select jsonb_agg(jsonb_build_object(
           'product_id', p.id, 'quantity', (i.item ->> 'quantity')::integer, 'unit_price', p.price)
           order by i.position),
         sum(p.price * (i.item ->> 'quantity')::integer)
  into lines, total
  from jsonb_array_elements(items) with ordinality as i (item, position)
  join public.products as p on p.sku = i.item ->> 'sku' and p.is_active;
  if amount is not null and amount <> total then
    raise exception using errcode = 'MP422', column = 'amount', constraint = 'amount_mismatch',
      message = format('amount %s is not the items'' total of %s %s at catalogue prices', amount, total, sale_currency);
  end if;
  return lines;
end
$$;

-- The seller of a sale, who must be an active distributor paid in its currency.
create function private.sale_seller(code text, sale_currency text, field text)
returns public.distributor_profiles
language plpgsql
stable
set search_path = ''
as $$
declare
  seller public.distributor_profiles%rowtype;
begin
  select * into seller from public.distributor_profiles as d where d.distributor_code = upper(code);
  if not found then
    raise exception using errcode = 'MP422', column = field, constraint = 'unknown_distributor',
      message = format('no distributor has the code %s', code);
  end if;
  if seller.status <> 'active' then
    raise exception using errcode = 'MP422', column = field, constraint = 'distributor_' || seller.status,
      message = format('distributor %s is %s: their sales are not booked', seller.distributor_code, seller.status);
  end if;
  if not exists (select 1 from public.products as p where p.currency = sale_currency and p.is_active) then
    raise exception using errcode = 'MP422', column = 'currency', constraint = 'unknown_currency',
      message = format('nothing is sold in %s', sale_currency);
  end if;
  if seller.currency <> sale_currency then
    raise exception using errcode = 'MP422', column = 'currency', constraint = 'currency_mismatch',
      message = format('distributor %s is paid in %s, not %s', seller.distributor_code, seller.currency, sale_currency);
  end if;
  return seller;
end
$$;

-- The answer for a sale of an order that exists already.
create function private.existing_sale(reference text) returns json
language plpgsql
stable
set search_path = ''
as $$
declare
  existing public.orders%rowtype;
begin
  select * into strict existing from public.orders as o where o.external_reference = reference;
  if not private.is_booked(existing.id) then
    raise exception using errcode = 'MP422', column = 'orderId', constraint = 'order_not_paid',
      message = format('order %s exists but is not paid: send an order_paid event with its id %s',
                       reference, existing.id);
  end if;
  return private.sale_result(existing.id, true);
end
$$;

-- A `sale` event: the paid order with its items at catalogue prices, booked.
create function private.record_sale(event jsonb) returns json
language plpgsql
volatile
set search_path = ''
as $$
declare
  reference text := event ->> 'orderId';
  sale_currency text := event ->> 'currency';
  paid_time timestamptz := least(coalesce((event ->> 'occurredAt')::timestamptz, now()), now());
  seller public.distributor_profiles%rowtype;
  lines jsonb;
  new_order_id uuid;
begin
  if exists (select 1 from public.orders as o where o.external_reference = reference) then
    return private.existing_sale(reference);
  end if;
  seller := private.sale_seller(event ->> 'distributorCode', sale_currency, 'distributorCode');
  lines := private.sale_lines(event);

  perform private.lock_order_reference(reference);
  insert into public.orders (
    distributor_id, status, currency, external_reference, placed_at, paid_at, subtotal
  )
  values (
    seller.user_id, 'paid', sale_currency, reference, paid_time, paid_time,
    (select sum((l ->> 'unit_price')::numeric * (l ->> 'quantity')::integer)
     from jsonb_array_elements(lines) as l)
  )
  on conflict (external_reference) do nothing
  returning id into new_order_id;
  if new_order_id is null then
    return private.existing_sale(reference);  -- a concurrent delivery committed it first
  end if;

  insert into public.order_items (order_id, product_id, quantity, unit_price, currency)
  select new_order_id, (l ->> 'product_id')::uuid, (l ->> 'quantity')::integer,
         (l ->> 'unit_price')::numeric, sale_currency
  from jsonb_array_elements(lines) as l;
  perform private.book_paid_order(new_order_id);
  return private.sale_result(new_order_id, false);
end
$$;

-- An `order_paid` event: an order of the database (e.g. a distributor's
-- pending order) is paid; mark it paid and book it.
create function private.record_order_paid(event jsonb) returns json
language plpgsql
volatile
set search_path = ''
as $$
declare
  paid public.orders%rowtype;
  paid_time timestamptz := least(coalesce((event ->> 'occurredAt')::timestamptz, now()), now());
begin
  select * into paid from public.orders as o where o.id = (event ->> 'orderId')::uuid;
  if not found then
    raise exception using errcode = 'MP422', column = 'orderId', constraint = 'unknown_order',
      message = format('no order has the id %s', event ->> 'orderId');
  end if;
  perform private.lock_order_reference(paid.id::text);
  if paid.external_reference is not null then
    perform private.lock_order_reference(paid.external_reference);
  end if;
  select * into strict paid from public.orders as o where o.id = paid.id for update;
  if private.is_booked(paid.id) then
    return private.sale_result(paid.id, true);
  end if;
  if paid.status not in ('pending', 'paid', 'fulfilled') then
    raise exception using errcode = 'MP422', column = 'orderId', constraint = 'order_' || paid.status,
      message = format('order %s is %s and cannot be paid', paid.order_number, paid.status);
  end if;
  if paid.total_amount <= 0 then
    raise exception using errcode = 'MP422', column = 'orderId', constraint = 'order_empty',
      message = format('order %s has nothing to pay', paid.order_number);
  end if;
  perform private.sale_seller(
    (select d.distributor_code from public.distributor_profiles as d where d.user_id = paid.distributor_id),
    paid.currency, 'orderId');
  if paid.status = 'pending' then
    update public.orders as o set status = 'paid', paid_at = paid_time where o.id = paid.id;
  end if;
  perform private.book_paid_order(paid.id);
  return private.sale_result(paid.id, false);
end
$$;

-- A `refund` event: kept, and applied at once when its order is booked.
create function private.record_refund(event jsonb) returns json
language plpgsql
volatile
set search_path = ''
as $$
declare
  reference text := event ->> 'orderId';
  refund_id uuid;
  booked_order_id uuid;
begin
  perform private.lock_order_reference(reference);
  insert into public.order_refunds (event_id, order_reference, amount, currency)
  values (event ->> 'eventId', reference, (event ->> 'amount')::numeric, event ->> 'currency')
  returning id into refund_id;
  booked_order_id := private.lock_booked_order(reference);
  if booked_order_id is not null then
    perform private.apply_refund(refund_id, booked_order_id, true);
  end if;
  return private.refund_result(event ->> 'eventId', false);
end
$$;

-- The stored answer of an event delivered before, marked as a duplicate.
create function private.replay_payment_event(replayed_event_id text) returns json
language plpgsql
stable
set search_path = ''
as $$
declare
  first private.payment_events%rowtype;
begin
  select * into strict first from private.payment_events as e where e.event_id = replayed_event_id;
  if first.event_type = 'refund' then
    return private.refund_result(first.event_id, true);
  elsif first.event_type = 'sale' then
    return private.existing_sale(first.order_reference);
  end if;
  return private.sale_result(first.order_reference::uuid, true);
end
$$;

-- The entry point: one payment event (validated JSON: eventId, type, orderId,
-- and per type distributorCode, currency, occurredAt, amount, items), booked
-- exactly once; answers the result, or the first result when the event or
-- its sale was delivered before.
create function private.process_payment_event(event jsonb) returns json
language plpgsql
volatile
set search_path = ''
set role = service_role
as $$
begin
  if event ->> 'type' not in ('sale', 'refund', 'order_paid') then
    raise exception using errcode = 'MP422', column = 'type', constraint = 'unknown_event_type',
      message = format('unknown event type %s', event ->> 'type');
  end if;
  insert into private.payment_events (event_id, event_type, order_reference, payload)
  values (event ->> 'eventId', event ->> 'type', event ->> 'orderId', event)
  on conflict (event_id) do nothing;
  if not found then
    return private.replay_payment_event(event ->> 'eventId');
  end if;
  if event ->> 'type' = 'sale' then
    return private.record_sale(event);
  elsif event ->> 'type' = 'refund' then
    return private.record_refund(event);
  end if;
  return private.record_order_paid(event);
end
$$;

-- Functions are created executable by PUBLIC: keep only the explicit grants.
-- The entry point runs as service_role, and so does everything it calls.
revoke execute on all functions in schema private from public;
grant execute on function
  private.round_half_even(numeric, integer),
  private.prorate(numeric, numeric, numeric),
  private.commission_amount(numeric, numeric),
  private.lock_order_reference(text),
  private.is_booked(uuid),
  private.book_paid_order(uuid),
  private.lock_booked_order(text),
  private.apply_refund(uuid, uuid, boolean),
  private.refuse_refund(uuid, public.orders, boolean, text, text, text),
  private.reverse_commissions(uuid, public.orders, numeric, numeric),
  private.sale_result(uuid, boolean),
  private.refund_result(text, boolean),
  private.sale_lines(jsonb),
  private.sale_seller(text, text, text),
  private.existing_sale(text),
  private.record_sale(jsonb),
  private.record_order_paid(jsonb),
  private.record_refund(jsonb),
  private.replay_payment_event(text),
  private.process_payment_event(jsonb)
to service_role;
