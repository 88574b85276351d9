"""The functions' configuration, read once per process from the environment and `.env`.

Without any variable set the functions target the local stack (`maxpulse
start`): the database on 127.0.0.1:54322 and the JWT secret the CLI passes in.
Each field's docstring is its line in README's configuration table (generated
with `make docs`). Nothing else in `functions` reads `os.environ`.
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
        extra="ignore",
        case_sensitive=False,
        env_file=".env",
        env_file_encoding="utf-8",
        use_attribute_docstrings=True,
    )

    supabase_db_url: SecretStr = SecretStr(LOCAL_DB_URL)
    """PostgreSQL URL (default: the local stack's); on the transaction pooler (port 6543) prepared statements are off."""
    supabase_url: str | None = None
    """The hosted project's URL: the functions fetch its signing keys from `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`."""
    supabase_jwt_secret: SecretStr | None = None
    """HS256 secret tokens are verified with (local stack and legacy projects)."""
    maxpulse_webhook_secret: SecretStr | None = None
    """Shared secret of signed payment events: commission-processor checks `X-Maxpulse-Signature` with it."""
    maxpulse_function: str | None = None
    """Serve only this function (route name, e.g. `link-tracker`); all when unset."""
    maxpulse_project_dir: Path | None = None
    """Project whose `supabase/config.toml` gives `verify_jwt` (set by `start` and `functions serve`)."""

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
