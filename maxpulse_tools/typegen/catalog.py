"""What the type generator reads from the database: pg_catalog, nothing else.

The same facts the Supabase CLI's generator (postgres-meta) reads: relations
and their columns, foreign keys, functions, enums and composite types of the
chosen schemas. Types are named as pg_type names them (`int4`, `_text`);
domains are followed down to their base type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

RELATIONS = """
select c.oid, n.nspname, c.relname, c.relkind,
       c.relkind in ('v', 'm') and (pg_relation_is_updatable(c.oid, false) & 20) = 20
from pg_class as c
join pg_namespace as n on n.oid = c.relnamespace
where n.nspname = any(%(schemas)s) and c.relkind in ('r', 'p', 'f', 'v', 'm')
order by n.nspname, c.relname
"""

COLUMNS = """
select a.attrelid, a.attname, tn.nspname, t.typname, not a.attnotnull,
       a.atthasdef, a.attidentity, a.attgenerated,
       c.relkind not in ('v', 'm') or pg_column_is_updatable(a.attrelid, a.attnum, false)
from pg_attribute as a
join pg_class as c on c.oid = a.attrelid
join pg_namespace as n on n.oid = c.relnamespace
join pg_type as declared on declared.oid = a.atttypid
join pg_type as t on t.oid = case when declared.typtype = 'd' then declared.typbasetype else declared.oid end
join pg_namespace as tn on tn.oid = t.typnamespace
where n.nspname = any(%(schemas)s) and c.relkind in ('r', 'p', 'f', 'v', 'm')
  and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attname
"""

# A foreign key is one-to-one when its columns are exactly a unique key of their table.
RELATIONSHIPS = """
select k.conrelid, k.conname,
       array(select a.attname from unnest(k.conkey) with ordinality as u(attnum, i)
             join pg_attribute as a on a.attrelid = k.conrelid and a.attnum = u.attnum order by u.i),
       rn.nspname, r.relname,
       array(select a.attname from unnest(k.confkey) with ordinality as u(attnum, i)
             join pg_attribute as a on a.attrelid = k.confrelid and a.attnum = u.attnum order by u.i),
       exists (
         select from pg_index as x
         where x.indrelid = k.conrelid and x.indisunique and x.indpred is null
           and (select array_agg(v order by v) from unnest(x.indkey::int2[]) as v)
             = (select array_agg(v order by v) from unnest(k.conkey) as v)
       )
from pg_constraint as k
join pg_class as c on c.oid = k.conrelid
join pg_namespace as n on n.oid = c.relnamespace
join pg_class as r on r.oid = k.confrelid
join pg_namespace as rn on rn.oid = r.relnamespace
where k.contype = 'f' and n.nspname = any(%(schemas)s)
"""

FUNCTIONS = """
select n.nspname, p.proname, p.proretset,
       rn.nspname, rt.typname, rt.typrelid,
       coalesce(p.proallargtypes::oid[], p.proargtypes::oid[]),
       coalesce(p.proargmodes::text[], array_fill('i'::text, array[p.pronargs::int])),
       coalesce(p.proargnames, array_fill(''::text, array[cardinality(coalesce(p.proallargtypes::oid[], p.proargtypes::oid[]))])),
       p.pronargs, p.pronargdefaults
from pg_proc as p
join pg_namespace as n on n.oid = p.pronamespace
join pg_type as rt on rt.oid = p.prorettype
join pg_namespace as rn on rn.oid = rt.typnamespace
where n.nspname = any(%(schemas)s) and p.prokind = 'f'
  and rt.typname not in ('trigger', 'event_trigger')
order by n.nspname, p.proname, p.oid
"""

TYPES = """
select t.oid, n.nspname, t.typname, t.typtype, t.typrelid,
       array(select e.enumlabel::text from pg_enum as e where e.enumtypid = t.oid order by e.enumsortorder)
