"""The CLI's configuration, read once from the environment and the project's `.env`.

Nothing else in `maxpulse_tools` reads `os.environ`; commands receive a
`Settings` object. Variables are those of DESIGN.md section 5; a value set in
the environment wins over the same name in `.env`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Environment of one CLI invocation."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    supabase_db_url: SecretStr | None = None
    supabase_url: str | None = None
    supabase_anon_key: SecretStr | None = None
    supabase_service_role_key: SecretStr | None = None
    supabase_jwt_secret: SecretStr | None = None
    maxpulse_functions_url: str | None = None
    maxpulse_pg_bin: Path | None = None


def load_settings(env_file: Path | None) -> Settings:
    """Build the settings from the environment plus `env_file` when it exists."""
    if env_file is not None and env_file.is_file():
        return Settings(_env_file=env_file, _env_file_encoding="utf-8")  # type: ignore[call-arg]
    return Settings(_env_file=None)  # type: ignore[call-arg]
