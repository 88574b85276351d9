"""Rendering a `Catalog` as TypeScript: the `Database` type in the Supabase CLI's shape.

Per schema `Tables` (`Row`, `Insert`, `Update`, `Relationships`), `Views`,
`Functions` (`Args`, `Returns`, `SetofOptions`), `Enums` and `CompositeTypes`;
`__InternalSupabase.PostgrestVersion` for supabase-js; then the helper types
`Tables<>`, `TablesInsert<>`, `TablesUpdate<>`, `Enums<>`, `CompositeTypes<>`
and the `Constants` object. Pure: strings in, a string out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from maxpulse_tools.typegen.catalog import Catalog, Column, Function, PgType, Relation, UserType

NUMBER_TYPES = {"int2", "int4", "int8", "float4", "float8", "numeric", "oid"}
STRING_TYPES = {
    "bytea", "bpchar", "varchar", "date", "text", "citext", "time", "timetz",
    "timestamp", "timestamptz", "uuid", "vector", "interval", "inet", "cidr", "macaddr",
    "name", "char", "money", "tsvector", "xml",
}  # fmt: skip
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
EMPTY = "{\n  [_ in never]: never\n}"
JSON_TYPE = """export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]
"""


def render_typescript(catalog: Catalog, postgrest_version: str) -> str:
    """The whole `database.types.ts`."""
    default = "public" if "public" in catalog.schemas else catalog.schemas[0]
    internal = (
        "// supabase-js reads the PostgREST version from here, so that\n"
        "// createClient<Database>(url, key) needs no second type argument\n"
        f"__InternalSupabase: {block([f'PostgrestVersion: {q(postgrest_version)}'])}"
    )
    schemas = [
        f"{key(schema)}: {schema_block(catalog, schema)}" for schema in sorted(catalog.schemas)
    ]
    database = f"export type Database = {block([internal, *schemas])}\n"
    return "\n".join([JSON_TYPE, database, helpers(default), constants(catalog)])


def schema_block(catalog: Catalog, schema: str) -> str:
    relations = sorted((r for r in catalog.relations if r.schema == schema), key=lambda r: r.name)
    tables = [f"{key(r.name)}: {table_block(catalog, r)}" for r in relations if not r.is_view]
    views = [f"{key(r.name)}: {view_block(catalog, r)}" for r in relations if r.is_view]
    functions = function_entries(catalog, [f for f in catalog.functions if f.schema == schema])
    enums = [
        f"{key(e.name)}: {' | '.join(q(label) for label in e.labels) or 'never'}"
        for e in sorted(catalog.enums, key=lambda e: e.name)
        if e.schema == schema
    ]
    composites = [
        f"{key(c.name)}: {block(f'{key(name)}: {ts_type(catalog, t)} | null' for name, t in c.attributes)}"
        for c in sorted(catalog.composites, key=lambda c: c.name)
        if c.schema == schema
    ]
    return block(
        [
            f"Tables: {block_or_empty(tables)}",
            f"Views: {block_or_empty(views)}",
            f"Functions: {block_or_empty(functions)}",
            f"Enums: {block_or_empty(enums)}",
            f"CompositeTypes: {block_or_empty(composites)}",
        ]
    )


def table_block(catalog: Catalog, table: Relation) -> str:
    columns = table.columns
    return block(
        [
            f"Row: {block(row_fields(catalog, columns))}",
            f"Insert: {block(insert_field(catalog, c) for c in columns)}",
            f"Update: {block(update_field(catalog, c) for c in columns)}",
            f"Relationships: {relationships(table)}",
        ]
    )


def view_block(catalog: Catalog, view: Relation) -> str:
    parts = [f"Row: {block(row_fields(catalog, view.columns))}"]
    if view.is_updatable_view:
        writable = [
            f"{key(c.name)}?: {ts_type(catalog, c.type)} | null"
            if c.is_updatable
            else f"{key(c.name)}?: never"
            for c in view.columns
        ]
        parts += [f"Insert: {block(writable)}", f"Update: {block(writable)}"]
    return block([*parts, f"Relationships: {relationships(view)}"])


def row_fields(catalog: Catalog, columns: Iterable[Column]) -> list[str]:
    return [
        f"{key(c.name)}: {ts_type(catalog, c.type)}{' | null' if c.is_nullable else ''}"
        for c in columns
    ]


def insert_field(catalog: Catalog, column: Column) -> str:
    if column.is_always_generated:
        return f"{key(column.name)}?: never"
    optional = "?" if column.is_nullable or column.has_default else ""
    return f"{key(column.name)}{optional}: {ts_type(catalog, column.type)}{' | null' if column.is_nullable else ''}"


def update_field(catalog: Catalog, column: Column) -> str:
    if column.is_always_generated:
        return f"{key(column.name)}?: never"
    return f"{key(column.name)}?: {ts_type(catalog, column.type)}{' | null' if column.is_nullable else ''}"


def relationships(relation: Relation) -> str:
    found = sorted(
        (r for r in relation.relationships if r.referenced_schema == relation.schema),
        key=lambda r: (r.foreign_key_name, r.referenced_relation),
    )
    if not found:
        return "[]"
    items = [
        block(
            [
                f"foreignKeyName: {q(r.foreign_key_name)}",
                f"columns: {json.dumps(list(r.columns))}",
                f"isOneToOne: {'true' if r.is_one_to_one else 'false'}",
                f"referencedRelation: {q(r.referenced_relation)}",
                f"referencedColumns: {json.dumps(list(r.referenced_columns))}",
            ]
        )
        + ","
        for r in found
    ]
    return "[\n" + indent("\n".join(items)) + "\n]"


def function_entries(catalog: Catalog, functions: Sequence[Function]) -> list[str]:
    """One entry per name; overloads become a union of their signatures."""
    by_name: dict[str, list[str]] = {}
    for function in sorted(functions, key=lambda f: f.name):
        inputs = [a for a in function.arguments if a.mode in ("i", "b", "v")]
        if any(not a.name for a in inputs) and len(inputs) > 1:
            continue  # PostgREST calls functions by argument name: unnamed ones cannot be called
        by_name.setdefault(function.name, []).append(function_signature(catalog, function))
    return [
        f"{key(name)}: {' | '.join(sorted(signatures))}" for name, signatures in by_name.items()
    ]


def function_signature(catalog: Catalog, function: Function) -> str:
    inputs = sorted(
        (a for a in function.arguments if a.mode in ("i", "b", "v")), key=lambda a: a.name
    )
    args = (
        block(
            f"{key(a.name)}{'?' if a.has_default else ''}: {ts_type(catalog, a.type)}"
            for a in inputs
        )
        if inputs
        else "never"
    )
    parts = [f"Args: {args}", f"Returns: {function_returns(catalog, function)}"]
    relation = _relation(catalog, function.return_relation_oid)
    if relation is not None:
        one = "false" if function.returns_set else "true"
        setof = "true" if function.returns_set else "false"
        parts.append(
            "SetofOptions: "
            + block(
                [
                    'from: "*"',
                    f"to: {q(relation.name)}",
                    f"isOneToOne: {one}",
                    f"isSetofReturn: {setof}",
                ]
            )
        )
    return block(parts)


def function_returns(catalog: Catalog, function: Function) -> str:
    table_columns = [a for a in function.arguments if a.mode == "t"]
    if table_columns:
        return block(f"{key(a.name)}: {ts_type(catalog, a.type)}" for a in table_columns) + "[]"
    relation = _relation(catalog, function.return_relation_oid)
    if relation is not None:
        returned = block(row_fields(catalog, relation.columns))
    else:
        returned = ts_type(catalog, function.return_type)
    return f"{returned}[]" if function.returns_set else returned


def ts_type(catalog: Catalog, pg_type: PgType) -> str:
    """The TypeScript type of a PostgreSQL type, as supabase-js's parser expects it."""
    name = pg_type.name
    if name.startswith("_"):
        return f"({ts_type(catalog, PgType(pg_type.schema, name[1:]))})[]"
    if name == "bool":
        return "boolean"
    if name in NUMBER_TYPES:
        return "number"
    if name in STRING_TYPES:
        return "string"
    if name in ("json", "jsonb"):
        return "Json"
    if name == "void":
        return "undefined"
    if name == "record":
        return "Record<string, unknown>"
    return _user_type(catalog, pg_type)


