-- What happens to commissions after booking, and the check that the money
-- adds up. `maxpulse commissions approve`, `maxpulse payouts create` and
-- `maxpulse commissions verify` call these, one statement each.
--
--   pending --(holding period over)--> approved --(payout run)--> paid
--      \__________________ refunded before payout: reversed
-- A refund after the payout is a clawback: a negative ledger entry that the
-- distributor's next payout deducts.

set local lock_timeout = '10s';
set local statement_timeout = '5min';

-- Approves the pending commissions earned at least `holding_period` ago.
-- Rows are locked in id order, the order refunds and payout runs lock them in.
create function private.approve_due_commissions(holding_period interval)
returns table (distributor_id uuid, distributor_code text, currency text, approved integer, amount numeric)
language sql
volatile
set search_path = ''
set role = service_role
as $$
  with due as (
    select c.id
    from public.commissions as c
    where c.status = 'pending' and c.earned_at <= now() - holding_period
    order by c.id
    for update
  ),
  approved as (
    update public.commissions as c
    set status = 'approved'
    from due
    where c.id = due.id
    returning c.distributor_id, c.currency, c.amount - coalesce((
      select sum(r.amount) from public.commission_reversals as r where r.commission_id = c.id
    ), 0) as net
  )
  select a.distributor_id, d.distributor_code, a.currency, count(*)::integer, sum(a.net)
  from approved as a
  join public.distributor_profiles as d on d.user_id = a.distributor_id
  group by a.distributor_id, d.distributor_code, a.currency
  order by d.distributor_code, a.currency
$$;

-- Pays out approved commissions: one payout per distributor and currency of
-- what they are owed (approved commissions net of reversals, minus clawbacks
-- not yet deducted), when that is at least `min_amount`. One transaction;
-- running it again finds nothing left to pay. Smaller balances wait for the
-- next run.
create function private.create_payouts(min_amount numeric)
returns table (
  payout_id uuid, distributor_id uuid, distributor_code text, currency text, amount numeric,
  commissions integer, clawbacks numeric
)
language plpgsql
volatile
set search_path = ''
set role = service_role
as $$
declare
  due_ids uuid[];
  clawback_ids uuid[];
begin
  -- Lock first, read after: the statements below see every refund that
  -- touched these rows before the locks were granted, and none can after.
  select coalesce(array_agg(s.id), '{}') into due_ids
  from (
    select c.id from public.commissions as c where c.status = 'approved' order by c.id for update
  ) as s;
  select coalesce(array_agg(s.id), '{}') into clawback_ids
  from (
    select r.id from public.commission_reversals as r
    where r.is_clawback and r.settled_payout_id is null
    order by r.id
    for update
  ) as s;

  return query
  with due as (
    select c.id, c.distributor_id, c.currency, c.earned_at,
           c.amount - coalesce((select sum(r.amount) from public.commission_reversals as r
                                where r.commission_id = c.id), 0) as net
    from public.commissions as c
    where c.id = any (due_ids)
  ),
  clawed as (
    select r.distributor_id, r.currency, sum(r.amount) as amount
    from public.commission_reversals as r
    where r.id = any (clawback_ids)
    group by r.distributor_id, r.currency
  ),
  batches as (
    select d.distributor_id, d.currency,
           sum(d.net) - coalesce(max(cb.amount), 0) as amount,
           count(*)::integer as commissions,
           coalesce(max(cb.amount), 0)::numeric(12, 2) as clawbacks,
           min(d.earned_at)::date as period_start,
           max(d.earned_at)::date as period_end
    from due as d
    left join clawed as cb on cb.distributor_id = d.distributor_id and cb.currency = d.currency
    group by d.distributor_id, d.currency
    having sum(d.net) - coalesce(max(cb.amount), 0) >= greatest(min_amount, 0.01)
  ),
  new_payouts as (
    insert into public.payouts as po (distributor_id, amount, currency, period_start, period_end)
    select b.distributor_id, b.amount, b.currency, b.period_start, b.period_end from batches as b
    returning po.id, po.distributor_id, po.currency, po.amount
  ),
  paid as (
    update public.commissions as c
    set status = 'paid', payout_id = p.id
    from new_payouts as p, due as d
    where c.id = d.id and d.distributor_id = p.distributor_id and d.currency = p.currency
  ),
  settled as (
    update public.commission_reversals as r
    set settled_payout_id = p.id
    from new_payouts as p
    where r.id = any (clawback_ids) and r.distributor_id = p.distributor_id and r.currency = p.currency
  ),
  entries as (
    insert into public.ledger_entries (entry_type, distributor_id, payout_id, amount, currency, description)
    select 'payout', p.distributor_id, p.id, -p.amount, p.currency,
           format('Payout of %s commission(s)', b.commissions)
    from new_payouts as p
    join batches as b on b.distributor_id = p.distributor_id and b.currency = p.currency
  )
  select p.id, p.distributor_id, dp.distributor_code, p.currency, p.amount, b.commissions, b.clawbacks
  from new_payouts as p
  join batches as b on b.distributor_id = p.distributor_id and b.currency = p.currency
  join public.distributor_profiles as dp on dp.user_id = p.distributor_id
  order by dp.distributor_code, p.currency;
