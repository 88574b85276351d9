"""Local API keys, and which database a command targets."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from maxpulse_tools.database import is_loopback, is_transaction_pooler, redact, resolve_target
from maxpulse_tools.errors import ConfigError
from maxpulse_tools.local.keys import load_or_create_keys
from maxpulse_tools.project import Project
from maxpulse_tools.settings import load_settings


def test_keys_are_made_once_and_signed_with_the_secret(tmp_path: Path) -> None:
    path = tmp_path / ".maxpulse" / "keys.json"
    keys = load_or_create_keys(path)

    assert load_or_create_keys(path) == keys
    assert path.stat().st_mode & 0o777 == 0o600
    for token, role in ((keys.anon_key, "anon"), (keys.service_role_key, "service_role")):
        claims = jwt.decode(token, keys.jwt_secret, algorithms=["HS256"])
        assert claims["role"] == role
        assert claims["exp"] > claims["iat"]


def test_broken_keys_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="not a valid keys file"):
        load_or_create_keys(path)


def test_target_prefers_flag_then_environment_then_local(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUPABASE_DB_URL", raising=False)
    project.env_file.write_text(
        "SUPABASE_DB_URL=postgresql://env:pw@db.example.test:5432/postgres\n"
    )
    settings = load_settings(project.env_file)

    flag = resolve_target("postgresql://flag@h/db", settings, project)
    env = resolve_target(None, settings, project)
    local = resolve_target(None, load_settings(None), project)

    assert (flag.source, env.source, local.source) == ("--db-url", "SUPABASE_DB_URL", "local stack")
    assert env.url.startswith("postgresql://env:pw@")
    assert local.url.endswith("@127.0.0.1:54322/postgres")


def test_environment_wins_over_dotenv(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.env_file.write_text("SUPABASE_DB_URL=postgresql://from-file@h/db\n")
    monkeypatch.setenv("SUPABASE_DB_URL", "postgresql://from-env@h/db")
    assert resolve_target(None, load_settings(project.env_file), project).url.startswith(
        "postgresql://from-env@"
    )


def test_urls_are_shown_without_password() -> None:
    assert redact("postgresql://me:s3cret@db.example.test:6543/postgres") == (
        "postgresql://me:****@db.example.test:6543/postgres"
    )
    assert redact("postgresql://me@host/db") == "postgresql://me@host/db"


def test_transaction_pooler_and_loopback_detection() -> None:
    assert is_transaction_pooler("postgresql://u:p@aws-0-eu.pooler.supabase.com:6543/postgres")
    assert not is_transaction_pooler("postgresql://u:p@db.example.test:5432/postgres")
    assert is_loopback("postgresql://u:p@127.0.0.1:54322/postgres")
    assert not is_loopback("postgresql://u:p@db.example.test/postgres")
