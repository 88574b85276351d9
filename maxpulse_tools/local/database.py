"""The local stack's database: start, stop, inspect and reset it for one project.

`db start`, `start`, `stop`, `status` and `db reset` are thin commands over
these functions. What a start chose (binaries, port) is remembered in
`.maxpulse/stack.json` (`local.state`) so that later commands use the same server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from maxpulse_tools.errors import LocalStackError
from maxpulse_tools.local.cluster import LocalCluster, PgBinaries, RunningServer
from maxpulse_tools.local.state import read_stack_state, write_stack_state
from maxpulse_tools.project import Project

if TYPE_CHECKING:
    from maxpulse_tools.migrations.files import LocalMigration
    from maxpulse_tools.migrations.push import ProgressEvent


@dataclass(frozen=True)
class DatabaseStart:
    """Outcome of starting the local database."""

    server: RunningServer
    was_running: bool
    major_version: int
    url: str


def cluster_for(
    project: Project, pg_bin: Path | None = None, port: int | None = None
) -> LocalCluster:
    """The project's cluster, with explicit choices overriding the remembered ones."""
    state = read_stack_state(project)
    binaries = PgBinaries.locate(pg_bin or state.pg_bin)
    return LocalCluster(project.db_dir, binaries, port=port or state.port)


def start_database(
    project: Project, pg_bin: Path | None = None, port: int | None = None
) -> DatabaseStart:
    """Start (or find running) the local database, bootstrapped, with keys made."""
    from maxpulse_tools.database import DbTarget, connect
    from maxpulse_tools.local.bootstrap import apply_bootstrap
    from maxpulse_tools.local.keys import load_or_create_keys

    cluster = cluster_for(project, pg_bin, port)
    server, was_running = cluster.start()
    remembered = read_stack_state(project)
    write_stack_state(
        project, replace(remembered, pg_bin=pg_bin or remembered.pg_bin, port=server.port)
    )
    url = cluster.dsn(port=server.port)
    with connect(DbTarget(url, "local stack")) as conn:
        apply_bootstrap(conn)
    load_or_create_keys(project.keys_file)
    return DatabaseStart(server, was_running, cluster.binaries.major_version(), url)


def stop_database(project: Project) -> bool:
    """Stop the local database; False when it was not running."""
    if not project.db_dir.exists():
        return False
    return cluster_for(project).stop()


def require_running(project: Project) -> RunningServer:
    """The running local server, or a clear error saying how to start it."""
    from maxpulse_tools.local.cluster import running_server

    server = running_server(project.db_dir)
    if server is None:
        raise LocalStackError(
            "the local database is not running", hint="start it with `maxpulse db start`"
        )
    return server


def migrate_local(
    url: str, project: Project, on_step: Callable[[str], None], *, with_seed: bool = True
) -> None:
    """Apply pending migrations (and seed files not loaded yet) to the local database at `url`."""
    from maxpulse_tools.database import DbTarget, connect
    from maxpulse_tools.migrations.files import scan_migrations, skip_warning
    from maxpulse_tools.migrations.history import read_history
    from maxpulse_tools.migrations.push import plan_push, push_migrations
    from maxpulse_tools.migrations.seeds import apply_seeds

    folder = scan_migrations(project.migrations_dir)
    for filename in folder.skipped:
        on_step(skip_warning(filename))
    local = folder.migrations

    def report(event: ProgressEvent, migration: LocalMigration, seconds: float) -> None:
        if event == "applying":
            on_step(f"Applying migration {migration.filename}...")

    with connect(DbTarget(url, "local stack")) as conn:
        push_migrations(conn, plan_push(local, read_history(conn)), report)
        for outcome in apply_seeds(conn, project) if with_seed else []:
            if outcome.state == "applied":
                on_step(f"Seeded data from {outcome.seed.recorded_path}.")


def reset_database(
    project: Project,
    *,
    with_seed: bool,
    on_step: Callable[[str], None],
) -> None:
    """Recreate the local `postgres` database: drop, bootstrap, migrate, seed."""
    from maxpulse_tools.database import DbTarget, connect
    from maxpulse_tools.local.bootstrap import apply_bootstrap
    from maxpulse_tools.local.cluster import local_dsn
    from maxpulse_tools.migrations.files import read_local_migrations

    server = require_running(project)
    read_local_migrations(project.migrations_dir)  # fail on bad files before dropping anything
    on_step("Recreating database postgres...")
    with connect(DbTarget(local_dsn(server.port, "template1"), "local stack")) as admin:
        admin.execute("DROP DATABASE IF EXISTS postgres WITH (FORCE)")
        admin.execute("CREATE DATABASE postgres")
    url = local_dsn(server.port)
    with connect(DbTarget(url, "local stack")) as conn:
        apply_bootstrap(conn)
    migrate_local(url, project, on_step, with_seed=with_seed)
