"""`db push` of every migration onto an empty database.

Baseline: psql running the same files, each with `--single-transaction`, on an
identical empty database in the same run: the cost of the SQL itself. The
ratio is what our engine adds (statement splitting, per-statement execution,
history rows, the advisory lock, drift checks).
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import REPO_ROOT, median_seconds, report, throwaway_cluster
from maxpulse_tools.local.bootstrap import apply_bootstrap
from maxpulse_tools.local.cluster import LocalCluster
from maxpulse_tools.migrations.files import read_local_migrations
from maxpulse_tools.migrations.history import read_history
from maxpulse_tools.migrations.push import plan_push, push_migrations
from maxpulse_tools.migrations.split import split_statements
from maxpulse_tools.project import Project

REPEATS = 7
SPLIT_REPEATS = 50


def main() -> None:
    project = Project(REPO_ROOT)
    files = sorted(project.migrations_dir.glob("*.sql"))
    names = (f"bench_{n}" for n in itertools.count())
    with throwaway_cluster() as cluster:
        _make_template(cluster)

        def ours() -> None:
            url = _fresh_database(cluster, next(names))
            with psycopg.connect(url, autocommit=True) as conn:
                local = read_local_migrations(project.migrations_dir)
                push_migrations(conn, plan_push(local, read_history(conn)))

        def psql_baseline() -> None:
            url = _fresh_database(cluster, next(names))
            for path in files:
                subprocess.run(
                    [
                        cluster.binaries.tool("psql"),
                        "-X",
                        "-q",
                        "--single-transaction",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-d",
                        url,
                        "-f",
                        str(path),
                    ],
                    check=True,
                    stdout=subprocess.DEVNULL,
                )

        baseline = median_seconds(psql_baseline, REPEATS)
        figure = median_seconds(ours, REPEATS)
    print(
        f"{len(files)} migration files, median of {REPEATS} runs, PostgreSQL in {cluster.binaries.bin_dir}"
    )
    report("maxpulse db push (all migrations, empty db)", figure, "psql -1 -f per file", baseline)
    _report_splitting(files)


def _report_splitting(files: list[Path]) -> None:
    """Splitting alone, next to a plain split on ";" that knows no quotes or comments."""
    sources = [path.read_text(encoding="utf-8") for path in files]
    naive = median_seconds(lambda: [source.split(";") for source in sources], SPLIT_REPEATS)
    ours = median_seconds(lambda: [split_statements(source) for source in sources], SPLIT_REPEATS)
    size = sum(map(len, sources)) // 1024
    report(f"statement splitting ({size} KiB of SQL)", ours, 'str.split(";")', naive)


def _make_template(cluster: LocalCluster) -> None:
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE bench_template")
    with psycopg.connect(cluster.dsn("bench_template"), autocommit=True) as conn:
        apply_bootstrap(conn)


def _fresh_database(cluster: LocalCluster, name: str) -> str:
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE bench_template").format(sql.Identifier(name))
        )
    return cluster.dsn(name)


if __name__ == "__main__":
    main()
