"""One run of the analytics aggregator, and its summary.

`private.aggregate_analytics` resumes from the watermark of the last run,
recounts a sliding window (2 days) of every distributor's local days from the
raw rows, and moves the watermark; runs are serialized in the database, so
calling this while another run is going on waits and then does the work of
one. `since` widens the recount for a backfill.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from maxpulse_tools.errors import MigrationError

if TYPE_CHECKING:
    import psycopg

AGGREGATE = "select private.aggregate_analytics(recount_since => %s)"
ROLLUP_MIGRATION = "20261125223000_create_analytics_rollups.sql"


@dataclass(frozen=True)
class AggregationRun:
    """What one run did: the days it recounted, wrote and removed, and the new watermark."""

    rolled_up_until: datetime
    previously_rolled_up_until: datetime | None
    recounted_from: datetime | None  # None: from the beginning
    distributors: int
    retimed_distributors: int
    days_counted: int
    days_written: int
    days_removed: int
    seconds: float

    @classmethod
    def from_summary(cls, summary: Mapping[str, Any]) -> AggregationRun:
        """Read the JSON summary `private.aggregate_analytics` answers."""
        return cls(
            rolled_up_until=_instant(summary["rolled_up_until"]),
            previously_rolled_up_until=_optional_instant(summary["previously_rolled_up_until"]),
            recounted_from=_optional_instant(summary["recounted_from"]),
            distributors=int(summary["distributors"]),
            retimed_distributors=int(summary["retimed_distributors"]),
            days_counted=int(summary["days_counted"]),
            days_written=int(summary["days_written"]),
            days_removed=int(summary["days_removed"]),
            seconds=float(summary["seconds"]),
        )

    def to_json(self) -> dict[str, Any]:
        """The run as JSON-ready values (timestamps in ISO 8601)."""
        values = asdict(self)
        for key, value in values.items():
            if isinstance(value, datetime):
                values[key] = value.isoformat()
        return values

    def one_line(self) -> str:
        """A sentence for people: how far the rollups reach and what changed."""
        since = "the first event" if self.recounted_from is None else _shown(self.recounted_from)
        return (
            f"Rolled up analytics until {_shown(self.rolled_up_until)}: recounted "
            f"{self.days_counted} day(s) of {self.distributors} distributor(s) since {since}, "
            f"{self.days_written} written, {self.days_removed} removed ({self.seconds:.2f} s)."
        )


def aggregate_analytics(
    conn: psycopg.Connection[Any], *, since: date | None = None
) -> AggregationRun:
    """Run the aggregator once on `conn` (autocommit: the run is its own transaction)."""
    import psycopg

    try:
        row = conn.execute(AGGREGATE, (since,)).fetchone()
    except (psycopg.errors.UndefinedFunction, psycopg.errors.InvalidSchemaName):
        raise MigrationError(
            "this database has no analytics rollups",
            hint=f"apply {ROLLUP_MIGRATION} and later with `maxpulse db push`",
        ) from None
    assert row is not None
    return AggregationRun.from_summary(row[0])


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _optional_instant(value: str | None) -> datetime | None:
    if value is None or value == "-infinity":
        return None
    return _instant(value)


def _shown(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
