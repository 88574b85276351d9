"""`maxpulse db ...`: the local database and pushing migrations to any database."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import state
from maxpulse_tools.cli.lint import lint
from maxpulse_tools.cli.migration import load_migrations
from maxpulse_tools.cli.options import DbUrlOption, JsonOption, PgBinOption, PortOption
from maxpulse_tools.errors import ConfigError

if TYPE_CHECKING:
    from maxpulse_tools.database import DbTarget
    from maxpulse_tools.migrations.files import LocalMigration
    from maxpulse_tools.migrations.push import ProgressEvent
    from maxpulse_tools.migrations.seeds import SeedFile

db_app = typer.Typer(
    help="Local database and migrations: start, stop, push, reset.", no_args_is_help=True
)


@db_app.command("start")
def start(ctx: typer.Context, pg_bin: PgBinOption = None, port: PortOption = None) -> None:
    """Start the local PostgreSQL (127.0.0.1, data in .maxpulse/db/); harmless if running."""
    from maxpulse_tools.local.database import start_database

    cli = state(ctx)
    started = start_database(cli.project, cli.pg_bin(pg_bin), port)
    verb = "is already running" if started.was_running else "started"
    output.result(
        f"Local database {verb}: PostgreSQL {started.major_version} on 127.0.0.1:{started.server.port}"
    )
    output.result(f"DB URL: {started.url}")


@db_app.command("stop")
def stop(ctx: typer.Context) -> None:
    """Stop the local PostgreSQL; harmless if it is not running."""
    from maxpulse_tools.local.database import stop_database

    was_running = stop_database(state(ctx).project)
    output.result("Local database stopped." if was_running else "Local database is not running.")


@db_app.command("status")
def status(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show whether the local PostgreSQL runs (exit code 3 when it does not)."""
    from maxpulse_tools.local.cluster import local_dsn, running_server

    project = state(ctx).project
    server = running_server(project.db_dir)
    info = {
        "running": server is not None,
        "pid": server.pid if server else None,
        "port": server.port if server else None,
        "db_url": local_dsn(server.port) if server else None,
        "data_dir": str(project.db_dir),
    }
    if as_json:
        output.emit_json(info)
    elif server:
        output.result(f"Local database is running (pid {server.pid}) at {info['db_url']}")
    else:
        output.result(f"Local database is not running (data in {project.db_dir}).")
    if server is None:
        raise typer.Exit(3)


