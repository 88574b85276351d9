"""The exceptions the toolkit raises for problems a user can fix.

Each carries a message that says what happened and what to do; the CLI turns
them into one line on stderr and a non-zero exit code in one place
(`MaxpulseGroup.invoke` in `maxpulse_tools.cli`). Anything else escaping is a bug and keeps its
traceback.
"""

from __future__ import annotations


class MaxpulseError(Exception):
    """Base class: a failure the user can act on."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(MaxpulseError):
    """Bad input: an option, a URL, a file name, a missing project."""

    exit_code = 2


class ProjectNotFound(ConfigError):
    """No `supabase/` directory in the working directory or any parent."""


class DatabaseUnavailable(MaxpulseError):
    """The database server could not be reached or refused the login."""

    exit_code = 3


class LocalStackError(MaxpulseError):
    """The local PostgreSQL cluster could not be started, stopped or inspected."""

    exit_code = 4


class MigrationError(MaxpulseError):
    """A migration could not be planned or applied."""

    exit_code = 5


class MigrationDrift(MigrationError):
    """Local migration files and the applied history disagree."""


class MigrationFailed(MigrationError):
    """A statement of a migration or seed file failed; nothing of it was kept."""


class LintFailed(MaxpulseError):
    """`maxpulse db lint` found security problems in the migrations or the database."""

    exit_code = 6


class LedgerMismatch(MaxpulseError):
    """`maxpulse commissions verify` found money that does not add up."""

    exit_code = 7
