"""The kill switch: `maxpulse rollback --yes` end to end, goal well under 1 s ("seconds, not minutes").

Figures from one run, on a throw-away cluster with every migration and the seed:
- the whole command (a new process: start-up, connect, one transaction, print),
  next to `maxpulse --version`, the same process doing nothing;
- the SQL alone (`private.kill_switch` and `private.undo_kill_switch`, flags
  and audit row in one transaction) with 200 flags on, next to a bare
  `update feature_flags set enabled = false` of the same rows without audit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import REPO_ROOT, median_seconds, migrate, report, throwaway_cluster
from maxpulse_tools.migrations.files import read_local_migrations
from maxpulse_tools.migrations.seeds import apply_seeds
from maxpulse_tools.project import Project

REPEATS = 15
GOAL_SECONDS = 1.0
FLAGS = 200
ALL_ON = "update public.feature_flags set enabled = true"
MANY_FLAGS = """
insert into public.feature_flags (name, enabled)
select 'bench_flag_' || n, true from generate_series(1, %s) as n
"""


def main() -> None:
    with throwaway_cluster(durable=True) as cluster:
        url = cluster.dsn()
        with psycopg.connect(url, autocommit=True) as conn:
            migrate(conn)
            apply_seeds(conn, Project(REPO_ROOT))
        command_figures(url)
        with psycopg.connect(url, autocommit=True) as conn:
            sql_figures(conn)


def command_figures(url: str) -> None:
    maxpulse = str(Path(sys.executable).parent / "maxpulse")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPABASE_")}

    def run(*args: str) -> None:
        subprocess.run(
            [maxpulse, *args], check=True, env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL
        )

    def rollback() -> None:
        run("rollback", "--yes", "--db-url", url)

    idle = median_seconds(lambda: run("--version"), REPEATS)
    figure = median_seconds(rollback, REPEATS)
    print(
        f"median of {REPEATS} runs each ({len(read_local_migrations(Project(REPO_ROOT).migrations_dir))} migrations, seeded)"
    )
    report("maxpulse rollback --yes (whole command)", figure, "maxpulse --version", idle)
    verdict = "within" if figure <= GOAL_SECONDS else "OVER"
    print(f"goal <= {GOAL_SECONDS:.1f} s: {verdict} ({figure:.3f} s)")


def sql_figures(conn: psycopg.Connection[Any]) -> None:
    conn.execute(MANY_FLAGS, (FLAGS,))

    def kill_switch() -> None:
        conn.execute(ALL_ON)
        conn.execute("select private.kill_switch('bench@host', 'bench')")

    def bare_update() -> None:
        conn.execute(ALL_ON)
        conn.execute("update public.feature_flags set enabled = false where enabled")

    def undo() -> None:
        conn.execute("select private.kill_switch('bench@host', 'bench')")
        conn.execute("select private.undo_kill_switch('bench@host', 'bench')")

    baseline = median_seconds(bare_update, REPEATS)
    report(
        f"kill switch SQL, {FLAGS + 4} flags",
        median_seconds(kill_switch, REPEATS),
        "bare update, no audit",
        baseline,
    )
    report(
        f"kill switch + undo SQL, {FLAGS + 4} flags",
        median_seconds(undo, REPEATS),
        "bare update, no audit",
        baseline,
    )


if __name__ == "__main__":
    main()