from pg_type as t
join pg_namespace as n on n.oid = t.typnamespace
where t.typtype in ('e', 'c', 'b', 'p', 'd') or t.typelem <> 0
"""

COMPOSITE_ATTRIBUTES = """
select c.reltype, a.attname, tn.nspname, t.typname
from pg_attribute as a
join pg_class as c on c.oid = a.attrelid
join pg_namespace as n on n.oid = c.relnamespace
join pg_type as t on t.oid = a.atttypid
join pg_namespace as tn on tn.oid = t.typnamespace
where c.relkind = 'c' and n.nspname = any(%(schemas)s) and a.attnum > 0 and not a.attisdropped
order by c.reltype, a.attnum
"""


@dataclass(frozen=True)
class PgType:
    """A type by schema and pg_type name (`pg_catalog`, `_int4`)."""

    schema: str
    name: str


@dataclass(frozen=True)
class Column:
    name: str
    type: PgType
    is_nullable: bool
    has_default: bool
    is_always_generated: bool
    is_updatable: bool


@dataclass(frozen=True)
class Relationship:
    foreign_key_name: str
    columns: tuple[str, ...]
    referenced_schema: str
    referenced_relation: str
    referenced_columns: tuple[str, ...]
    is_one_to_one: bool


@dataclass
class Relation:
    """A table, view or materialized view."""

    oid: int
    schema: str
    name: str
    kind: str
    is_updatable_view: bool
    columns: list[Column] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)

    @property
    def is_view(self) -> bool:
        return self.kind in ("v", "m")


@dataclass(frozen=True)
class Argument:
    name: str
    type: PgType
    mode: str  # i, o, b (inout), v (variadic), t (table)
    has_default: bool


@dataclass(frozen=True)
class Function:
    schema: str
    name: str
    returns_set: bool
    return_type: PgType
    return_relation_oid: int
    arguments: tuple[Argument, ...]


@dataclass(frozen=True)
class UserType:
    """An enum (with its labels) or a standalone composite type (with its attributes)."""

    schema: str
    name: str
    labels: tuple[str, ...] = ()
    attributes: tuple[tuple[str, PgType], ...] = ()


@dataclass
class Catalog:
    """Everything the generator needs about the chosen schemas."""

    schemas: tuple[str, ...]
    relations: list[Relation]
    functions: list[Function]
    enums: list[UserType]
    composites: list[UserType]
    type_names: dict[int, PgType]


def read_catalog(conn: Any, schemas: Sequence[str]) -> Catalog:
    """Read relations, columns, foreign keys, functions and types of `schemas`."""
    params = {"schemas": list(schemas)}
    relations = {row[0]: Relation(*row) for row in conn.execute(RELATIONS, params).fetchall()}
    for oid, name, tschema, tname, *flags in conn.execute(COLUMNS, params).fetchall():
        nullable, has_default, identity, generated, updatable = flags
        always = identity == "a" or generated == "s"
        relations[oid].columns.append(
            Column(
                name,
                PgType(tschema, tname),
                nullable,
                has_default or identity != "",
                always,
                updatable,
            )
        )
    for oid, *fk in conn.execute(RELATIONSHIPS, params).fetchall():
        if oid in relations:
            name, cols, rschema, rname, rcols, one = fk
            relations[oid].relationships.append(
                Relationship(name, tuple(cols), rschema, rname, tuple(rcols), one)
            )
    types = conn.execute(TYPES).fetchall()
    type_names = {oid: PgType(schema, name) for oid, schema, name, *_ in types}
    return Catalog(
        tuple(schemas),
        list(relations.values()),
        _functions(conn, params, type_names),
        [
            UserType(s, n, tuple(labels))
            for _, s, n, kind, _, labels in types
            if kind == "e" and s in schemas
        ],
        _composites(conn, params, types),
        type_names,
    )


def _functions(conn: Any, params: dict[str, Any], type_names: dict[int, PgType]) -> list[Function]:
    functions = []
    for row in conn.execute(FUNCTIONS, params).fetchall():
        schema, name, returns_set, rschema, rname, rrelid, types, modes, names, nargs, ndefaults = (
            row
        )
        in_positions = [i for i, mode in enumerate(modes) if mode in ("i", "b", "v")]
        defaulted = set(in_positions[nargs - ndefaults :]) if ndefaults else set()
        arguments = tuple(
            Argument(
                names[i] or "",
                type_names.get(types[i], PgType("", "unknown")),
                modes[i],
                i in defaulted,
            )
            for i in range(len(types))
        )
        functions.append(
            Function(schema, name, returns_set, PgType(rschema, rname), rrelid, arguments)
        )
    return functions


def _composites(conn: Any, params: dict[str, Any], types: list[tuple[Any, ...]]) -> list[UserType]:
    standalone = {
        oid: (schema, name)
        for oid, schema, name, kind, relid, _ in types
        if kind == "c" and schema in params["schemas"]
    }
    attributes: dict[int, list[tuple[str, PgType]]] = {}
    for type_oid, name, tschema, tname in conn.execute(COMPOSITE_ATTRIBUTES, params).fetchall():
        attributes.setdefault(type_oid, []).append((name, PgType(tschema, tname)))
    return [
        UserType(schema, name, attributes=tuple(attributes[oid]))
        for oid, (schema, name) in standalone.items()
        if oid in attributes
    ]
