"""`--help` of every command: plain text, the same in a terminal and in README, and
flags (options that take no value) shown without a value type."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from maxpulse_tools.cli import app


def every_command() -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, click command) of `maxpulse` and each of its groups and commands."""

    def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        yield path, command
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, (*path, name))

    yield from walk(typer.main.get_command(app), ())


def flag_names(command: Any, ctx: Any) -> list[str]:
    """The option strings of `command`'s flags, --help included."""
    return [
        name
        for param in command.get_params(ctx)
        if getattr(param, "is_flag", False)
        for name in (*param.opts, *param.secondary_opts)
    ]


COMMANDS = list(every_command())


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(path) or "maxpulse" for path, _ in COMMANDS]
)
def test_help_is_plain_and_flags_take_no_value(
    cli_runner: CliRunner, path: tuple[str, ...], command: Any
) -> None:
    result = cli_runner.invoke(app, [*path, "--help"], terminal_width=100)

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: maxpulse")
    assert not set("╭│╰") & set(result.stdout), "help should be plain text, not rich panels"
    flags = flag_names(command, command.make_context(command.name, [], resilient_parsing=True))
    assert "--help" in flags
    for flag in flags:
        assert not re.search(rf"{re.escape(flag)} <", result.stdout), f"{flag} shows a value type"
    assert "<bool>" not in result.stdout
