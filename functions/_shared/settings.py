"""The functions' configuration, read once per process from the environment and `.env`.

Without any variable set the functions target the local stack (`maxpulse
start`): the database on 127.0.0.1:54322 and the JWT secret the CLI passes in.
Each field's docstring is its line in README's configuration table (generated
with `make docs`). Nothing else in `functions` reads `os.environ`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from maxpulse_tools.defaults import LOCAL_DB_URL

DEFAULT_AI_MODEL = "gpt-4.1-mini"


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

    openai_api_key: SecretStr | None = None
    """ai-analysis: the LLM's API key; without one the rule-based analyzer answers every request."""
    openai_base_url: str | None = None
    """ai-analysis: any OpenAI-compatible server (default: OpenAI's API, `https://api.openai.com/v1`)."""
    maxpulse_ai_model: str = Field(default=DEFAULT_AI_MODEL, min_length=1, max_length=200)
    """ai-analysis: the model (default `gpt-4.1-mini`); a new model starts a new set of cache keys."""
    maxpulse_ai_cache_ttl_seconds: int = Field(default=3600, ge=1, le=30 * 24 * 3600)
    """ai-analysis: how long a pattern's cached analysis is served before it is generated anew (default 3600)."""
    maxpulse_ai_timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    """ai-analysis: timeout of one LLM request in seconds (default 15)."""
    maxpulse_ai_max_retries: int = Field(default=2, ge=0, le=5)
    """ai-analysis: retries of an LLM request that timed out or got 408, 409, 429 or 5xx, with backoff (default 2)."""
    maxpulse_ai_rate_limit_per_minute: int = Field(default=30, ge=1)
    """ai-analysis: requests a minute per caller, a user or the client address behind the anon key (default 30)."""

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
