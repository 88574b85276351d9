"""A per-caller request limit, kept in process memory (a token bucket per caller).

In memory, not in the database: a cache hit must not pay for a write, and the
LLM bill does not depend on this limit (the pattern cache allows at most one
generation per pattern and TTL, whoever asks). The limit protects the process
from a flood; with N processes a caller gets up to N times the limit.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_CALLERS = 100_000


@dataclass
class Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """`per_minute` requests a minute per caller, in bursts of up to `burst`."""

    def __init__(
        self,
        per_minute: int,
        *,
        burst: int | None = None,
        max_callers: int = MAX_CALLERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_second = per_minute / 60.0
        self.burst = float(burst if burst is not None else per_minute)
        self._max_callers = max_callers
        self._clock = clock
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()

    def acquire(self, caller: str) -> float | None:
        """Take one request for `caller`: None when allowed, else the seconds until it would be."""
        now = self._clock()
        bucket = self._buckets.get(caller)
        if bucket is None:
            bucket = self._buckets[caller] = Bucket(self.burst, now)
            if len(self._buckets) > self._max_callers:
                self._buckets.popitem(last=False)  # the least recently seen caller
        else:
            self._buckets.move_to_end(caller)
            bucket.tokens = min(
                self.burst, bucket.tokens + (now - bucket.updated) * self.per_second
            )
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return (1.0 - bucket.tokens) / self.per_second


def retry_after_header(seconds: float) -> str:
    """Whole seconds for Retry-After, at least 1."""
    return str(max(1, math.ceil(seconds)))
