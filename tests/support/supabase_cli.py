"""Drive the real Supabase CLI (npm package `supabase`, pinned in .ci/run) against a database.

The parity tests compare what it stores with what `maxpulse` stores. It runs
with telemetry off and a throw-away HOME, on a copy of a project (it writes
`supabase/.temp/`), against a local cluster that has no TLS.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import psycopg

from tests.support.external import require_node_program

PINNED_VERSION = "2.117.0"
_TIMEOUT_SECONDS = 120


def supabase_cli() -> Path:
    """The installed CLI (skipped, or failed in CI, when it is missing)."""
    return require_node_program("supabase")


def cli_version(program: Path) -> str:
    """`supabase --version`, run away from any project (it writes `supabase/.temp/` where it runs)."""
    workdir = Path(tempfile.mkdtemp(prefix="supabase-version-"))
    try:
        return run_supabase(program, workdir, "--version").stdout.strip()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_supabase(program: Path, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`supabase <args> --yes` in `workdir`, answering yes, without telemetry."""
    home = tempfile.mkdtemp(prefix="supabase-home-")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": home,
        "DO_NOT_TRACK": "1",
        "SUPABASE_TELEMETRY_DISABLED": "1",
    }
    try:
        return subprocess.run(
            [str(program), *args, "--yes"],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)


def cli_url(url: str) -> str:
    """`url` as the CLI must be given it for a cluster without TLS."""
    return url + ("&" if "?" in url else "?") + "sslmode=disable"


def stored_statements(url: str) -> dict[str, list[str]]:
    """The history rows' statements by version."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select version, statements from supabase_migrations.schema_migrations"
        ).fetchall()
    return {version: list(statements) for version, statements in rows}


def cli_splits(program: Path, url: str, sources: Sequence[str]) -> list[list[str]]:
    """How the CLI splits each of `sources`: recorded by `migration repair`, which runs nothing."""
    workdir = Path(tempfile.mkdtemp(prefix="supabase-split-"))
    try:
        migrations = workdir / "supabase" / "migrations"
        migrations.mkdir(parents=True)
        versions = [str(30000000000000 + index) for index in range(len(sources))]
        for version, source in zip(versions, sources, strict=True):
            (migrations / f"{version}_case.sql").write_bytes(source.encode())
        done = run_supabase(
            program,
            workdir,
            "migration",
            "repair",
            *versions,
            "--status",
            "applied",
            "--db-url",
            cli_url(url),
        )
        assert done.returncode == 0, done.stderr
        stored = stored_statements(url)
        return [stored[version] for version in versions]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
