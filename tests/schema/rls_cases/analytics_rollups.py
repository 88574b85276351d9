"""distributor_daily_stats: distributors read their own days, admins all; only the aggregator writes.

The aggregator runs as service_role or the database owner; no API role may
write a rollup, not even an admin (the numbers come from the raw rows).
anon has no privileges on the table.
"""

from tests.support.rls_matrix import rls_case

DAY_OF_A = (
    "insert into public.distributor_daily_stats (distributor_id, day, link_clicks)"
    " values (%(distributor_a)s, date '2026-11-01', 3)"
)

# Expectations: anon, participant, distributor A, distributor B, trainer, admin.
CASES = [
    rls_case(
        "distributor_daily_stats",
        "select",
        "a day of A",
        "select day from public.distributor_daily_stats"
        " where distributor_id = %(distributor_a)s and day = date '2026-11-01'",
        "X - A - - A",
        setup=DAY_OF_A,
    ),
    rls_case(
        "distributor_daily_stats",
        "insert",
        "a day of your own",
        "insert into public.distributor_daily_stats (distributor_id, day, link_clicks)"
        " values (%(me)s, date '2026-11-02', 1000)",
        "X X X X X X",
    ),
    rls_case(
        "distributor_daily_stats",
        "update",
        "the clicks of A's day",
        "update public.distributor_daily_stats set link_clicks = 1000"
        " where distributor_id = %(distributor_a)s and day = date '2026-11-01'",
        "X X X X X X",
        setup=DAY_OF_A,
    ),
    rls_case(
        "distributor_daily_stats",
        "delete",
        "a day of A",
        "delete from public.distributor_daily_stats"
        " where distributor_id = %(distributor_a)s and day = date '2026-11-01'",
        "X X X X X X",
        setup=DAY_OF_A,
    ),
]
