-- Booking a paid sale with less work per event; the same rules, keys and locks.
--
-- A sale writes about a dozen rows (event, order, item, two commissions, three
-- ledger entries, two distributors' totals) with their index entries, check
-- constraints, foreign keys and guard triggers, and it was bound by the CPU
-- that work takes. What changes here, and why:
--
--   * The earners are locked one profile at a time by primary key, from the
--     seller up the upline (private.lock_earners; for no key update, the
--     mode their totals update takes anyway). The recursive query it replaces
--     joined the chain to distributor_profiles with a hash join over a
--     sequential scan of every profile, and the totals and tier updates did
--     the same: four scans of the whole table per sale among 450
--     distributors, each growing with the distributors.
--   * The commissions, the sale's and the commissions' ledger entries, the
--     totals and the seller's tier promotion are one statement
--     (private.book_commissions) instead of four, and the answer is built from
--     the rows it returns instead of being read back with a four-table join.
--   * A sale's order and its items are inserted by one statement.
--   * Guard triggers skip what cannot matter for the writer: protect_columns
--     and price_order_item return at once for privileged writers (the
--     functions they call would let them through anyway), and
--     refresh_order_subtotal checks before it updates (a sale inserts its
--     order with the subtotal of its lines). The distributor_id role check of
--     orders, commissions and payouts reads the column instead of turning the
--     row into JSON. A sale's items are read once when they are all valid.
--
-- Unchanged: exactly once by the same unique keys (the event id, the order
-- reference, one sale entry per order, one commission per line and level);
-- the lock order (the order reference, the order, its commissions, then the
-- profiles from the seller up); totals equal to the ledger sums in the same
-- transaction; the answer, field for field.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

-- Guard triggers ------------------------------------------------------------------

-- As before, but privileged writers (every role but anon and authenticated,
-- for whom private.is_privileged() is true anyway) skip the comparison.
create or replace function private.protect_columns() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  old_row jsonb;
  new_row jsonb;
  protected_column text;
begin
  if current_user not in ('anon', 'authenticated') then
    return new;
  end if;
  old_row := to_jsonb(old);
  new_row := to_jsonb(new);
  foreach protected_column in array tg_argv loop
    if (new_row -> protected_column) is distinct from (old_row -> protected_column)
       and not private.is_privileged() then
      raise exception 'only an administrator can change %.%', tg_table_name, protected_column
        using errcode = 'insufficient_privilege';
    end if;
  end loop;
  return new;
end
$$;

-- As before, but a privileged writer who names the price and the currency
-- keeps them without the product being read (the checks below would not
-- change them either). The role test first: it is what private.is_privileged()
-- starts with, without the call.
create or replace function private.price_order_item() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  product public.products%rowtype;
begin
  if new.unit_price is not null and new.currency is not null
     and (current_user not in ('anon', 'authenticated') or private.is_privileged()) then
    return new;
  end if;
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

-- orders.subtotal is the sum of its lines, as before; an order whose subtotal
-- is already right is only read, not updated.
create or replace function private.refresh_order_subtotal() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  affected_order uuid;
begin
  foreach affected_order in array case tg_op
    when 'INSERT' then array[new.order_id]
    when 'DELETE' then array[old.order_id]
    else array_remove(array[new.order_id, nullif(old.order_id, new.order_id)], null)
  end loop
    if exists (
      select 1 from public.orders as o
      where o.id = affected_order
        and o.subtotal is distinct from (
          select coalesce(sum(i.line_total), 0) from public.order_items as i
          where i.order_id = affected_order)
    ) then
      update public.orders as o
      set subtotal = (
        select coalesce(sum(i.line_total), 0) from public.order_items as i
        where i.order_id = affected_order)
      where o.id = affected_order;
    end if;
  end loop;
  return null;
end
$$;

-- As before (every distributor_id names a distributor), for the tables whose
-- column is distributor_id: read directly instead of through to_jsonb(new),
-- which turned the whole row into JSON on every insert.
create function private.check_distributor_reference() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.distributor_id is null
     or (tg_op = 'UPDATE' and new.distributor_id is not distinct from old.distributor_id) then
    return new;
  end if;
  if not exists (
    select 1 from public.users as u where u.id = new.distributor_id and u.role = 'distributor'
  ) then
    raise exception '%.distributor_id must reference a user with role distributor', tg_table_name
      using errcode = 'foreign_key_violation';
  end if;
  return new;
end
$$;

drop trigger orders_check_distributor on public.orders;
create trigger orders_check_distributor
  before insert or update of distributor_id on public.orders
  for each row execute function private.check_distributor_reference();

drop trigger payouts_check_distributor on public.payouts;
create trigger payouts_check_distributor
  before insert or update of distributor_id on public.payouts
  for each row execute function private.check_distributor_reference();

drop trigger commissions_check_distributor on public.commissions;
create trigger commissions_check_distributor
  before insert or update of distributor_id on public.commissions
  for each row execute function private.check_distributor_reference();

-- Sales -----------------------------------------------------------------------------

-- As before, but the lines are read once: the query that finds the first bad
-- item runs only when there is one.
create or replace function private.sale_lines(event jsonb) returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  sale_currency text := event ->> 'currency';
  amount numeric := (event ->> 'amount')::numeric;
  items jsonb := coalesce(nullif(event -> 'items', 'null'::jsonb), '[]'::jsonb);
  culprit record;
  first_bad_position bigint;
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

  select jsonb_agg(jsonb_build_object(
           'product_id', p.id, 'quantity', (i.item ->> 'quantity')::integer, 'unit_price', p.price)
           order by i.position),
         sum(p.price * (i.item ->> 'quantity')::integer),
         min(i.position) filter (where p.id is null or p.currency <> sale_currency)
  into lines, total, first_bad_position
  from jsonb_array_elements(items) with ordinality as i (item, position)
  left join public.products as p on p.sku = i.item ->> 'sku' and p.is_active;
  if first_bad_position is not null then
    select i.position - 1 as index, i.item ->> 'sku' as sku, p.currency
    into culprit
    from jsonb_array_elements(items) with ordinality as i (item, position)
    left join public.products as p on p.sku = i.item ->> 'sku' and p.is_active
    where i.position = first_bad_position;
    raise exception using errcode = 'MP422', column = format('items[%s].sku', culprit.index),
      constraint = case when culprit.currency is null then 'unknown_sku' else 'currency_mismatch' end,
      message = case when culprit.currency is null
        then format('no active product has the SKU %s', culprit.sku)
        else format('%s is sold in %s, not %s', culprit.sku, culprit.currency, sale_currency) end;
  end if;
  if amount is not null and amount <> total then
    raise exception using errcode = 'MP422', column = 'amount', constraint = 'amount_mismatch',
      message = format('amount %s is not the items'' total of %s %s at catalogue prices', amount, total, sale_currency);
  end if;
  return lines;
end
$$;

-- Earners ---------------------------------------------------------------------------

-- The earners of a sale, their profiles locked from the seller up the upline
-- (the order bookings and refunds take them in), so that rates, tiers and
-- totals are read current and cannot race. Level 0 is the seller at their rate
-- or their tier's, whichever is higher; level n the n-th upline at that level's
-- override rate, when active and paid in the sale's currency. Profiles between
-- them that earn nothing are locked too: the chain is read through them.
create function private.lock_earners(
  seller_id uuid,
  sale_currency text,
  out user_ids uuid[],
  out levels integer[],
  out rates numeric[],
  out distributor_codes text[]
)
language plpgsql
volatile
set search_path = ''
as $$
declare
  top_level integer;
  next_id uuid := seller_id;
  depth integer := 0;
  profile record;
begin
  loop
    select d.user_id, d.upline_id, d.status, d.currency, d.distributor_code,
           case when depth = 0 then greatest(d.commission_rate, coalesce(t.commission_rate, 0))
                else r.rate end as rate
    into profile
    from public.distributor_profiles as d
    left join public.commission_tiers as t on depth = 0 and t.tier_level = d.tier_level
    left join public.commission_override_rates as r on r.level = depth
    where d.user_id = next_id
    for no key update of d;
    exit when not found;
    if depth = 0
       or (profile.rate is not null and profile.status = 'active' and profile.currency = sale_currency) then
      user_ids := user_ids || profile.user_id;
      levels := levels || depth;
      rates := rates || profile.rate;
      distributor_codes := distributor_codes || profile.distributor_code;
    end if;
    exit when profile.upline_id is null;
    top_level := coalesce(top_level, (
      select coalesce(max(r.level), 0) from public.commission_override_rates as r));
    exit when depth >= top_level;
    next_id := profile.upline_id;
    depth := depth + 1;
  end loop;
end
$$;

-- Answers ---------------------------------------------------------------------------
-- One place for the shape of a sale's answer: the first answer is built from
-- the rows just written, a duplicate's (private.sale_result) from the tables.

create function private.commission_json(
  id uuid, level integer, distributor_id uuid, distributor_code text, sku text,
  rate numeric, base numeric, amount numeric, currency text
) returns json
language plpgsql
stable
set search_path = ''
as $$
begin
  return json_build_object(
    'id', id,
    'level', level,
    'distributorId', distributor_id,
    'distributorCode', distributor_code,
    'sku', sku,
    'rate', rate::text,
    'base', base::text,
    'amount', amount::text,
    'currency', currency
  );
end
$$;

create function private.sale_json(sale public.orders, is_duplicate boolean, commissions json)
returns json
language plpgsql
stable
set search_path = ''
as $$
begin
  return json_build_object(
    'duplicate', is_duplicate,
    'order', json_build_object(
      'id', sale.id,
      'orderNumber', sale.order_number,
      'reference', sale.external_reference,
      'distributorId', sale.distributor_id,
      'total', sale.total_amount::text,
      'currency', sale.currency,
      'paidAt', to_char(sale.paid_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    ),
    'commissions', coalesce(commissions, '[]'::json)
  );
end
$$;

create or replace function private.sale_result(booked_order_id uuid, is_duplicate boolean) returns json
language plpgsql
stable
set search_path = ''
as $$
begin
  return (
    select private.sale_json(o, is_duplicate, (
      select json_agg(private.commission_json(
               c.id, c.level, c.distributor_id, d.distributor_code, p.sku,
               c.rate, c.base_amount, c.amount, c.currency)
             order by i.created_at, i.id, c.level)
      from public.commissions as c
      join public.order_items as i on i.id = c.order_item_id
      join public.products as p on p.id = i.product_id
      join public.distributor_profiles as d on d.user_id = c.distributor_id
      where c.order_id = o.id
    ))
    from public.orders as o
    where o.id = booked_order_id
  );
end
$$;

-- Booking ---------------------------------------------------------------------------

-- The money of a paid order not booked yet, in one statement: a commission per
-- commissionable line and earner (earners as private.lock_earners answers
-- them, locked), the sale's ledger entry and one per commission, the earners'
-- totals, and the seller's promotion to the highest tier their sales now
-- reach, for later sales (this one is paid at the old rate; tiers only go up).
-- The sale entry's unique key still refuses a second booking of the order.
-- Answers the commissions as the sale's answer lists them.
--
-- Generic plans always: a custom plan, made for the actual number of earners,
-- looks cheaper to the planner every time and would be planned on every call.
create function private.book_commissions(
  sale public.orders, earner_ids uuid[], earner_levels integer[], earner_rates numeric[],
  earner_codes text[]
) returns json
language plpgsql
volatile
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  commissions json;
begin
  with lines as (
    select i.id, i.created_at, i.line_total, i.currency, p.sku
    from public.order_items as i
    join public.products as p on p.id = i.product_id and p.is_commissionable
    where i.order_id = sale.id
  ),
  earners as (
    select * from unnest(earner_ids, earner_levels, earner_rates, earner_codes)
      as e (user_id, level, rate, distributor_code)
  ),
  earned as (
    insert into public.commissions (
      order_item_id, order_id, distributor_id, level, rate, base_amount, amount, currency, earned_at
    )
    select l.id, sale.id, e.user_id, e.level, e.rate, l.line_total, c.amount, l.currency, sale.paid_at
    from lines as l
    cross join earners as e
    cross join lateral (
      select private.commission_amount(l.line_total, e.rate) as amount offset 0
    ) as c
    where c.amount > 0
    returning id, order_item_id, distributor_id, level, rate, base_amount, amount, currency
  ),
  entries as (
    insert into public.ledger_entries (
      entry_type, distributor_id, order_id, commission_id, amount, currency, description
    )
    select 'sale', sale.distributor_id, sale.id, null, sale.total_amount, sale.currency,
           format('Order %s paid', sale.order_number)
    union all
    select 'commission', c.distributor_id, sale.id, c.id, c.amount, c.currency,
           format('Level %s commission, %s', c.level, sale.order_number)
    from earned as c
  ),
  totals as (
    update public.distributor_profiles as d
    set total_commissions = d.total_commissions
          + coalesce((select sum(c.amount) from earned as c where c.distributor_id = d.user_id), 0),
        total_sales = d.total_sales
          + case when d.user_id = sale.distributor_id then sale.total_amount else 0 end,
        (tier_level, commission_rate) = (
          select coalesce(reached.tier_level, d.tier_level),
                 greatest(d.commission_rate, coalesce(reached.commission_rate, 0))
          from (select) as here
          left join lateral (
            select t.tier_level, t.commission_rate
            from public.commission_tiers as t
            where d.user_id = sale.distributor_id
              and t.min_sales <= d.total_sales + sale.total_amount
              and t.currency = d.currency
              and t.tier_level > d.tier_level
            order by t.tier_level desc
            limit 1
          ) as reached on true
        )
    where d.user_id = any (earner_ids)
      and (d.user_id = sale.distributor_id
           or exists (select 1 from earned as c where c.distributor_id = d.user_id))
  )
  select json_agg(private.commission_json(
           c.id, c.level, c.distributor_id, e.distributor_code, l.sku,
           c.rate, c.base_amount, c.amount, c.currency)
         order by l.created_at, l.id, c.level)
  into commissions
  from earned as c
  join lines as l on l.id = c.order_item_id
  join earners as e on e.user_id = c.distributor_id;
  return commissions;
end
$$;

-- squawk-ignore ban-drop-function
drop function private.book_paid_order(uuid);  -- private, called by the two functions below only

-- Books a paid order that is not booked yet (the callers hold its locks and
-- checked): its earners locked, its money booked, then the refunds that
-- arrived before it, oldest first (one that no longer fits is refused, not
-- raised). Answers the sale's result.
create function private.book_paid_order(sale public.orders) returns json
language plpgsql
volatile
set search_path = ''
as $$
declare
  earners record;
  commissions json;
  pending_refund uuid;
begin
  earners := private.lock_earners(sale.distributor_id, sale.currency);
  commissions := private.book_commissions(
    sale, earners.user_ids, earners.levels, earners.rates, earners.distributor_codes);
  for pending_refund in
    select r.id
    from public.order_refunds as r
    where r.status = 'pending' and r.order_reference in (sale.external_reference, sale.id::text)
    order by r.received_at, r.id
  loop
    perform private.apply_refund(pending_refund, sale.id, false);
  end loop;
  return private.sale_json(sale, false, commissions);
end
$$;

-- A `sale` event: the paid order with its items at catalogue prices, booked.
create or replace function private.record_sale(event jsonb) returns json
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
  sale public.orders%rowtype;
begin
  if exists (select 1 from public.orders as o where o.external_reference = reference) then
    return private.existing_sale(reference);
  end if;
  seller := private.sale_seller(event ->> 'distributorCode', sale_currency, 'distributorCode');
  lines := private.sale_lines(event);

  perform private.lock_order_reference(reference);
  with new_order as (
    insert into public.orders (
      distributor_id, status, currency, external_reference, placed_at, paid_at, subtotal
    )
    values (
      seller.user_id, 'paid', sale_currency, reference, paid_time, paid_time,
      (select sum((l ->> 'unit_price')::numeric * (l ->> 'quantity')::integer)
       from jsonb_array_elements(lines) as l)
    )
    on conflict (external_reference) do nothing
    returning *
  ),
  new_items as (
    insert into public.order_items (order_id, product_id, quantity, unit_price, currency)
    select o.id, l.product_id, l.quantity, l.unit_price, sale_currency
    from new_order as o
    cross join jsonb_to_recordset(lines) as l (product_id uuid, quantity integer, unit_price numeric)
  )
  select * into sale from new_order;
  if not found then
    return private.existing_sale(reference);  -- a concurrent delivery committed it first
  end if;
  return private.book_paid_order(sale);
end
$$;

-- An `order_paid` event: an order of the database (e.g. a distributor's
-- pending order) is paid; mark it paid and book it.
create or replace function private.record_order_paid(event jsonb) returns json
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
    update public.orders as o set status = 'paid', paid_at = paid_time where o.id = paid.id
    returning * into paid;
  end if;
  return private.book_paid_order(paid);
end
$$;

-- Functions are created executable by PUBLIC: keep only the explicit grants.
revoke execute on all functions in schema private from public;
grant execute on function
  private.lock_earners(uuid, text),
  private.commission_json(uuid, integer, uuid, text, text, numeric, numeric, numeric, text),
  private.sale_json(public.orders, boolean, json),
  private.book_commissions(public.orders, uuid[], integer[], numeric[], text[]),
  private.book_paid_order(public.orders)
to service_role;
