"""The database-advisor checks, as SQL run against a pushed database.

They follow the lints of Supabase's database advisor (the `splinter` project):
same names and levels, so a finding here is the finding the dashboard shows.
Each query returns `(subject, message)` rows, one per problem. They read only
the catalogs, and run with `search_path = pg_catalog` so that expressions
printed by `pg_get_expr` name every function with its schema (`auth.uid()`).

Every query takes one parameter, `$1`: the list `SYSTEM_SCHEMAS` of schemas
that Supabase or PostgreSQL manage and a project's migrations do not own.
The native `$1` placeholder (a psycopg RawCursor) leaves the `%` of
`format()` alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from maxpulse_tools.lint.findings import Category, Level

SYSTEM_SCHEMAS = (
    "pg_catalog",
    "information_schema",
    "pg_toast",
    "auth",
    "storage",
    "extensions",
    "graphql",
    "graphql_public",
    "realtime",
    "_realtime",
    "supabase_functions",
    "supabase_migrations",
    "vault",
    "pgsodium",
    "pgsodium_masks",
    "pgbouncer",
    "net",
    "cron",
    "pgtle",
    "pgmq",
    "_analytics",
    "tiger",
    "topology",
    "repack",
)


@dataclass(frozen=True)
class AdvisorCheck:
    """One lint: its advisor name, how serious it is, and the query that finds it."""

    name: str
    level: Level
    category: Category
    sql: str


# Objects that belong to an extension are the extension's business.
_NOT_FROM_EXTENSION = """
    not exists (
        select from pg_depend as dep
        where dep.objid = {oid} and dep.deptype = 'e'
    )
"""

RLS_DISABLED_IN_PUBLIC = AdvisorCheck(
    name="rls_disabled_in_public",
    level=Level.ERROR,
    category=Category.SECURITY,
    sql=f"""
select
    format('%I.%I', n.nspname, c.relname),
    'row-level security is off, so the API roles read and write every row; '
    || format('run: alter table %I.%I enable row level security', n.nspname, c.relname)
from pg_class as c
join pg_namespace as n on n.oid = c.relnamespace
where n.nspname = 'public'
  and n.nspname <> all ($1::text[])
  and c.relkind in ('r', 'p')
  and not c.relrowsecurity
  and {_NOT_FROM_EXTENSION.format(oid="c.oid")}
order by 1
""",
)

POLICY_EXISTS_RLS_DISABLED = AdvisorCheck(
    name="policy_exists_rls_disabled",
    level=Level.ERROR,
    category=Category.SECURITY,
    sql="""
select
    format('%I.%I', n.nspname, c.relname),
    format(
        'has policies (%s) but row-level security is off, so they are ignored; '
        'enable row level security on the table',
        string_agg(quote_ident(p.polname), ', ' order by p.polname)
    )
from pg_policy as p
join pg_class as c on c.oid = p.polrelid
join pg_namespace as n on n.oid = c.relnamespace
where not c.relrowsecurity
  and n.nspname <> all ($1::text[])
group by n.nspname, c.relname
order by 1
""",
)

RLS_ENABLED_NO_POLICY = AdvisorCheck(
    name="rls_enabled_no_policy",
    level=Level.INFO,
    category=Category.SECURITY,
    sql="""
select
    format('%I.%I', n.nspname, c.relname),
    'row-level security is on but no policy exists: only service_role and the owner see rows'
from pg_class as c
join pg_namespace as n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
  and c.relrowsecurity
  and n.nspname <> all ($1::text[])
  and n.nspname !~ '^pg_'
  and not exists (select from pg_policy as p where p.polrelid = c.oid)
order by 1
""",
)

FUNCTION_SEARCH_PATH_MUTABLE = AdvisorCheck(
    name="function_search_path_mutable",
    level=Level.WARN,
    category=Category.SECURITY,
    sql=f"""
