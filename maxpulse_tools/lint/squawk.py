"""Run squawk (PyPI `squawk-cli`) on migration files and read its findings.

squawk knows which statements take dangerous locks or rewrite tables on a
live database. We run it the way our migrations run: each file in one
transaction (`--assume-in-transaction`), except the files `db push` runs in
steps (CREATE INDEX CONCURRENTLY, COMMIT, ...), against the oldest PostgreSQL
that hosted Supabase runs. A plain CREATE INDEX on a table an earlier file
made (squawk's require-concurrent-index-creation) is told how to fix it here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from maxpulse_tools.errors import ConfigError, MaxpulseError
from maxpulse_tools.lint.findings import Category, Finding, Level

OLDEST_SUPPORTED_PG_VERSION = "15.0"

# Rules that do not fit this project, and why:
# - prefer-bigint-over-int: ids are uuid; 32-bit integers hold only small,
#   CHECK-bounded counts (positions, quantities, tier levels).
EXCLUDED_RULES = ("prefer-bigint-over-int",)

_TIMEOUT_SECONDS = 120
_CONCURRENT_INDEX_RULE = "require-concurrent-index-creation"
_CONCURRENT_INDEX_HINT = (
    "Write CREATE INDEX CONCURRENTLY: maxpulse db push (like the Supabase CLI) runs it "
    "on its own, outside the file's transaction."
)


def find_squawk() -> Path:
    """The squawk binary next to this Python (a virtualenv's bin/), else on PATH."""
    beside_python = Path(sys.executable).parent / "squawk"
    if beside_python.is_file():
        return beside_python
    on_path = shutil.which("squawk")
    if on_path is not None:
        return Path(on_path)
    raise ConfigError(
        "squawk is not installed",
        hint="pip install squawk-cli (it comes with pip install -e '.[dev]')",
    )


def lint_migration_files(
    files: Sequence[Path], *, root: Path, in_transaction: bool = True
) -> list[Finding]:
    """squawk's findings for `files` (run in one transaction each, or not), paths from `root`."""
    if not files:
        return []
    command = [
        str(find_squawk()),
        "--reporter",
        "json",
        *(["--assume-in-transaction"] if in_transaction else []),
        "--pg-version",
        OLDEST_SUPPORTED_PG_VERSION,
        "--exclude",
        ",".join(EXCLUDED_RULES),
        *(_relative(path, root) for path in files),
    ]
    try:
        result = subprocess.run(
            command,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MaxpulseError(f"squawk could not run: {exc}") from None
    return parse_squawk_report(result.stdout, returncode=result.returncode, stderr=result.stderr)


def parse_squawk_report(stdout: str, *, returncode: int, stderr: str = "") -> list[Finding]:
    """Findings from squawk's `--reporter json` output (a JSON list of violations)."""
    try:
        violations: Any = json.loads(stdout) if stdout.strip() else []
    except json.JSONDecodeError:
        violations = None
    if (
        not isinstance(violations, list)
        or (returncode not in (0, 1))
        or (returncode == 1 and not violations)
    ):
        detail = (stderr.strip().splitlines() or [f"exit code {returncode}"])[-1]
        raise MaxpulseError(f"squawk failed: {detail}")
    return [_finding(violation) for violation in violations]


def _finding(violation: dict[str, Any]) -> Finding:
    # squawk counts lines and columns from 0; editors and people from 1.
    line = int(violation.get("line", 0)) + 1
    column = int(violation.get("column", 0)) + 1
    message = str(violation.get("message", "")).strip()
    hint = str(violation.get("help") or "").strip()
    rule = str(violation.get("rule_name", "squawk"))
    if rule == _CONCURRENT_INDEX_RULE:
        hint = _CONCURRENT_INDEX_HINT
    return Finding(
        source="squawk",
        rule=rule,
        level=Level.ERROR if str(violation.get("level", "")).lower() == "error" else Level.WARN,
        category=Category.MIGRATION_SAFETY,
        subject=f"{violation.get('file', '?')}:{line}:{column}",
        message=f"{message} {hint}".strip() if hint else message,
    )


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
