"""Request timings, summed up in memory and written to `performance_metrics` in the background.

Recording a request costs a dictionary lookup and an append; every
`flush_interval` seconds (and at shutdown) one row per function, route, method
and status goes to the database with the count and the latency percentiles of
that window. A database that is down costs the window's figures, never a request.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from random import random
from typing import Any

import orjson
import psycopg

from functions._shared.database import Database
from functions._shared.errors import FunctionError
from functions._shared.periodic import PeriodicFlush

logger = logging.getLogger(__name__)

FLUSH_INTERVAL_SECONDS = 10.0
SAMPLES_PER_KEY = 2048
METRIC_TYPE = "http_request_duration"

INSERT_METRICS = """
insert into public.performance_metrics
  (component_name, metric_type, metric_value, unit, tags, recorded_at)
select r.component_name, r.metric_type, r.metric_value, r.unit, r.tags, r.recorded_at
from jsonb_to_recordset(%s::jsonb) as r(
  component_name text, metric_type text, metric_value double precision,
  unit text, tags jsonb, recorded_at timestamptz
)
"""

TimingKey = tuple[str, str, str, int]  # function, route, method, status


@dataclass
class TimingWindow:
    """Latencies of one key in one window: exact count, sum and max, a uniform sample for percentiles."""

    count: int = 0
    total_ms: float = 0.0
    max_ms: float = 0.0
    samples: list[float] = field(default_factory=list)

    def add(self, milliseconds: float) -> None:
        self.count += 1
        self.total_ms += milliseconds
        self.max_ms = max(milliseconds, self.max_ms)
        if len(self.samples) < SAMPLES_PER_KEY:
            self.samples.append(milliseconds)
        else:  # reservoir sampling keeps every request equally likely to be in the sample
            slot = int(random() * self.count)
            if slot < SAMPLES_PER_KEY:
                self.samples[slot] = milliseconds


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `sorted_values` lie (nearest rank)."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def metric_rows(
    windows: dict[TimingKey, TimingWindow], recorded_at: datetime, window_seconds: float
) -> list[dict[str, Any]]:
    """The performance_metrics rows of one flushed window."""
    rows = []
    for (function, route, method, status), window in windows.items():
        ordered = sorted(window.samples)
        rows.append(
            {
                "component_name": f"functions/{function}",
                "metric_type": METRIC_TYPE,
                "metric_value": round(window.total_ms / window.count, 3),
                "unit": "ms",
                "tags": {
                    "function": function,
                    "route": route,
                    "method": method,
                    "status": status,
                    "count": window.count,
                    "p50": round(percentile(ordered, 0.50), 3),
                    "p95": round(percentile(ordered, 0.95), 3),
                    "p99": round(percentile(ordered, 0.99), 3),
                    "max": round(window.max_ms, 3),
                    "window_seconds": round(window_seconds, 3),
                },
                "recorded_at": recorded_at.isoformat(),
            }
        )
    return rows


class RequestTimings:
    """Collects request latencies and writes them to performance_metrics every few seconds."""

    def __init__(self, database: Database, *, flush_interval: float = FLUSH_INTERVAL_SECONDS):
        self._database = database
        self._windows: dict[TimingKey, TimingWindow] = {}
        self._window_started = time.monotonic()
        self._flusher = PeriodicFlush(self.flush, flush_interval, "request-timings")

    def record(self, function: str, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered request; `seconds` from its arrival to its last byte."""
        key = (function, route, method, status)
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = TimingWindow()
        window.add(seconds * 1000.0)

    def start(self) -> None:
        """Write the timings every few seconds from now on."""
        self._flusher.start()

    async def stop(self) -> None:
        """Stop the background flushes and write what is left."""
        await self._flusher.stop()

    async def flush(self) -> int:
        """Write the current window now; returns the number of rows written."""
        now = time.monotonic()
        windows, self._windows = self._windows, {}
        window_seconds, self._window_started = now - self._window_started, now
        if not windows:
            return 0
        rows = metric_rows(windows, datetime.now(UTC), window_seconds)
        try:
            async with self._database.as_service() as conn:
                await conn.execute(INSERT_METRICS, (orjson.dumps(rows).decode(),))
        except (FunctionError, psycopg.Error) as exc:
            logger.warning("dropped %d request timing rows: %s", len(rows), exc)
            return 0
        return len(rows)
