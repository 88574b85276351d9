"""Record what the Supabase CLI stores for the parity files and the edge cases.

    python -m tests.tools.parity.record     # needs the CLI of tests/support/supabase_cli.py

Writes `expected.json` beside this file: for each file of `supabase/migrations/`
the `statements` the CLI stored when it pushed the file, and for each edge case
the split it stored on `migration repair` (which runs nothing, so a case need
not be valid SQL). Run it again after upgrading the pinned CLI, and review the
diff: every change is a change in how the CLI splits.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from pathlib import Path

import psycopg

from bench._common import throwaway_cluster
from tests.support.supabase_cli import (
    PINNED_VERSION,
    cli_splits,
    cli_url,
    cli_version,
    run_supabase,
    stored_statements,
    supabase_cli,
)

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected.json"

CASES = [
    "create table jobs (id int, atomic boolean); create table jobs2 (x int);",
    "select 1 as atomic; select 2",
    "select atomic from t; select 2",
    "select x.atomic; select 2",
    "select 1 atomic; select 2",
    "select $atomic; select 2",
    "create function f() returns int language sql begin atomic select 1; select 2; end; select 3",
    "create function f() returns int language sql BEGIN\n\tATOMIC select 1; end; select 3",
    "create function f() returns int language sql begin/**/atomic select 1; end; select 3",
    "create function f() returns int language sql xbegin atomic select 1; end; select 3",
    "create function f() begin atomic select legend from t; select 2; end; select 3",
    "create function f() begin atomic select end_date from t; select 2; end; select 3",
    "create function f() begin atomic select case when true then 1 end; select 2; end; select 3",
    "create function f() begin atomic select 1; end",
    "create function f() begin atomic select 1; END\n; select 3",
    "create function f() begin atomic select 1; end$x; select 3",
    "create function f() begin atomic select 1; select e'end'; end; select 3",
    "create function f() begin atomic select 1 -- end;\n; end; select 3",
    "create function f() begin atomic select (1; end); end; x",
    "create function f() _begin atomic select 1; end; select 3",
    "create function f() $begin atomic select 1; end; select 3",
    "create function f() begin $atomic select 1; end; select 3",
    "create function f() \u00e9 begin atomic select 1; end; select 3",
    "create function f() \u017fbegin atomic select 1; end; select 3",
    "create function f() \u0661begin atomic select 1; end; select 3",
    "create function f() \u00b2begin atomic select 1; end; select 3",
    "create function f() \U0001d400begin atomic select 1; end; select 3",
    "create function f() begin\u00a0atomic select 1; end; select 3",
    "create function f() begin\ufeffatomic select 1; end; select 3",
    "create function f() begin\u0085atomic select 1; end; select 3",
    "create function f() begin\x1catomic select 1; end; select 3",
    "create function f() begin atom\u0131c select 1; end; select 3",
    "\ufeffselect 1; select 2",
    "\ufeff-- c\nselect 1",
    "select 1;\ufeffselect 2",
    "\ufeff\ufeffselect 1",
    "\ufeff",
    "\ufeff;select 1",
    "select 1;\u3000\u2028 select 2 \ufeff",
    "select 1;\u0085",
    "select 1;\x1c",
    "select 1;\u180e",
    "select E'it\\'s; x'; select 2",
    "select $1$ a; b $1$; select 2",
    "select $\u00b2$ a; $\u00b2$; select 2",
    "select $\u0661$ a; $\u0661$; select 2",
    "select $\u00e9$ a;b $\u00e9$; select 2",
    "create table a$b$c (x int); select 1; select $b$; select 2",
    "select $a b$; select 2",
    "select $$;$$$$;$$; select 2",
    "select $a$ $b$ ; $a$; select 2",
    "select 1 -- trailing",
    "select 1; -- trailing\n",
    "select 1 -",
    "select 1 /",
    "select 1 $",
    "select 'abc; def",
    "/* only */",
    "-- only\n-- comment\n",
    "",
    "   \n\n  ",
    ";;;",
    "select 1;;select 2;;",
    "select 'a' 'b'; select \"x\"\"y;\"",
    "select 1\r\n;\r\nselect 2\r\n",
    "create rule r as on update to t do (notify t; select 1); select 2",
    "select ((1); select 2); select 3",
    "select 1 /* a /* b */ c; */; select 2",
    "select 1 \\; select 2; select 3",
    "commit and chain; select 1",
    "commit /* note */; select 1",
]
_FUZZ_SEED, _FUZZ_COUNT = 7, 300
_FUZZ_TOKENS = [
    *("select", " ", "\n", "\r\n", ";", ";;", "'", "''", '"', "$$", "$a$", "$", "$1"),
    *("--", "-", "/*", "*/", "/", "*", "\\", "(", ")", "begin", "BEGIN", "atomic"),
    *("ATOMIC", "end", "END", "x", "_", "\u00e9", "\u00a0", "\ufeff", "\u0085", "\u2028"),
    *("1", "\u00b2", "c", "\t", "e'", "commit", "\u0131", "\U0001d400", "\x1c"),
]


def generated_cases() -> list[str]:
    """Random strings of the tokens the splitter reacts to (fixed seed: the same every run)."""
    chooser = random.Random(_FUZZ_SEED)
    return [
        "".join(chooser.choice(_FUZZ_TOKENS) for _ in range(chooser.randint(1, 40)))
        for _ in range(_FUZZ_COUNT)
    ]


def main() -> None:
    program = supabase_cli()
    version = cli_version(program)
    assert version == PINNED_VERSION, f"the CLI is {version}, not the pinned {PINNED_VERSION}"
    sources = CASES + generated_cases()
    with throwaway_cluster() as cluster:
        with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
            conn.execute("create database parity_files")
            conn.execute("create database parity_cases")
        files = pushed_statements(program, cluster.dsn("parity_files"))
        splits = cli_splits(program, cluster.dsn("parity_cases"), sources)
    cases = [{"source": s, "statements": t} for s, t in zip(sources, splits, strict=True)]
    document = {"supabase_cli": version, "migrations": files, "cases": cases}
    EXPECTED.write_text(json.dumps(document, indent=1) + "\n", "utf-8")
    print(f"recorded {len(files)} files and {len(cases)} cases in {EXPECTED}")


def pushed_statements(program: Path, url: str) -> dict[str, list[str]]:
    """Push the parity project with the CLI; the statements stored for each file."""
    workdir = Path(tempfile.mkdtemp(prefix="parity-record-"))
    try:
        shutil.copytree(HERE / "supabase", workdir / "supabase")
        done = run_supabase(program, workdir, "db", "push", "--db-url", cli_url(url))
        assert done.returncode == 0, done.stderr
        stored = stored_statements(url)
        names = sorted(p.name for p in (HERE / "supabase" / "migrations").glob("*_*.sql"))
        return {name: stored[name.split("_", 1)[0]] for name in names}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
