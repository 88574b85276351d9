"""The functions' configuration, read once per process from the environment and `.env`.

Variables are those of DESIGN.md section 5. Without any of them the functions
target the local stack (`maxpulse start`): the database on 127.0.0.1:54322 and
the JWT secret the CLI passes in. Nothing else in `functions` reads `os.environ`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from maxpulse_tools.defaults import LOCAL_DB_URL


class FunctionSettings(BaseSettings):
    """Environment of one functions process."""

    model_config = SettingsConfigDict(
        extra="ignore", case_sensitive=False, env_file=".env", env_file_encoding="utf-8"
    )

    supabase_db_url: SecretStr = SecretStr(LOCAL_DB_URL)
    supabase_url: str | None = None
    supabase_anon_key: SecretStr | None = None
    supabase_service_role_key: SecretStr | None = None
    supabase_jwt_secret: SecretStr | None = None
    # Shared secret of signed payment events (commission-processor's X-Maxpulse-Signature).
    maxpulse_webhook_secret: SecretStr | None = None
    # Serve only this function (its route name, e.g. "link-tracker"); all when unset.
    maxpulse_function: str | None = None
    # Where supabase/config.toml is looked for: this directory and its parents.
    maxpulse_project_dir: Path | None = None

    @property
    def jwks_url(self) -> str | None:
        """The project's JSON Web Key Set, as Supabase Auth publishes it."""
        if not self.supabase_url:
            return None
        return self.supabase_url.rstrip("/") + "/auth/v1/.well-known/jwks.json"


@lru_cache(maxsize=1)
def get_settings() -> FunctionSettings:
    """The settings of this process, built on first use."""
    return FunctionSettings()
