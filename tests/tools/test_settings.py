"""Configuration: read once from the environment and `.env`, every variable documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_settings import BaseSettings
from typer.testing import CliRunner

from functions._shared.settings import FunctionSettings
from maxpulse_tools.cli import app
from maxpulse_tools.project import Project
from maxpulse_tools.settings import Settings


def test_pg_bin_comes_from_dotenv_and_the_flag_wins(
    cli_runner: CliRunner, project: Project, tmp_path: Path
) -> None:
    from_env_file, from_flag = tmp_path / "env-bin", tmp_path / "flag-bin"
    project.env_file.write_text(f"MAXPULSE_PG_BIN={from_env_file}\n")
    args = ["--workdir", str(project.root), "db", "start"]
    clean_env = {"MAXPULSE_PG_BIN": None, "SUPABASE_DB_URL": None}

    configured = cli_runner.invoke(app, args, env=clean_env)
    flagged = cli_runner.invoke(app, [*args, "--pg-bin", str(from_flag)], env=clean_env)

    assert configured.exit_code == 2
    assert f"{from_env_file} is not a PostgreSQL bin directory" in configured.stderr
    assert flagged.exit_code == 2
    assert f"{from_flag} is not a PostgreSQL bin directory" in flagged.stderr


@pytest.mark.parametrize("settings_class", [Settings, FunctionSettings])
def test_every_setting_is_documented(settings_class: type[BaseSettings]) -> None:
    # The docstrings are README's configuration table.
    undocumented = [
        name for name, field in settings_class.model_fields.items() if not field.description
    ]
    assert undocumented == []
