"""Fixtures for the toolkit's own tests: scratch projects, connections, a started stack."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from maxpulse_tools.local.cluster import PgBinaries, find_free_port
from maxpulse_tools.project import Project

AddMigration = Callable[[str, str], Path]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """An empty scratch project (supabase/migrations/ only)."""
    (tmp_path / "supabase" / "migrations").mkdir(parents=True)
    return Project(tmp_path)


@pytest.fixture
def add_migration(project: Project) -> AddMigration:
    """`add_migration("20260101000000_name", "sql...")` writes a migration file."""

    def add(stem: str, body: str) -> Path:
        path = project.migrations_dir / f"{stem}.sql"
        path.write_text(body, encoding="utf-8")
        return path

    return add


@pytest.fixture
def empty_db(empty_db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit superuser connection to a bootstrap-only database."""
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        yield conn


def relation_exists(conn: psycopg.Connection[Any], name: str) -> bool:
    row = conn.execute("select to_regclass(%s) is not null", [name]).fetchone()
    return bool(row and row[0])


@dataclass
class StartedStack:
    """A `maxpulse start` running in a subprocess on free ports, for a project of its own."""

    project: Project
    db_port: int
    functions_port: int
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])


def stack_environment(pg_binaries: PgBinaries) -> dict[str, str]:
    """The environment of a `maxpulse` subprocess: these binaries, nothing hosted."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPABASE_")}
    return env | {"MAXPULSE_PG_BIN": str(pg_binaries.bin_dir)}


@contextmanager
def started_stack(root: Path, pg_binaries: PgBinaries) -> Iterator[StartedStack]:
    """Run `maxpulse start` for the project in `root` until its functions answer; stop it after."""
    db_port, functions_port = find_free_port(), find_free_port()
    log = root / "start.log"
    command = [sys.executable, "-m", "maxpulse_tools", "--workdir", str(root), "start"]
    ports = ["--port", str(db_port), "--functions-port", str(functions_port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, *ports],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=stack_environment(pg_binaries),
        )
    stack = StartedStack(Project(root), db_port, functions_port, process, log)
    try:
        _wait_until_serving(stack)
        yield stack
    finally:
        subprocess.run(
            [sys.executable, "-m", "maxpulse_tools", "--workdir", str(root), "stop"],
            env=stack_environment(pg_binaries),
            capture_output=True,
            check=False,
        )
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _wait_until_serving(stack: StartedStack, timeout: float = 120) -> None:
    health = f"http://127.0.0.1:{stack.functions_port}/functions/v1/link-tracker/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stack.process.poll() is not None:
            pytest.fail(f"maxpulse start exited early:\n{stack.log_tail()}")
        try:
            if httpx.get(health, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"maxpulse start did not serve within {timeout} s:\n{stack.log_tail()}")


@pytest.fixture(scope="session")
def running_stack(pg_binaries: PgBinaries, repo_project: Project) -> Iterator[StartedStack]:
    """`maxpulse start` of a copy of this repository's supabase/ (migrations, seed, config)."""
    root = Path(tempfile.mkdtemp(prefix="maxpulse-stack-"))
    shutil.copytree(repo_project.supabase_dir, root / "supabase")
    try:
        with started_stack(root, pg_binaries) as stack:
            yield stack
    finally:
        shutil.rmtree(root, ignore_errors=True)
