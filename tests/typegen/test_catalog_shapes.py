"""The generator on schema objects the project's migrations do not have yet: enums, composite
types, identity columns, updatable views, set-returning and overloaded functions."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from maxpulse_tools.typegen.generate import generate_typescript
from tests.support.external import node_dir, require_node_package, require_node_program
from tests.typegen.test_typescript import TSCONFIG

SCHEMA = """
create type public.mood as enum ('calm', 'tense');
create type public.amount as (value numeric, currency text);
create table public.notes (
  id bigint generated always as identity primary key,
  body text not null,
  mood public.mood,
  tags text[] not null default '{}',
  price public.amount
);
create table public.note_details (note_id bigint primary key references public.notes (id), extra jsonb);
create view public.calm_notes as select id, body from public.notes where mood = 'calm';
create function public.notes_by_mood(wanted public.mood) returns setof public.notes
  language sql stable as $$ select * from public.notes where mood = wanted $$;
create function public.shout(words text) returns text language sql as $$ select upper(words) $$;
create function public.shout(times int) returns text language sql as $$ select repeat('!', times) $$;
create function public.add(int, int) returns int language sql as $$ select $1 + $2 $$;
create function public.touch() returns void language sql as $$ select $$;
"""
USAGE = """
import { createClient } from "@supabase/supabase-js"
import type { Database, Enums, CompositeTypes } from "./database.types"
import { Constants } from "./database.types"

const supabase = createClient<Database>("http://127.0.0.1:54321", "anon-key")
export const moods: readonly Enums<"mood">[] = Constants.public.Enums.mood
export const amount: CompositeTypes<"amount"> = { value: 1, currency: "EUR" }
export async function use(): Promise<void> {
  const { data } = await supabase.rpc("notes_by_mood", { wanted: "calm" })
  const body: string | undefined = data?.[0]?.body
  // @ts-expect-error identity columns generated always are never written
  await supabase.from("notes").insert({ id: 1, body: "x" })
  await supabase.from("calm_notes").update({ body: "y" }).eq("id", 1)
  console.log(body)
}
"""


@pytest.fixture
def schema_db(database_factory: Callable[..., str]) -> str:
    url = database_factory(migrated=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA)
    return url


@pytest.fixture
def generated(schema_db: str) -> str:
    with psycopg.connect(schema_db) as conn:
        return generate_typescript(conn, ["public"], "13")


@pytest.mark.parametrize(
    "expected",
    [
        'PostgrestVersion: "13"',
        'mood: "calm" | "tense"',
        'mood: Database["public"]["Enums"]["mood"] | null',
        'price: Database["public"]["CompositeTypes"]["amount"] | null',
        "tags: (string)[]",
        "id?: never",
        "isOneToOne: true",
        'mood: ["calm", "tense"],',
        "Args: never\n        Returns: undefined",
    ],
)
def test_generated_types_cover_the_catalog(generated: str, expected: str) -> None:
    assert expected in generated


def test_overloads_become_a_union_and_unnamed_arguments_are_left_out(generated: str) -> None:
    shout = generated.split("      shout: ", 1)[1].split("\n      touch: ", 1)[0]
    assert shout.count("Args:") == 2 and "} | {" in shout
    assert "times: number" in shout and "words: string" in shout
    assert "add:" not in generated  # two unnamed arguments: PostgREST cannot call it
    assert 'to: "notes"' in generated and "isSetofReturn: true" in generated


def test_the_types_compile_with_supabase_js(generated: str, tmp_path: Path) -> None:
    tsc = require_node_program("tsc")
    require_node_package("@supabase/supabase-js")
    (tmp_path / "database.types.ts").write_text(generated, encoding="utf-8")
    (tmp_path / "uses_the_types.ts").write_text(USAGE, encoding="utf-8")
    (tmp_path / "tsconfig.json").write_text(TSCONFIG, encoding="utf-8")
    (tmp_path / "node_modules").symlink_to(node_dir() / "node_modules")

    compiled = subprocess.run(
        [str(tsc), "-p", "tsconfig.json"],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert compiled.returncode == 0, compiled.stdout + generated
