"""`maxpulse start | status | stop` of the whole local stack, with a real `start` in a subprocess."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from maxpulse_tools.cli import app
from maxpulse_tools.local.cluster import PgBinaries, find_free_port, port_is_taken
from maxpulse_tools.local.state import read_stack_state, write_stack_state
from maxpulse_tools.project import Project
from tests.tools.conftest import StartedStack, started_stack


def maxpulse(runner: CliRunner, project: Project, *args: str) -> Result:
    """`maxpulse --workdir <project> ARGS` with nothing hosted in the environment."""
    env = {"SUPABASE_DB_URL": None, "SUPABASE_URL": None, "SUPABASE_JWT_SECRET": None}
    return runner.invoke(app, ["--workdir", str(project.root), *args], env=env)


def test_status_reports_the_ports_start_chose(
    cli_runner: CliRunner, running_stack: StartedStack
) -> None:
    as_json = maxpulse(cli_runner, running_stack.project, "status", "--json")
    as_text = maxpulse(cli_runner, running_stack.project, "status")

    info = json.loads(as_json.stdout)
    api_url = f"http://127.0.0.1:{running_stack.functions_port}"
    assert as_json.exit_code == 0, as_json.output
    assert info["api_url"] == api_url
    assert info["functions_url"] == f"{api_url}/functions/v1"
    assert info["functions_running"] is True
    assert info["functions_pid"] == running_stack.process.pid
    assert info["db_url"].endswith(f"@127.0.0.1:{running_stack.db_port}/postgres")
    assert info["db_running"] is True
    assert f"API URL: {api_url}\n" in as_text.stdout
    assert f"Functions: running (pid {running_stack.process.pid})" in as_text.stdout
    assert "REST, Auth, Realtime and Storage are not served locally" in as_text.stdout


def test_the_api_url_serves_the_functions(running_stack: StartedStack) -> None:
    api_url = f"http://127.0.0.1:{running_stack.functions_port}"
    health = httpx.get(f"{api_url}/functions/v1/link-tracker/health", timeout=5)
    assert health.json()["database"]["reachable"] is True


def test_second_start_is_refused_before_touching_the_database(
    cli_runner: CliRunner, running_stack: StartedStack
) -> None:
    again = maxpulse(cli_runner, running_stack.project, "start", "--port", str(find_free_port()))

    assert again.exit_code == 4
    assert f"functions: pid {running_stack.process.pid}" in again.stderr
    assert "Database" not in again.stderr


def test_hosted_project_from_the_environment_is_shown(
    cli_runner: CliRunner, running_stack: StartedStack
) -> None:
    env = {
        "SUPABASE_URL": "https://abcd.supabase.co",
        "SUPABASE_ANON_KEY": "anon.key.of-the-project",
        "SUPABASE_DB_URL": "postgresql://postgres:hunter2@db.abcd.supabase.co:5432/postgres",
    }
    args = ["--workdir", str(running_stack.project.root), "status"]

    info = json.loads(cli_runner.invoke(app, [*args, "--json"], env=env).stdout)
    text = cli_runner.invoke(app, args, env=env).stdout

    assert info["hosted_api_url"] == "https://abcd.supabase.co"
    assert info["hosted_anon_key"] == "anon.key.of-the-project"
    assert info["env_db_url"] == "postgresql://postgres:****@db.abcd.supabase.co:5432/postgres"
    assert "Hosted API URL: https://abcd.supabase.co (REST, Auth, Realtime, Storage)" in text
    assert "hunter2" not in text


@pytest.fixture
def scratch_root() -> Iterator[Path]:
    """A project with one small migration, outside the repository (a short path for sockets)."""
    root = Path(tempfile.mkdtemp(prefix="maxpulse-stop-"))
    (root / "supabase" / "migrations").mkdir(parents=True)
    (root / "supabase" / "migrations" / "20260101000000_things.sql").write_text(
        "create table things (id int);"
    )
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_stop_ends_the_functions_server_that_start_runs(
    cli_runner: CliRunner, scratch_root: Path, pg_binaries: PgBinaries
) -> None:
    with started_stack(scratch_root, pg_binaries) as stack:
        stopped = maxpulse(cli_runner, stack.project, "stop")
        exit_code = stack.process.wait(timeout=30)
        after = maxpulse(cli_runner, stack.project, "status", "--json")

    info = json.loads(after.stdout)
    assert stopped.exit_code == 0, stopped.output
    assert f"Functions server (pid {stack.process.pid}) stopped." in stopped.stderr
    assert stopped.stdout == "Local stack stopped.\n"
    assert exit_code == 0
    assert "Local database stopped." in stack.log.read_text()
    assert not port_is_taken(stack.functions_port)
    assert after.exit_code == 3
    assert info["functions_running"] is False and info["db_running"] is False
    # The ports stay remembered: the next `start` and the frontends' URLs keep them.
    assert info["api_url"] == f"http://127.0.0.1:{stack.functions_port}"
    assert read_stack_state(stack.project).functions_pid is None


def test_stale_record_of_a_functions_server_is_cleaned_up(
    cli_runner: CliRunner, project: Project
) -> None:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    port = find_free_port()
    write_stack_state(
        project, replace(read_stack_state(project), functions_port=port, functions_pid=finished.pid)
    )

    status = json.loads(maxpulse(cli_runner, project, "status", "--json").stdout)
    stopped = maxpulse(cli_runner, project, "stop")

    assert status["functions_running"] is False and status["functions_pid"] is None
    assert status["api_url"] == f"http://127.0.0.1:{port}"
    assert stopped.exit_code == 0 and stopped.stdout == "Local stack is not running.\n"
    assert read_stack_state(project).functions_pid is None


def test_functions_port_held_by_another_program_is_refused_before_the_database_starts(
    cli_runner: CliRunner, project: Project
) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        result = maxpulse(cli_runner, project, "start", "--functions-port", str(taken))

    assert result.exit_code == 4
    assert f"port {taken} on 127.0.0.1 is already in use" in result.stderr
    assert not project.db_dir.exists()
