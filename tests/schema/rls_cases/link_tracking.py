"""tracked_links and link_clicks: distributors manage their own links and read their own clicks.

Clicks are written only by the link-tracker function (as service_role); no API
role may write them. anon has no privileges on either table.
"""

from tests.support.rls_matrix import rls_case

LINK_OF_A = (
    "insert into public.tracked_links (id, distributor_id, short_code, destination_url)"
    " values (%(spare)s, %(distributor_a)s, 'ava-matrix', 'https://assessment.example/start')"
)
CLICK_ON_LINK_OF_A = (
    LINK_OF_A,
    "insert into public.link_clicks (session_id, link_id, distributor_id, browser_family,"
    " os_family, device_family, visitor_hash)"
    " values (%(spare_session)s, %(spare)s, %(distributor_a)s, 'Chrome', 'Android', 'mobile',"
    " repeat('a', 64))",
)

# Expectations: anon, participant, distributor A, distributor B, trainer, admin.
CASES = [
    # tracked_links ------------------------------------------------------------------
    rls_case(
        "tracked_links",
        "select",
        "a link of A",
        "select id from public.tracked_links where id = %(spare)s",
        "X - A - - A",
        setup=LINK_OF_A,
    ),
    rls_case(
        "tracked_links",
        "insert",
        "a link owned by A",
        "insert into public.tracked_links (distributor_id, short_code, destination_url)"
        " values (%(distributor_a)s, 'ava-summer', 'https://assessment.example/start')",
        "X X A X X A",
    ),
    rls_case(
        "tracked_links",
        "update",
        "the destination of A's link",
        "update public.tracked_links set destination_url = 'https://assessment.example/v2'"
        " where id = %(spare)s",
        "X - A - - A",
        setup=LINK_OF_A,
    ),
    rls_case(
        "tracked_links",
        "update",
        "moving A's link to B",
        "update public.tracked_links set distributor_id = %(distributor_b)s where id = %(spare)s",
        "X - X - - A",
        setup=LINK_OF_A,
    ),
    rls_case(
        "tracked_links",
        "delete",
        "a link of A",
        "delete from public.tracked_links where id = %(spare)s",
        "X - A - - A",
        setup=LINK_OF_A,
    ),
    # link_clicks --------------------------------------------------------------------
    rls_case(
        "link_clicks",
        "select",
        "a click on A's link",
        "select session_id from public.link_clicks where session_id = %(spare_session)s",
        "X - A - - A",
        setup=CLICK_ON_LINK_OF_A,
    ),
    rls_case(
        "link_clicks",
        "insert",
        "a made-up click on A's link",
        "insert into public.link_clicks (session_id, link_id, distributor_id, browser_family,"
        " os_family, device_family, visitor_hash)"
        " values (%(spare_session)s, %(spare)s, %(distributor_a)s, 'Chrome', 'Android',"
        " 'mobile', repeat('a', 64))",
        "X X X X X X",
        setup=LINK_OF_A,
    ),
    rls_case(
        "link_clicks",
        "update",
        "a click on A's link",
        "update public.link_clicks set is_bot = true where session_id = %(spare_session)s",
        "X X X X X X",
        setup=CLICK_ON_LINK_OF_A,
    ),
    rls_case(
        "link_clicks",
        "delete",
        "a click on A's link",
        "delete from public.link_clicks where session_id = %(spare_session)s",
        "X X X X X X",
        setup=CLICK_ON_LINK_OF_A,
    ),
]
