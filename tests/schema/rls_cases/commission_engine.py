"""commission_override_rates, order_refunds, commission_reversals.

Override rates are read like tiers (distributors and admins) and set by admins.
Refunds and reversals are written only by the commission processor
(service_role): no API role, admins included, may write them; a distributor
reads those of their own sales and commissions.
"""

from tests.support.rls_matrix import rls_case

REFUND_OF_A = (
    "insert into public.order_refunds (id, event_id, order_reference, order_id, distributor_id,"
    " amount, status, settled_at) values (%(spare)s, 'evt_matrix', 'pay_seed_0001',"
    " %(order_paid_of_a)s, %(distributor_a)s, 5, 'applied', now())"
)
REVERSAL_OF_A = (
    REFUND_OF_A,
    "insert into public.commission_reversals (id, commission_id, refund_id, distributor_id,"
    " amount, currency, is_clawback) values (%(spare_session)s, %(commission_paid_of_a)s,"
    " %(spare)s, %(distributor_a)s, 0.83, 'USD', true)",
)

# Expectations: anon, participant, distributor A, distributor B, trainer, admin.
CASES = [
    # commission_override_rates -------------------------------------------------------
    rls_case(
        "commission_override_rates",
        "select",
        "the level 1 rate",
        "select level from public.commission_override_rates where level = 1",
        "- - A A - A",
    ),
    rls_case(
        "commission_override_rates",
        "insert",
        "a level 2 rate",
        "insert into public.commission_override_rates (level, rate) values (2, 2)",
        "X X X X X A",
    ),
    rls_case(
        "commission_override_rates",
        "update",
        "the level 1 rate",
        "update public.commission_override_rates set rate = 50 where level = 1",
        "- - - - - A",
    ),
    rls_case(
        "commission_override_rates",
        "delete",
        "the level 1 rate",
        "delete from public.commission_override_rates where level = 1",
        "- - - - - A",
    ),
    # order_refunds -------------------------------------------------------------------
    rls_case(
        "order_refunds",
        "select",
        "a refund of A's order",
        "select id from public.order_refunds where id = %(spare)s",
        "X - A - - A",
        setup=REFUND_OF_A,
    ),
    rls_case(
        "order_refunds",
        "insert",
        "a made-up refund of A's order",
        "insert into public.order_refunds (event_id, order_reference, amount)"
        " values ('evt_forged', 'pay_seed_0001', 5)",
        "X X X X X X",
    ),
    rls_case(
        "order_refunds",
        "update",
        "the amount of a refund of A's order",
        "update public.order_refunds set amount = 1 where id = %(spare)s",
        "X X X X X X",
        setup=REFUND_OF_A,
    ),
    rls_case(
        "order_refunds",
        "delete",
        "a refund of A's order",
        "delete from public.order_refunds where id = %(spare)s",
        "X X X X X X",
        setup=REFUND_OF_A,
    ),
    # commission_reversals ----------------------------------------------------------------
    rls_case(
        "commission_reversals",
        "select",
        "a clawback of A's commission",
        "select id from public.commission_reversals where id = %(spare_session)s",
        "X - A - - A",
        setup=REVERSAL_OF_A,
    ),
    rls_case(
        "commission_reversals",
        "insert",
        "a reversal of B's commission",
        "insert into public.commission_reversals (commission_id, refund_id, distributor_id,"
        " amount, currency, is_clawback) values (%(commission_of_b)s, %(spare)s,"
        " %(distributor_b)s, 1, 'USD', false)",
        "X X X X X X",
        setup=REFUND_OF_A,
    ),
    rls_case(
        "commission_reversals",
        "update",
        "settling a clawback of A",
        "update public.commission_reversals set settled_payout_id = %(payout_of_a)s"
        " where id = %(spare_session)s",
        "X X X X X X",
        setup=REVERSAL_OF_A,
    ),
    rls_case(
        "commission_reversals",
        "delete",
        "a clawback of A's commission",
        "delete from public.commission_reversals where id = %(spare_session)s",
        "X X X X X X",
        setup=REVERSAL_OF_A,
    ),
]