select
    format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
    'search_path is not fixed, so names resolve through whatever search_path the caller '
    || 'sets; add: set search_path = '''''
from pg_proc as p
join pg_namespace as n on n.oid = p.pronamespace
where p.prokind in ('f', 'p')
  and n.nspname <> all ($1::text[])
  and n.nspname !~ '^pg_'
  and {_NOT_FROM_EXTENSION.format(oid="p.oid")}
  and not exists (
      select from unnest(coalesce(p.proconfig, '{{}}')) as setting
      where setting like 'search\\_path=%'
  )
order by 1
""",
)

SECURITY_DEFINER_VIEW = AdvisorCheck(
    name="security_definer_view",
    level=Level.ERROR,
    category=Category.SECURITY,
    sql=f"""
select
    format('%I.%I', n.nspname, c.relname),
    'the view runs with its owner''s rights and bypasses row-level security for the API roles; '
    || format('run: alter view %I.%I set (security_invoker = true)', n.nspname, c.relname)
from pg_class as c
join pg_namespace as n on n.oid = c.relnamespace
where c.relkind = 'v'
  and n.nspname <> all ($1::text[])
  and n.nspname !~ '^pg_'
  and {_NOT_FROM_EXTENSION.format(oid="c.oid")}
  and (
      case when to_regrole('anon') is null then false
           else has_table_privilege('anon', c.oid, 'SELECT') end
      or case when to_regrole('authenticated') is null then false
              else has_table_privilege('authenticated', c.oid, 'SELECT') end
  )
  and not exists (
      select from unnest(coalesce(c.reloptions, '{{}}')) as option
      where lower(option) in (
          'security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes'
      )
  )
order by 1
""",
)

# A call wrapped as `(select auth.uid())` becomes an InitPlan, evaluated once
# per statement; printed by pg_get_expr it reads `( SELECT auth.uid() AS uid)`.
# Any call left after removing those wrapped ones runs once per row.
AUTH_RLS_INITPLAN = AdvisorCheck(
    name="auth_rls_initplan",
    level=Level.WARN,
    category=Category.PERFORMANCE,
    sql="""
select
    format('%I.%I policy %I', n.nspname, c.relname, p.polname),
    'calls auth.<function>() or current_setting() once per row; '
    || 'wrap the call as (select auth.uid()) so it runs once per statement'
from pg_policy as p
join pg_class as c on c.oid = p.polrelid
join pg_namespace as n on n.oid = c.relnamespace
where c.relrowsecurity
  and n.nspname <> all ($1::text[])
  and exists (
      select
      from unnest(array[
          pg_get_expr(p.polqual, p.polrelid),
          pg_get_expr(p.polwithcheck, p.polrelid)
      ]) as expression
      where regexp_replace(
                expression,
                '\\(\\s*select\\s+(auth\\.(uid|jwt|role|email)|(pg_catalog\\.)?current_setting)\\(',
                '',
                'gi'
            ) ~* '(auth\\.(uid|jwt|role|email)|current_setting)\\('
  )
order by 1
""",
)

UNINDEXED_FOREIGN_KEYS = AdvisorCheck(
    name="unindexed_foreign_keys",
    level=Level.INFO,
    category=Category.PERFORMANCE,
    sql=f"""
select
    format('%I.%I', n.nspname, t.relname),
    format(
        'foreign key %I (%s) has no index that starts with its columns; '
        'joins and deletes of the referenced rows scan the table',
        con.conname,
        (select string_agg(quote_ident(a.attname), ', ' order by k.position)
         from unnest(con.conkey) with ordinality as k (attnum, position)
         join pg_attribute as a on a.attrelid = con.conrelid and a.attnum = k.attnum)
    )
from pg_constraint as con
join pg_class as t on t.oid = con.conrelid
join pg_namespace as n on n.oid = t.relnamespace
where con.contype = 'f'
  and n.nspname <> all ($1::text[])
  and {_NOT_FROM_EXTENSION.format(oid="t.oid")}
  and not exists (
      select
      from pg_index as i,
           lateral (
               select (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)]
                   as leading_columns
           ) as lead
      where i.indrelid = con.conrelid
        and i.indisvalid
        and i.indpred is null
        and i.indnkeyatts >= cardinality(con.conkey)
        and lead.leading_columns @> con.conkey
        and lead.leading_columns <@ con.conkey
  )
order by 1, 2
""",
)

DUPLICATE_INDEX = AdvisorCheck(
    name="duplicate_index",
    level=Level.WARN,
    category=Category.PERFORMANCE,
    sql=f"""
select
    format('%I.%I', n.nspname, t.relname),
    format(
        'indexes %s are identical; drop all but one',
        string_agg(quote_ident(ic.relname), ', ' order by ic.relname)
    )
from pg_index as i
join pg_class as ic on ic.oid = i.indexrelid
join pg_class as t on t.oid = i.indrelid
join pg_namespace as n on n.oid = t.relnamespace
where n.nspname <> all ($1::text[])
  and {_NOT_FROM_EXTENSION.format(oid="t.oid")}
group by
    n.nspname, t.relname, ic.relam, i.indnkeyatts, i.indkey::text, i.indclass::text,
    i.indcollation::text, i.indoption::text,
    coalesce(pg_get_expr(i.indexprs, i.indrelid), ''),
    coalesce(pg_get_expr(i.indpred, i.indrelid), '')
having count(*) > 1
order by 1, 2
""",
)

# Policies TO PUBLIC apply to the two roles PostgREST switches to.
MULTIPLE_PERMISSIVE_POLICIES = AdvisorCheck(
    name="multiple_permissive_policies",
    level=Level.WARN,
    category=Category.PERFORMANCE,
    sql="""
with applicable as (
    select p.polrelid, p.polname, r.rolname, command
    from pg_policy as p
    cross join lateral unnest(
        case p.polcmd
            when 'r' then array['select']
            when 'a' then array['insert']
            when 'w' then array['update']
            when 'd' then array['delete']
            else array['select', 'insert', 'update', 'delete']
        end
    ) as command
    join pg_roles as r
      on r.oid = any (p.polroles)
      or (p.polroles = array[0::oid] and r.rolname in ('anon', 'authenticated'))
    where p.polpermissive
      and not r.rolbypassrls
      and not r.rolsuper
)
select
    format('%I.%I', n.nspname, c.relname),
    format(
        'role %s has %s permissive %s policies (%s), all evaluated for every row; '
        'combine them into one',
        a.rolname, count(*), upper(a.command),
        string_agg(quote_ident(a.polname), ', ' order by a.polname)
    )
from applicable as a
join pg_class as c on c.oid = a.polrelid
join pg_namespace as n on n.oid = c.relnamespace
where n.nspname <> all ($1::text[])
group by n.nspname, c.relname, a.rolname, a.command
having count(*) > 1
order by 1, 2
""",
)

# SELECT USING (true) is a deliberate way to publish a table and is not
# reported; a write that any API user may make to any row is.
RLS_POLICY_ALWAYS_TRUE = AdvisorCheck(
    name="rls_policy_always_true",
    level=Level.WARN,
    category=Category.SECURITY,
    sql="""
with policies as (
    select
        p.polrelid,
        p.polname,
        case p.polcmd when 'a' then 'insert' when 'w' then 'update'
                      when 'd' then 'delete' when '*' then 'all' end as command,
        pg_get_expr(p.polqual, p.polrelid) as using_expression,
        pg_get_expr(p.polwithcheck, p.polrelid) as check_expression,
        case when p.polroles = array[0::oid] then 'public'
             else (select string_agg(r.rolname, ', ' order by r.rolname)
                   from pg_roles as r where r.oid = any (p.polroles)) end as role_names
    from pg_policy as p
    join pg_class as c on c.oid = p.polrelid
    where p.polpermissive
      and p.polcmd <> 'r'
      and c.relrowsecurity
      and (
          p.polroles = array[0::oid]
          or exists (
              select from pg_roles as r
              where r.oid = any (p.polroles) and r.rolname in ('anon', 'authenticated')
          )
      )
),
judged as (
    select
        *,
        command <> 'insert' and (
            using_expression is null
            or lower(regexp_replace(using_expression, '\\s', '', 'g')) in ('true', '(true)', '(1=1)', '1=1')
        ) as using_is_true,
        lower(regexp_replace(coalesce(check_expression, ''), '\\s', '', 'g'))
            in ('true', '(true)', '(1=1)', '1=1') as check_is_true
    from policies
)
select
    format('%I.%I policy %I', n.nspname, c.relname, j.polname),
    format(
        'lets every caller with role %s %s any row; restrict it to the rows the caller owns',
        j.role_names, upper(j.command)
    )
from judged as j
join pg_class as c on c.oid = j.polrelid
join pg_namespace as n on n.oid = c.relnamespace
where n.nspname <> all ($1::text[])
  and (
      j.using_is_true
      or j.check_is_true
      or (j.check_expression is null and j.command = 'insert')
  )
order by 1
""",
)

ADVISOR_CHECKS: tuple[AdvisorCheck, ...] = (
    RLS_DISABLED_IN_PUBLIC,
    POLICY_EXISTS_RLS_DISABLED,
    RLS_ENABLED_NO_POLICY,
    FUNCTION_SEARCH_PATH_MUTABLE,
    SECURITY_DEFINER_VIEW,
    AUTH_RLS_INITPLAN,
    UNINDEXED_FOREIGN_KEYS,
    DUPLICATE_INDEX,
    MULTIPLE_PERMISSIVE_POLICIES,
    RLS_POLICY_ALWAYS_TRUE,
)