end
$$;

-- Verification ------------------------------------------------------------------------
-- Every row is a broken invariant: what was expected, what was found. No
-- rows: the ledger, the totals and the commission rows agree.

create function private.commission_ledger_mismatches()
returns table (invariant text, subject text, expected numeric, actual numeric)
language sql
stable
set search_path = ''
set role = service_role
as $$
  with reversed as (
    select r.commission_id,
           sum(r.amount) as amount,
           coalesce(sum(r.amount) filter (where not r.is_clawback), 0) as before_payout
    from public.commission_reversals as r
    group by r.commission_id
  ),
  commission_state as (
    select c.*, coalesce(rv.amount, 0) as reversed, coalesce(rv.before_payout, 0) as reversed_before_payout
    from public.commissions as c
    left join reversed as rv on rv.commission_id = c.id
  ),
  ledger_by_distributor as (
    select e.distributor_id,
           coalesce(sum(e.amount) filter (where e.entry_type in ('sale', 'refund')), 0) as sales,
           coalesce(sum(e.amount) filter (where e.entry_type in ('commission', 'commission_reversal')), 0) as earned
    from public.ledger_entries as e
    group by e.distributor_id
  ),
  balances as (
    select e.distributor_id, e.currency, sum(e.amount) as amount
    from public.ledger_entries as e
    where e.entry_type in ('commission', 'commission_reversal', 'payout')
    group by e.distributor_id, e.currency
  ),
  owed as (
    select o.distributor_id, o.currency, sum(o.amount) as amount
    from (
      select c.distributor_id, c.currency, c.amount - c.reversed as amount
      from commission_state as c where c.status in ('pending', 'approved')
      union all
      select r.distributor_id, r.currency, -r.amount
      from public.commission_reversals as r where r.is_clawback and r.settled_payout_id is null
    ) as o
    group by o.distributor_id, o.currency
  )
  -- distributor totals are the sums of their ledger entries
  select 'total_sales', d.distributor_code, coalesce(l.sales, 0), d.total_sales
  from public.distributor_profiles as d left join ledger_by_distributor as l on l.distributor_id = d.user_id
  where d.total_sales <> coalesce(l.sales, 0)
  union all
  select 'total_commissions', d.distributor_code, coalesce(l.earned, 0), d.total_commissions
  from public.distributor_profiles as d left join ledger_by_distributor as l on l.distributor_id = d.user_id
  where d.total_commissions <> coalesce(l.earned, 0)
  -- what is owed to each distributor is what the ledger says
  union all
  select 'balance', dp.distributor_code || ' ' || coalesce(b.currency, o.currency),
         coalesce(o.amount, 0), coalesce(b.amount, 0)
  from balances as b
  full join owed as o on o.distributor_id = b.distributor_id and o.currency = b.currency
  join public.distributor_profiles as dp on dp.user_id = coalesce(b.distributor_id, o.distributor_id)
  where coalesce(b.amount, 0) <> coalesce(o.amount, 0)
  -- each commission: the rounded rate of its base, booked once, reversed at most whole
  union all
  select 'commission_amount', c.id::text, private.commission_amount(c.base_amount, c.rate), c.amount
  from public.commissions as c
  where c.amount <> private.commission_amount(c.base_amount, c.rate)
  union all
  select 'commission_entry', c.id::text, c.amount, coalesce(e.amount, 0)
  from public.commissions as c
  left join public.ledger_entries as e
    on e.commission_id = c.id and e.entry_type = 'commission' and e.distributor_id = c.distributor_id
  where e.amount is distinct from c.amount
  union all
  select 'commission_reversal_entries', c.id::text, -c.reversed, coalesce(sum(e.amount), 0)
  from commission_state as c
  left join public.ledger_entries as e on e.commission_id = c.id and e.entry_type = 'commission_reversal'
  group by c.id, c.reversed
  having coalesce(sum(e.amount), 0) <> -c.reversed
  union all
  select 'commission_reversed_at_most_whole', c.id::text, c.amount, c.reversed
  from commission_state as c
  where c.reversed > c.amount
  union all
  select 'commission_status_reversed', c.id::text, c.amount, c.reversed
  from commission_state as c
  where (c.status = 'reversed') <> (c.reversed = c.amount and c.reversed_before_payout = c.amount)
    and c.amount > 0
  -- each booked order: its sale entry is its total; refunds stay within it
  union all
  select 'order_sale_entry', o.order_number, o.total_amount, e.amount
  from public.orders as o
  join public.ledger_entries as e on e.order_id = o.id and e.entry_type = 'sale'
  where e.amount <> o.total_amount
  union all
  select 'order_booked', o.order_number, 1, 0
  from public.orders as o
  where exists (select 1 from public.commissions as c where c.order_id = o.id)
    and not private.is_booked(o.id)
  union all
  select 'order_refund_entries', o.order_number, -coalesce(r.amount, 0), coalesce(e.amount, 0)
  from public.orders as o
  left join (
    select r.order_id, sum(r.amount) as amount from public.order_refunds as r
    where r.status = 'applied' group by r.order_id
  ) as r on r.order_id = o.id
  left join (
    select e.order_id, sum(e.amount) as amount from public.ledger_entries as e
    where e.entry_type = 'refund' group by e.order_id
  ) as e on e.order_id = o.id
  where coalesce(e.amount, 0) <> -coalesce(r.amount, 0)
     or coalesce(r.amount, 0) > o.total_amount
     or (o.status = 'refunded' and coalesce(r.amount, 0) <> o.total_amount and r.order_id is not null)
  -- each payout: what its commissions net minus the clawbacks it settled, booked once
  union all
  select 'payout_amount', p.id::text, coalesce(c.net, 0) - coalesce(r.amount, 0), p.amount
  from public.payouts as p
  left join (
    select c.payout_id, sum(c.amount - c.reversed_before_payout) as net
    from commission_state as c where c.payout_id is not null group by c.payout_id
  ) as c on c.payout_id = p.id
  left join (
    select r.settled_payout_id, sum(r.amount) as amount
    from public.commission_reversals as r where r.settled_payout_id is not null
    group by r.settled_payout_id
  ) as r on r.settled_payout_id = p.id
  where p.amount <> coalesce(c.net, 0) - coalesce(r.amount, 0)
  union all
  select 'payout_entry', p.id::text, -p.amount, coalesce(e.amount, 0)
  from public.payouts as p
  left join public.ledger_entries as e on e.payout_id = p.id and e.entry_type = 'payout'
  where e.amount is distinct from -p.amount
$$;

revoke execute on all functions in schema private from public;
grant execute on function
  private.approve_due_commissions(interval),
  private.create_payouts(numeric),
  private.commission_ledger_mismatches()
to service_role;
