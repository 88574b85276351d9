"""`maxpulse gen types typescript`: the generated `Database` type, compiled by the real `tsc --strict`
together with `@supabase/supabase-js` from npm, against queries on real tables and functions."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maxpulse_tools.cli import app
from tests.support.external import node_dir, require_node_package, require_node_program

HERE = Path(__file__).parent
TSCONFIG = """{
  "compilerOptions": {
    "strict": true, "noEmit": true, "skipLibCheck": true, "target": "es2022",
    "module": "esnext", "moduleResolution": "bundler", "types": [], "lib": ["es2022", "dom"]
  },
  "files": ["database.types.ts", "uses_the_types.ts"]
}
"""


@pytest.fixture
def typed_project(tmp_path: Path, seeded_db_url: str, cli_runner: CliRunner) -> Path:
    """A TypeScript project: the generated types, the queries using them, supabase-js."""
    result = cli_runner.invoke(
        app,
        ["gen", "types", "typescript", "--db-url", seeded_db_url,
         "--output", str(tmp_path / "database.types.ts")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    shutil.copy(HERE / "uses_the_types.ts", tmp_path)
    (tmp_path / "tsconfig.json").write_text(TSCONFIG, encoding="utf-8")
    (tmp_path / "node_modules").symlink_to(node_dir() / "node_modules")
    return tmp_path


def test_generated_types_compile_with_supabase_js_under_strict(typed_project: Path) -> None:
    tsc = require_node_program("tsc")
    require_node_package("@supabase/supabase-js")

    compiled = subprocess.run(
        [str(tsc), "-p", "tsconfig.json", "--strict"],
        check=False, cwd=typed_project, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


def test_a_wrong_type_fails_the_compilation(typed_project: Path) -> None:
    tsc = require_node_program("tsc")
    types = typed_project / "database.types.ts"
    # users.role typed as a number: the queries' expectations no longer hold
    text = types.read_text(encoding="utf-8")
    types.write_text(text.replace("role: string\n", "role: number\n", 1), encoding="utf-8")

    compiled = subprocess.run(
        [str(tsc), "-p", "tsconfig.json"],
        check=False, cwd=typed_project, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert compiled.returncode != 0
    assert "uses_the_types.ts" in compiled.stdout


def test_output_into_a_missing_directory_is_one_line(
    tmp_path: Path, seeded_db_url: str, cli_runner: CliRunner
) -> None:
    target = tmp_path / "missing" / "database.types.ts"

    result = cli_runner.invoke(
        app, ["gen", "types", "typescript", "--db-url", seeded_db_url, "--output", str(target)]
    )

    assert result.exit_code == 2
    assert result.output.strip() == f"error: cannot write {target}: No such file or directory"
