"""users, user_profiles, distributor_profiles."""

from tests.support.rls_matrix import rls_case

# Expectations: anon, participant, distributor A, distributor B, trainer, admin.
CASES = [
    # users ------------------------------------------------------------------
    rls_case(
        "users",
        "select",
        "the participant's row",
        "select id from public.users where id = %(participant)s",
        "- A - - - A",
    ),
    rls_case(
        "users",
        "select",
        "distributor A's row",
        "select id from public.users where id = %(distributor_a)s",
        "- - A - - A",
    ),
    rls_case(
        "users",
        "insert",
        "a new user",
        "insert into public.users (id, email) values (gen_random_uuid(), 'new@example.com')",
        "X X X X X X",
    ),
    rls_case(
        "users",
        "update",
        "the participant records a login",
        "update public.users set last_login = now() where id = %(participant)s",
        "- A - - - A",
    ),
    rls_case(
        "users",
        "update",
        "raise your own role to admin",
        "update public.users set role = 'admin' where id = %(me)s",
        "- X X X X A",
    ),
    rls_case(
        "users",
        "update",
        "deactivate the participant",
        "update public.users set is_active = false where id = %(participant)s",
        "- X - - - A",
    ),
    rls_case(
        "users",
        "delete",
        "the participant's row",
        "delete from public.users where id = %(participant)s",
        "- - - - - -",
    ),
    # user_profiles ------------------------------------------------------------
    rls_case(
        "user_profiles",
        "select",
        "the participant's profile (enrolled with the trainer)",
        "select user_id from public.user_profiles where user_id = %(participant)s",
        "- A - - A A",
    ),
    rls_case(
        "user_profiles",
        "select",
        "distributor B's profile",
        "select user_id from public.user_profiles where user_id = %(distributor_b)s",
        "- - - A - A",
    ),
    rls_case(
        "user_profiles",
        "insert",
        "a second profile",
        "insert into public.user_profiles (user_id) values (gen_random_uuid())",
        "X X X X X X",
    ),
    rls_case(
        "user_profiles",
        "update",
        "your own profile",
        "update public.user_profiles set bio = 'Hello' where user_id = %(me)s",
        "- A A A A A",
    ),
    rls_case(
        "user_profiles",
        "update",
        "the participant's profile",
        "update public.user_profiles set bio = 'Hello' where user_id = %(participant)s",
        "- A - - - A",
    ),
    rls_case(
        "user_profiles",
        "delete",
        "the participant's profile",
        "delete from public.user_profiles where user_id = %(participant)s",
        "- - - - - -",
    ),
    # distributor_profiles -------------------------------------------------------
    rls_case(
        "distributor_profiles",
        "select",
        "distributor A's profile",
        "select user_id from public.distributor_profiles where user_id = %(distributor_a)s",
        "- - A - - A",
    ),
    rls_case(
        "distributor_profiles",
        "insert",
        "a profile for distributor B",
        "insert into public.distributor_profiles (user_id, distributor_code)"
        " values (%(distributor_b)s, 'MP-NEW01')",
        "X X X X X A",
        setup="delete from public.distributor_profiles where user_id = %(distributor_b)s",
    ),
    rls_case(
        "distributor_profiles",
        "update",
        "distributor A's display name",
        "update public.distributor_profiles set display_name = 'Renamed'"
        " where user_id = %(distributor_a)s",
        "- - A - - A",
    ),
    rls_case(
        "distributor_profiles",
        "update",
        "raise distributor A's commission rate",
        "update public.distributor_profiles set commission_rate = 50"
        " where user_id = %(distributor_a)s",
        "- - X - - A",
    ),
    rls_case(
        "distributor_profiles",
        "update",
        "raise your own tier",
        "update public.distributor_profiles set tier_level = 4 where user_id = %(me)s",
        "- - X X - -",
    ),
    rls_case(
        "distributor_profiles",
        "delete",
        "distributor A's profile",
        "delete from public.distributor_profiles where user_id = %(distributor_a)s",
        "- - - - - A",
    ),
]
