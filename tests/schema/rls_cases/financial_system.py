"""products, commission_tiers, orders, order_items, payouts, commissions, ledger_entries.

Participants and trainers see no money; a distributor sees their own; only
admins write prices, tiers, commissions, payouts and the ledger.
"""

from tests.support.rls_matrix import rls_case

SPARE_PRODUCT = (
    "insert into public.products (id, sku, name, price) values (%(spare)s, 'MP-SPARE', 'Spare', 1)"
)
SPARE_PAYOUT = "insert into public.payouts (id, distributor_id, amount) values (%(spare)s, %(distributor_a)s, 5)"
SPARE_COMMISSION = (
    "insert into public.commissions (id, order_item_id, order_id, distributor_id, level, rate,"
    " base_amount, amount, currency)"
    " values (%(spare)s, %(item_pending_of_a)s, %(order_pending_of_a)s, %(distributor_a)s, 0, 30,"
    " 39.50, 11.85, 'USD')"
)

# Expectations: anon, participant, distributor A, distributor B, trainer, admin.
CASES = [
    # products ---------------------------------------------------------------------
    rls_case(
        "products",
        "select",
        "an active product",
        "select id from public.products where id = %(product_sleep)s",
        "- - A A - A",
    ),
    rls_case(
        "products",
        "select",
        "a retired product",
        "select id from public.products where id = %(product_sleep)s",
        "- - - - - A",
        setup="update public.products set is_active = false where id = %(product_sleep)s",
    ),
    rls_case(
        "products",
        "insert",
        "a new product",
        "insert into public.products (sku, name, price) values ('MP-NEW', 'New', 10)",
        "X X X X X A",
    ),
    rls_case(
        "products",
        "update",
        "a product's price",
        "update public.products set price = 1 where id = %(product_sleep)s",
        "- - - - - A",
    ),
    rls_case(
        "products",
        "delete",
        "an unsold product",
        "delete from public.products where id = %(spare)s",
        "- - - - - A",
        setup=SPARE_PRODUCT,
    ),
    # commission_tiers ----------------------------------------------------------------
    rls_case(
        "commission_tiers",
        "select",
        "tier 1",
        "select tier_level from public.commission_tiers where tier_level = 1",
        "- - A A - A",
    ),
    rls_case(
        "commission_tiers",
        "insert",
        "a new tier",
        "insert into public.commission_tiers (tier_level, name, commission_rate, min_sales)"
        " values (5, 'Platinum', 45, 100000)",
        "X X X X X A",
    ),
    rls_case(
        "commission_tiers",
        "update",
        "a tier's rate",
        "update public.commission_tiers set commission_rate = 90 where tier_level = 1",
        "- - - - - A",
    ),
    rls_case(
        "commission_tiers",
        "delete",
        "an unused tier",
        "delete from public.commission_tiers where tier_level = 4",
        "- - - - - A",
    ),
    # orders ------------------------------------------------------------------------
    rls_case(
        "orders",
        "select",
        "A's paid order",
        "select id from public.orders where id = %(order_paid_of_a)s",
        "- - A - - A",
    ),
    rls_case(
        "orders",
        "select",
        "B's paid order",
        "select id from public.orders where id = %(order_paid_of_b)s",
        "- - - A - A",
    ),
    rls_case(
        "orders",
        "insert",
        "a pending order of A",
        "insert into public.orders (distributor_id) values (%(distributor_a)s)",
        "X X A X X A",
    ),
    rls_case(
        "orders",
        "insert",
        "an order of A that is already paid",
        "insert into public.orders (distributor_id, status, paid_at)"
        " values (%(distributor_a)s, 'paid', now())",
        "X X X X X A",
    ),
    rls_case(
        "orders",
        "insert",
        "an order of A with a made-up subtotal",
        "insert into public.orders (distributor_id, subtotal) values (%(distributor_a)s, 500)",
        "X X X X X A",
    ),
    rls_case(
        "orders",
        "update",
        "notes on A's pending order",
        "update public.orders set notes = 'Gift wrap' where id = %(order_pending_of_a)s",
        "- - A - - A",
    ),
    rls_case(
        "orders",
        "update",
        "notes on A's paid order",
        "update public.orders set notes = 'Gift wrap' where id = %(order_paid_of_a)s",
        "- - - - - A",
    ),
    rls_case(
        "orders",
        "update",
        "mark A's pending order paid",
        "update public.orders set status = 'paid', paid_at = now()"
        " where id = %(order_pending_of_a)s",
        "- - X - - A",
    ),
    rls_case(
        "orders",
        "update",
        "cancel A's pending order",
        "update public.orders set status = 'cancelled' where id = %(order_pending_of_a)s",
        "- - A - - A",
    ),
    rls_case(
        "orders",
        "delete",
        "A's pending order",
        "delete from public.orders where id = %(order_pending_of_a)s",
        "- - - - - A",
    ),
    # order_items -------------------------------------------------------------------
    rls_case(
        "order_items",
        "select",
        "an item of A's paid order",
        "select id from public.order_items where id = %(item_paid_of_a)s",
        "- - A - - A",
    ),
    rls_case(
        "order_items",
        "insert",
        "an item on A's pending order",
        "insert into public.order_items (order_id, product_id, quantity)"
        " values (%(order_pending_of_a)s, %(product_sleep)s, 1)",
        "X X A X X A",
    ),
    rls_case(
        "order_items",
        "insert",
        "an item below the catalogue price",
        "insert into public.order_items (order_id, product_id, quantity, unit_price)"
        " values (%(order_pending_of_a)s, %(product_sleep)s, 1, 1.00)",
        "X X X X X A",
    ),
    rls_case(
        "order_items",
        "update",
        "the quantity on A's pending order",
        "update public.order_items set quantity = 3 where id = %(item_pending_of_a)s",
        "- - A - - A",
    ),
    rls_case(
        "order_items",
        "update",
        "the quantity on A's paid order",
        "update public.order_items set quantity = 3 where id = %(item_paid_of_a)s",
        "- - - - - A",
    ),
    rls_case(
        "order_items",
        "delete",
        "an item of A's pending order",
        "delete from public.order_items where id = %(item_pending_of_a)s",
        "- - A - - A",
    ),
    # payouts -----------------------------------------------------------------------
    rls_case(
        "payouts",
        "select",
        "A's payout",
        "select id from public.payouts where id = %(payout_of_a)s",
        "- - A - - A",
    ),
    rls_case(
        "payouts",
        "insert",
        "a payout to A",
        "insert into public.payouts (distributor_id, amount) values (%(distributor_a)s, 1000)",
        "X X X X X A",
    ),
    rls_case(
        "payouts",
        "update",
        "A's payout reference",
        "update public.payouts set reference = 'changed' where id = %(payout_of_a)s",
        "- - - - - A",
    ),
    rls_case(
        "payouts",
        "delete",
        "a pending payout to A",
        "delete from public.payouts where id = %(spare)s",
        "- - - - - A",
        setup=SPARE_PAYOUT,
    ),
    # commissions -------------------------------------------------------------------
    rls_case(
        "commissions",
        "select",
        "A's upline commission on B's sale",
        "select id from public.commissions where id = %(commission_upline_of_a)s",
        "- - A - - A",
    ),
    rls_case(
        "commissions",
        "select",
        "B's commission",
        "select id from public.commissions where id = %(commission_of_b)s",
        "- - - A - A",
    ),
    rls_case(
        "commissions",
        "insert",
        "a commission for A",
        SPARE_COMMISSION + "",
        "X X X X X A",
    ),
    rls_case(
        "commissions",
        "update",
        "approve B's commission",
        "update public.commissions set status = 'approved' where id = %(commission_of_b)s",
        "- - - - - A",
    ),
    rls_case(
        "commissions",
        "delete",
        "an unbooked commission of A",
        "delete from public.commissions where id = %(spare)s",
        "- - - - - A",
        setup=SPARE_COMMISSION,
    ),
    # ledger_entries (append-only: no UPDATE or DELETE policy at all) ----------------
    rls_case(
        "ledger_entries",
        "select",
        "A's commission entry",
        "select id from public.ledger_entries where id = %(ledger_commission_of_a)s",
        "- - A - - A",
    ),
    rls_case(
        "ledger_entries",
        "select",
        "B's commission entry",
        "select id from public.ledger_entries where id = %(ledger_commission_of_b)s",
        "- - - A - A",
    ),
    rls_case(
        "ledger_entries",
        "insert",
        "an adjustment for A",
        "insert into public.ledger_entries (entry_type, distributor_id, amount, currency)"
        " values ('adjustment', %(distributor_a)s, 5, 'USD')",
        "X X X X X A",
    ),
    rls_case(
        "ledger_entries",
        "update",
        "A's commission entry",
        "update public.ledger_entries set amount = 1000 where id = %(ledger_commission_of_a)s",
        "- - - - - -",
    ),
    rls_case(
        "ledger_entries",
        "delete",
        "A's commission entry",
        "delete from public.ledger_entries where id = %(ledger_commission_of_a)s",
        "- - - - - -",
    ),
]
