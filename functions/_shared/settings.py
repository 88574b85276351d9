"""The functions' configuration, read once per process from the environment and `.env`.

Variables are those of DESIGN.md section 5. Without any of them the functions
target the local stack (`maxpulse start`): the database on 127.0.0.1:54322 and
the JWT secret the CLI passes in. Nothing else in `functions` reads `os.environ`.
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
        extra="ignore", case_sensitive=False, env_file=".env", env_file_encoding="utf-8"
    )

    supabase_db_url: SecretStr = SecretStr(LOCAL_DB_URL)
    supabase_url: str | None = None
    supabase_anon_key: SecretStr | None = None
    supabase_service_role_key: SecretStr | None = None
    supabase_jwt_secret: SecretStr | None = None
    # Serve only this function (its route name, e.g. "link-tracker"); all when unset.
    maxpulse_function: str | None = None
    # Where supabase/config.toml is looked for: this directory and its parents.
    maxpulse_project_dir: Path | None = None

    # ai-analysis: without a key, the rule-based analyzer answers every request.
    openai_api_key: SecretStr | None = None
    # Any OpenAI-compatible server; default: OpenAI's API.
    openai_base_url: str | None = None
    maxpulse_ai_model: str = Field(default=DEFAULT_AI_MODEL, min_length=1, max_length=200)
    # How long a pattern's cached analysis is served before it is generated anew.
    maxpulse_ai_cache_ttl_seconds: int = Field(default=3600, ge=1, le=30 * 24 * 3600)
    # One LLM request's timeout, and how often a failed one (timeout, 429, 5xx) is retried.
    maxpulse_ai_timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    maxpulse_ai_max_retries: int = Field(default=2, ge=0, le=5)
    # Analysis requests per minute per caller (user id, or client IP for the anon key).
    maxpulse_ai_rate_limit_per_minute: int = Field(default=30, ge=1)

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
