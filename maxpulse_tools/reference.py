"""README's generated sections: the command reference and the configuration table.

README.md calls these from `cog` blocks; `make docs` rewrites them, and
`make lint` and `tests/test_docs.py` fail when README differs from what they
render. So the reference is the CLI's own `--help` (plain text, fixed width)
and the table is the settings classes' field docstrings: neither can drift.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic_settings import BaseSettings

HELP_WIDTH = 80


def command_paths() -> Iterator[tuple[str, ...]]:
    """The path of every group and command of `maxpulse`, the root `()` first, depth first."""
    import typer

    from maxpulse_tools.cli import app

    def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, (*path, name))

    yield from walk(typer.main.get_command(app), ())


def help_text(path: tuple[str, ...]) -> str:
    """What `maxpulse PATH --help` prints, at HELP_WIDTH columns."""
    from typer.testing import CliRunner

    from maxpulse_tools.cli import app

    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=HELP_WIDTH)
    if result.exit_code != 0:
        raise RuntimeError(f"maxpulse {' '.join(path)} --help failed: {result.output}")
    return result.stdout


def command_reference() -> str:
    """Markdown: a heading and the `--help` text of every command, in the CLI's order."""
    sections = []
    for path in command_paths():
        title = " ".join(("maxpulse", *path))
        sections.append(f"### `{title}`\n\n```text\n{help_text(path).rstrip()}\n```\n")
    return "\n".join(sections)


def configuration_table() -> str:
    """Markdown: every variable of the CLI's and the functions' settings, with its docstring."""
    from functions._shared.settings import FunctionSettings
    from maxpulse_tools.settings import Settings

    readers: dict[str, dict[str, str]] = {}
    for reader, settings_class in (("CLI", Settings), ("functions", FunctionSettings)):
        for variable, meaning in _documented_fields(settings_class):
            readers.setdefault(variable, {})[reader] = meaning
    lines = ["| variable | read by | meaning |", "|---|---|---|"]
    for variable, meanings in readers.items():
        if len(set(meanings.values())) == 1:
            meaning = next(iter(meanings.values()))
        else:
            meaning = " ".join(f"{reader}: {text}" for reader, text in meanings.items())
        lines.append(f"| `{variable}` | {', '.join(meanings)} | {meaning} |")
    return "\n".join(lines) + "\n"


def _documented_fields(settings_class: type[BaseSettings]) -> Iterator[tuple[str, str]]:
    for name, field in settings_class.model_fields.items():
        if not field.description:
            raise RuntimeError(f"{settings_class.__name__}.{name} has no docstring")
        yield name.upper(), " ".join(field.description.split())