def _user_type(catalog: Catalog, pg_type: PgType) -> str:
    included = pg_type.schema in catalog.schemas
    for enum in catalog.enums:
        if (enum.schema, enum.name) == (pg_type.schema, pg_type.name):
            return _ref(enum, "Enums")
    for composite in catalog.composites:
        if (composite.schema, composite.name) == (pg_type.schema, pg_type.name):
            return _ref(composite, "CompositeTypes")
    for relation in catalog.relations:
        if included and (relation.schema, relation.name) == (pg_type.schema, pg_type.name):
            kind = "Views" if relation.is_view else "Tables"
            return f'Database[{q(relation.schema)}][{q(kind)}][{q(relation.name)}]["Row"]'
    return "unknown"


def _ref(user_type: UserType, kind: str) -> str:
    return f"Database[{q(user_type.schema)}][{q(kind)}][{q(user_type.name)}]"


def _relation(catalog: Catalog, type_relation_oid: int) -> Relation | None:
    if not type_relation_oid:
        return None
    return next((r for r in catalog.relations if r.oid == type_relation_oid), None)


def constants(catalog: Catalog) -> str:
    schemas = []
    for schema in sorted(catalog.schemas):
        enums = [
            f"{key(e.name)}: {json.dumps(list(e.labels))},"
            for e in sorted(catalog.enums, key=lambda e: e.name)
            if e.schema == schema
        ]
        enum_map = block(enums) if enums else "{}"
        schemas.append(f"{key(schema)}: {block([f'Enums: {enum_map},'])},")
    return f"export const Constants = {block(schemas)} as const\n"


