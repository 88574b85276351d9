"""Hit, miss and rules counts, kept in memory and added to the database every few seconds.

Counting a request costs two dictionary updates, so a cache hit needs no
write of its own. Every `flush_interval` seconds (and at shutdown) the counts
go to `ai_analysis_usage` (per UTC day and outcome) and the hit counts of the
cached rows, in one statement. Each batch carries an id the database records,
so a batch whose flush failed is retried as it was and never counted twice; at
most `MAX_PENDING_BATCHES` wait while the database is away.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field

import psycopg
from psycopg.types.json import Jsonb

from functions._shared.database import Database
from functions._shared.errors import FunctionError
from functions._shared.periodic import PeriodicFlush

logger = logging.getLogger(__name__)

FLUSH_INTERVAL_SECONDS = 5.0
MAX_PENDING_BATCHES = 120
RECORD_USAGE = "select private.record_ai_usage(%s, %s, %s)"
OUTCOMES = ("hit", "miss", "rules")


@dataclass
class UsageBatch:
    """Counts of one flush window."""

    id: uuid.UUID = field(default_factory=uuid.uuid4)
    outcomes: Counter[str] = field(default_factory=Counter)
    hits: Counter[str] = field(default_factory=Counter)  # per input_hash


class UsageCounter:
    """Counts requests by outcome and cache rows by hits; flushes them in the background."""

    def __init__(self, database: Database, *, flush_interval: float = FLUSH_INTERVAL_SECONDS):
        self._database = database
        self._current = UsageBatch()
        self._pending: list[UsageBatch] = []
        self._flusher = PeriodicFlush(self.flush, flush_interval, "ai-analysis-usage")

    def count(self, outcome: str, key: str | None = None) -> None:
        """One request answered with `outcome` (hit, miss, rules); `key` is the cache row a hit used."""
        self._current.outcomes[outcome] += 1
        if key is not None and outcome == "hit":
            self._current.hits[key] += 1

    def start(self) -> None:
        """Write the counts every few seconds from now on."""
        self._flusher.start()

    async def stop(self) -> None:
        """Stop the background flushes and write what is left."""
        await self._flusher.stop()

    async def flush(self) -> int:
        """Write every waiting batch; returns how many were written."""
        if self._current.outcomes:
            self._pending.append(self._current)
            self._current = UsageBatch()
        written = 0
        while self._pending:
            batch = self._pending[0]
            try:
                await self._database.fetch_all(
                    RECORD_USAGE,
                    (batch.id, Jsonb(dict(batch.outcomes)), Jsonb(dict(batch.hits))),
                )
            except (FunctionError, psycopg.Error) as exc:
                self._drop_overflow(exc)
                break
            self._pending.pop(0)
            written += 1
        return written

    def _drop_overflow(self, exc: Exception) -> None:
        if len(self._pending) > MAX_PENDING_BATCHES:
            dropped = self._pending.pop(0)
            logger.warning(
                "dropped %d ai-analysis usage counts: %s", sum(dropped.outcomes.values()), exc
            )
