"""Per-function options from `supabase/config.toml`, in the Supabase CLI's format.

    [functions.link-tracker]
    verify_jwt = false

A function without a section, or a project without the file, gets Supabase's
defaults: enabled, and every request must carry a valid JWT.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG_RELATIVE_PATH = Path("supabase") / "config.toml"


class ConfigFileError(Exception):
    """supabase/config.toml exists but cannot be used."""


@dataclass(frozen=True)
class FunctionConfig:
    """What config.toml says about one function."""

    enabled: bool = True
    verify_jwt: bool = True


def find_config_toml(start: Path) -> Path | None:
    """supabase/config.toml of the nearest directory from `start` upwards, as the Supabase CLI finds it."""
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_RELATIVE_PATH
        if candidate.is_file():
            return candidate
    return None


def read_function_configs(config_toml: Path | None) -> dict[str, FunctionConfig]:
    """The [functions.<name>] sections of `config_toml` (none when there is no file)."""
    if config_toml is None:
        return {}
    try:
        document = tomllib.loads(config_toml.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigFileError(f"cannot read {config_toml}: {exc}") from None
    sections = document.get("functions", {})
    if not isinstance(sections, dict):
        raise ConfigFileError(f"{config_toml}: [functions] must be a table of functions")
    return {name: _function_config(config_toml, name, body) for name, body in sections.items()}


def _function_config(config_toml: Path, name: str, body: Any) -> FunctionConfig:
    if not isinstance(body, dict):
        raise ConfigFileError(f"{config_toml}: [functions.{name}] must be a table")
    values: dict[str, bool] = {}
    for key in ("enabled", "verify_jwt"):
        if key in body:
            if not isinstance(body[key], bool):
                raise ConfigFileError(
                    f"{config_toml}: functions.{name}.{key} must be true or false"
                )
            values[key] = body[key]
    return FunctionConfig(**values)
