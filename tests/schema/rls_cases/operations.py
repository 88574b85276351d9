"""operations_audit: admins read who changed the flags; nobody writes it through the API."""

from tests.support.rls_matrix import rls_case

# Expectations: anon, participant, distributor A, distributor B, trainer, admin.
AUDIT_ROW = (
    "insert into public.operations_audit (id, action, actor, reason, previous_flags, new_flags)"
    " values (%(spare)s, 'rollback', 'ops@host', 'drill', '{\"use_supabase\": true}',"
    " '{\"use_supabase\": false}')"
)

CASES = [
    rls_case(
        "operations_audit",
        "select",
        "a rollback's audit row",
        "select id from public.operations_audit where id = %(spare)s",
        "- - - - - A",
        setup=AUDIT_ROW,
    ),
    rls_case(
        "operations_audit",
        "insert",
        "a forged audit row",
        "insert into public.operations_audit (action, actor) values ('flag_set', 'me')",
        "X X X X X X",
    ),
    rls_case(
        "operations_audit",
        "update",
        "a rollback's reason",
        "update public.operations_audit set reason = 'nothing happened' where id = %(spare)s",
        "- - - - - -",
        setup=AUDIT_ROW,
    ),
    rls_case(
        "operations_audit",
        "delete",
        "a rollback's audit row",
        "delete from public.operations_audit where id = %(spare)s",
        "- - - - - -",
        setup=AUDIT_ROW,
    ),
]