@db_app.command("push")
def push(
    ctx: typer.Context,
    db_url: DbUrlOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be applied; change nothing.")
    ] = False,
    include_seed: Annotated[
        bool, typer.Option("--include-seed", help="Also load seed files not loaded yet.")
    ] = False,
    include_all: Annotated[
        bool,
        typer.Option(
            "--include-all", help="Apply files older than the newest applied migration too."
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask before changing a remote database.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Apply pending migrations; each is recorded once all of it has run."""
    from maxpulse_tools.database import connect
    from maxpulse_tools.local.bootstrap import bootstrap_if_missing, has_supabase_surface
    from maxpulse_tools.migrations.history import read_history
    from maxpulse_tools.migrations.push import plan_push, push_migrations
    from maxpulse_tools.migrations.seeds import apply_seeds, find_seed_files, seed_states

    cli = state(ctx)
    target = cli.target(db_url)
    local = load_migrations(cli, quiet=as_json)
    with connect(target) as conn:
        plan = plan_push(local, read_history(conn), include_all=include_all)
        seeds = find_seed_files(cli.project) if include_seed else []
        seed_plan = list(zip(seeds, seed_states(conn, seeds), strict=True)) if seeds else []
        report: dict[str, object] = {
            "database": target.display,
            "dry_run": dry_run,
            "bootstrap": not has_supabase_surface(conn),
            "pending": [m.filename for m in plan.pending],
            "stepwise": [_steps_json(m) for m in plan.pending if not m.plan.is_single_transaction],
        }
        if dry_run:
            _print_dry_run(plan.pending, seed_plan, as_json, report)
            return
        if not as_json:
            for migration in plan.pending:
                if not migration.plan.is_single_transaction:
                    output.progress(_steps_note(migration))
        if plan.pending or any(seed_state != "unchanged" for _, seed_state in seed_plan):
            _confirm(target, len(plan.pending), yes)
        if report["bootstrap"]:
            if not as_json:
                output.progress(
                    "No auth schema: plain PostgreSQL, applying the Supabase bootstrap..."
                )
            report["bootstrap"] = bootstrap_if_missing(conn)
        timings: dict[str, float] = {}

        def on_progress(event: ProgressEvent, migration: LocalMigration, seconds: float) -> None:
            if event == "applying" and not as_json:
                output.progress(f"Applying migration {migration.filename}...")
            elif event != "applying":
                timings[migration.filename] = round(seconds, 3)

        result = push_migrations(conn, plan, on_progress)
        seed_outcomes = apply_seeds(conn, cli.project) if include_seed else []
    report |= {
        "applied": [{"file": m.filename, "seconds": timings[m.filename]} for m in result.applied],
        "skipped": [m.filename for m in result.skipped],
        "seeds": [{"path": o.seed.recorded_path, "state": o.state} for o in seed_outcomes],
    }
    if as_json:
        output.emit_json(report)
        return
    for migration in result.skipped:
        output.progress(f"Skipped {migration.filename}: a concurrent push applied it first.")
    for outcome in seed_outcomes:
        output.progress(_seed_message(outcome.seed.recorded_path, outcome.state))
    if result.applied:
        total = sum(timings.values())
        output.result(f"Applied {len(result.applied)} migration(s) in {total:.2f} s.")
    else:
        output.result("Remote database is up to date.")


def _steps_note(migration: LocalMigration) -> str:
    """Said before a file that does not run as one transaction runs (and in a dry run)."""
    plan = migration.plan
    return (
        f"Note: {migration.filename} runs in {len(plan.steps)} steps, not in one transaction "
        f"({'; '.join(plan.reasons)}): {plan.describe()}."
    )


def _steps_json(migration: LocalMigration) -> dict[str, object]:
    return {
        "file": migration.filename,
        "reasons": list(migration.plan.reasons),
        "steps": [
            {"statements": list(step.numbers), "in_transaction": step.in_transaction}
            for step in migration.plan.steps
        ],
    }


def _print_dry_run(
    pending: tuple[LocalMigration, ...],
    seed_plan: Sequence[tuple[SeedFile, str]],
    as_json: bool,
    report: dict[str, object],
) -> None:
    if as_json:
        seeds = [
            {"path": seed.recorded_path, "state": seed_state} for seed, seed_state in seed_plan
        ]
        output.emit_json(report | {"seeds": seeds})
        return
    if report.get("bootstrap"):
        output.result("Would apply the Supabase bootstrap first (no auth schema)")
    seed_lines = [
        f"Would load seed {seed.recorded_path}"
        if seed_state == "new"
        else f"Would record the new hash of seed {seed.recorded_path} (changed since it was "
        "loaded; not run again)"
        for seed, seed_state in seed_plan
        if seed_state != "unchanged"
    ]
    if not pending and not seed_lines:
        output.result("Remote database is up to date.")
    for migration in pending:
        output.result(f"Would apply migration {migration.filename}")
        if not migration.plan.is_single_transaction:
            output.result(f"  {_steps_note(migration)}")
    for line in seed_lines:
        output.result(line)


def _seed_message(path: str, seed_state: str) -> str:
    if seed_state == "applied":
        return f"Seeded data from {path}."
    if seed_state == "changed":
        return f"{path} changed since it was loaded; not run again (use `maxpulse db reset`)."
    return f"{path} already loaded."


def _confirm(target: DbTarget, count: int, yes: bool) -> None:
    from maxpulse_tools.database import is_loopback

    if yes or is_loopback(target.url):
        return
    if not sys.stdin.isatty():
        raise ConfigError(
            f"refusing to change {target.display} without confirmation", hint="pass --yes"
        )
    if not typer.confirm(f"Push {count} migration(s) to {target.display}?", default=False):
        raise typer.Abort()


@db_app.command("reset")
def reset(
    ctx: typer.Context,
    no_seed: Annotated[bool, typer.Option("--no-seed", help="Skip the seed files.")] = False,
) -> None:
    """Recreate the LOCAL database: drop it, bootstrap, apply all migrations, load seed data."""
    from maxpulse_tools.local.database import reset_database

    reset_database(state(ctx).project, with_seed=not no_seed, on_step=output.progress)
    output.result("Local database reset.")


db_app.command("lint")(lint)
