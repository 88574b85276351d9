"""clients, client_interactions, client_follow_ups: a distributor's own book."""

from tests.support.rls_matrix import rls_case

# Expectations: anon, participant, distributor A, distributor B, trainer, admin.
CASES = [
    # clients ----------------------------------------------------------------------
    rls_case(
        "clients",
        "select",
        "A's client",
        "select id from public.clients where id = %(client_of_a)s",
        "- - A - - A",
    ),
    rls_case(
        "clients",
        "select",
        "B's client",
        "select id from public.clients where id = %(client_of_b)s",
        "- - - A - A",
    ),
    rls_case(
        "clients",
        "insert",
        "a client in A's book",
        "insert into public.clients (distributor_id, first_name) values (%(distributor_a)s, 'Nora')",
        "X X A X X A",
    ),
    rls_case(
        "clients",
        "update",
        "A's client's pipeline status",
        "update public.clients set status = 'qualified' where id = %(client_of_a)s",
        "- - A - - A",
    ),
    rls_case(
        "clients",
        "delete",
        "A's client",
        "delete from public.clients where id = %(client_of_a)s",
        "- - A - - A",
    ),
    # client_interactions ------------------------------------------------------------
    rls_case(
        "client_interactions",
        "select",
        "a call with A's client",
        "select id from public.client_interactions where id = %(interaction_of_a)s",
        "- - A - - A",
    ),
    rls_case(
        "client_interactions",
        "insert",
        "a note on A's client",
        "insert into public.client_interactions (client_id, distributor_id, interaction_type, summary)"
        " values (%(client_of_a)s, %(distributor_a)s, 'note', 'Prefers evening calls')",
        "X X A X X A",
    ),
    rls_case(
        "client_interactions",
        "update",
        "a call with A's client",
        "update public.client_interactions set summary = 'Edited' where id = %(interaction_of_a)s",
        "- - A - - A",
    ),
    rls_case(
        "client_interactions",
        "delete",
        "a call with A's client",
        "delete from public.client_interactions where id = %(interaction_of_a)s",
        "- - A - - A",
    ),
    # client_follow_ups ----------------------------------------------------------------
    rls_case(
        "client_follow_ups",
        "select",
        "A's follow-up",
        "select id from public.client_follow_ups where id = %(follow_up_of_a)s",
        "- - A - - A",
    ),
    rls_case(
        "client_follow_ups",
        "insert",
        "a follow-up for A's client",
        "insert into public.client_follow_ups (client_id, distributor_id, title, due_at)"
        " values (%(client_of_a)s, %(distributor_a)s, 'Call back', now() + interval '1 day')",
        "X X A X X A",
    ),
    rls_case(
        "client_follow_ups",
        "update",
        "mark A's follow-up done",
        "update public.client_follow_ups set status = 'done', completed_at = now()"
        " where id = %(follow_up_of_a)s",
        "- - A - - A",
    ),
    rls_case(
        "client_follow_ups",
        "delete",
        "A's follow-up",
        "delete from public.client_follow_ups where id = %(follow_up_of_a)s",
        "- - A - - A",
    ),
]
