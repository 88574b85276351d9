"""README's generated sections match the code they are generated from (as datasette checks its docs)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from cogapp.cogapp import Cog, CogCheckFailed

from maxpulse_tools.reference import command_paths

README = Path(__file__).resolve().parent.parent / "README.md"


def run_cog(*args: str) -> str:
    cog = Cog()
    output = io.StringIO()
    cog.set_output(stdout=output, stderr=output)
    cog.callable_main(["cog", *args])
    return output.getvalue()


def test_readme_is_regenerated_from_the_cli_and_settings() -> None:
    try:
        run_cog("--check", str(README))
    except CogCheckFailed:
        pytest.fail(
            "README.md is stale: its command reference or configuration table differs from"
            " the CLI's --help or the settings' docstrings. Run `make docs` and commit README.md."
        )


def test_every_command_has_its_help_in_the_readme() -> None:
    headings = set(re.findall(r"^### `(maxpulse[^`]*)`$", README.read_text(), re.MULTILINE))
    commands = {" ".join(("maxpulse", *path)) for path in command_paths()}
    assert commands - headings == set()


def test_a_stale_readme_is_caught(tmp_path: Path) -> None:
    stale = tmp_path / "README.md"
    shutil.copy(README, stale)
    stale.write_text(stale.read_text().replace("Show this message and exit.", "Old help."))

    with pytest.raises(CogCheckFailed):
        run_cog("--check", str(stale))
    run_cog("-r", str(stale))
    assert stale.read_text() == README.read_text()