def helpers(default_schema: str) -> str:
    """Tables<>, TablesInsert<>, TablesUpdate<>, Enums<>, CompositeTypes<> over the schemas."""
    return HELPERS.replace("__DEFAULT__", q(default_schema))


def block(lines: Iterable[str]) -> str:
    body = "\n".join(lines)
    return "{\n" + indent(body) + "\n}" if body else "{}"


def block_or_empty(lines: list[str]) -> str:
    return block(lines) if lines else EMPTY


def indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else line for line in text.splitlines())


def key(name: str) -> str:
    """A property name: bare when it is an identifier, quoted otherwise (as prettier leaves it)."""
    return name if _IDENTIFIER.match(name) else q(name)


def q(text: str) -> str:
    """A TypeScript string literal (JSON's quoting is valid TypeScript)."""
    return json.dumps(text)


HELPERS = """type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">
type SchemaName = keyof DatabaseWithoutInternals
type DefaultSchema = DatabaseWithoutInternals[Extract<SchemaName, __DEFAULT__>]
type SchemaOption = { schema: SchemaName }
type RowsOf<Schema extends SchemaName> = DatabaseWithoutInternals[Schema]["Tables"] &
  DatabaseWithoutInternals[Schema]["Views"]
type DefaultRows = DefaultSchema["Tables"] & DefaultSchema["Views"]

export type Tables<
  NameOrSchema extends keyof DefaultRows | SchemaOption,
  Name extends NameOrSchema extends SchemaOption ? keyof RowsOf<NameOrSchema["schema"]> : never = never,
> = NameOrSchema extends SchemaOption
  ? RowsOf<NameOrSchema["schema"]>[Name] extends { Row: infer R }
    ? R
    : never
  : NameOrSchema extends keyof DefaultRows
    ? DefaultRows[NameOrSchema] extends { Row: infer R }
      ? R
      : never
    : never

export type TablesInsert<
  NameOrSchema extends keyof DefaultSchema["Tables"] | SchemaOption,
  Name extends NameOrSchema extends SchemaOption
    ? keyof DatabaseWithoutInternals[NameOrSchema["schema"]]["Tables"]
    : never = never,
> = NameOrSchema extends SchemaOption
  ? DatabaseWithoutInternals[NameOrSchema["schema"]]["Tables"][Name] extends { Insert: infer I }
    ? I
    : never
  : NameOrSchema extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][NameOrSchema] extends { Insert: infer I }
      ? I
      : never
    : never

export type TablesUpdate<
  NameOrSchema extends keyof DefaultSchema["Tables"] | SchemaOption,
  Name extends NameOrSchema extends SchemaOption
    ? keyof DatabaseWithoutInternals[NameOrSchema["schema"]]["Tables"]
    : never = never,
> = NameOrSchema extends SchemaOption
  ? DatabaseWithoutInternals[NameOrSchema["schema"]]["Tables"][Name] extends { Update: infer U }
    ? U
    : never
  : NameOrSchema extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][NameOrSchema] extends { Update: infer U }
      ? U
      : never
    : never

export type Enums<
  NameOrSchema extends keyof DefaultSchema["Enums"] | SchemaOption,
  Name extends NameOrSchema extends SchemaOption
    ? keyof DatabaseWithoutInternals[NameOrSchema["schema"]]["Enums"]
    : never = never,
> = NameOrSchema extends SchemaOption
  ? DatabaseWithoutInternals[NameOrSchema["schema"]]["Enums"][Name]
  : NameOrSchema extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][NameOrSchema]
    : never

export type CompositeTypes<
  NameOrSchema extends keyof DefaultSchema["CompositeTypes"] | SchemaOption,
  Name extends NameOrSchema extends SchemaOption
    ? keyof DatabaseWithoutInternals[NameOrSchema["schema"]]["CompositeTypes"]
    : never = never,
> = NameOrSchema extends SchemaOption
  ? DatabaseWithoutInternals[NameOrSchema["schema"]]["CompositeTypes"][Name]
  : NameOrSchema extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][NameOrSchema]
    : never
"""
