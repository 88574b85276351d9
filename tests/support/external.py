"""External programs some tests drive: the Supabase CLI and tsc from npm, Debian's Chromium.

They prove compatibility with the real thing, so they are looked up, not faked.
On a developer's machine a missing program skips its tests; in CI
(`MAXPULSE_REQUIRE_EXTERNAL=1`, set by `.ci/run`, which installs them all) a
missing program fails them, so a compatibility test can never pass by not running.
npm packages are looked up in `$MAXPULSE_NODE_DIR/node_modules/.bin`
(default `~/.cache/maxpulse/node`, where `.ci/run` installs them), then on PATH.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DEFAULT_NODE_DIR = Path.home() / ".cache" / "maxpulse" / "node"


def node_dir() -> Path:
    """Where npm packages for the tests are installed (`npm install --prefix <this>`)."""
    configured = os.environ.get("MAXPULSE_NODE_DIR")
    return Path(configured) if configured else DEFAULT_NODE_DIR


def require_program(name: str, *candidates: Path) -> Path:
    """The path of program `name` (first of `candidates` that exists, else PATH), or skip/fail."""
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if found is not None:
        return Path(found)
    if os.environ.get("MAXPULSE_REQUIRE_EXTERNAL") == "1":
        pytest.fail(f"{name} is required here (MAXPULSE_REQUIRE_EXTERNAL=1) but was not found")
    pytest.skip(f"{name} is not installed (.ci/run installs it)")


def require_node_program(name: str) -> Path:
    """A program of an npm package installed for the tests (`supabase`, `tsc`, ...)."""
    return require_program(name, node_dir() / "node_modules" / ".bin" / name)


def require_node_package(name: str) -> Path:
    """The directory of an npm package installed for the tests (`@supabase/supabase-js`), or skip/fail."""
    package = node_dir() / "node_modules" / name
    if (package / "package.json").is_file():
        return package
    if os.environ.get("MAXPULSE_REQUIRE_EXTERNAL") == "1":
        pytest.fail(
            f"npm package {name} is required here (MAXPULSE_REQUIRE_EXTERNAL=1) but missing"
        )
    pytest.skip(f"npm package {name} is not installed (.ci/run installs it)")
