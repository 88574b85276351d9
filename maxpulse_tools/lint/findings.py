"""What `maxpulse db lint` reports: findings, and which of them fail the command."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    """How serious a finding is, as Supabase's database advisor grades it."""

    ERROR = "error"
    WARN = "warn"
    INFO = "info"


class Category(StrEnum):
    """What a finding is about."""

    SECURITY = "security"
    PERFORMANCE = "performance"
    MIGRATION_SAFETY = "migration_safety"


@dataclass(frozen=True)
class Finding:
    """One problem: which rule found it, where, and what to do about it."""

    source: str  # "squawk" or "advisor"
    rule: str
    level: Level
    category: Category
    subject: str  # "public.users", "supabase/migrations/x.sql:12:3", ...
    message: str

    @property
    def is_failure(self) -> bool:
        """Security findings of level error or warn fail the command; info never does."""
        return self.category is Category.SECURITY and self.level is not Level.INFO

    def one_line(self) -> str:
        """The finding as printed: level, rule, subject and message on one line."""
        return f"{self.level.value:<5} {self.rule} {self.subject}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rule": self.rule,
            "level": self.level.value,
            "category": self.category.value,
            "subject": self.subject,
            "message": self.message,
            "fails": self.is_failure,
        }


_LEVEL_ORDER = {Level.ERROR: 0, Level.WARN: 1, Level.INFO: 2}


@dataclass(frozen=True)
class LintReport:
    """All findings of one run, most serious first."""

    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> LintReport:
        ordered = sorted(
            findings, key=lambda f: (not f.is_failure, _LEVEL_ORDER[f.level], f.rule, f.subject)
        )
        return cls(tuple(ordered))

    @property
    def failures(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_failure)

    @property
    def failed(self) -> bool:
        return bool(self.failures)

    def summary(self) -> str:
        """One sentence: how many findings, how many of them fail."""
        if not self.findings:
            return "no findings"
        return f"{len(self.findings)} finding(s), {len(self.failures)} failing"

    def to_json(self) -> dict[str, Any]:
        return {
            "failed": self.failed,
            "summary": self.summary(),
            "findings": [finding.to_json() for finding in self.findings],
        }
