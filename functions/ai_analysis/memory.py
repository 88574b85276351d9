"""The analyses this process served last, kept for a few seconds so that most hits skip the database.

A popular pattern is asked for many times a second; each ask after the first
is answered from here for up to `MEMORY_SECONDS` (never past the cache row's
own expiry). The price: `maxpulse ai cache clear` reaches a running process
only when its copies run out, within `MEMORY_SECONDS`.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

MEMORY_SECONDS = 10.0
MAX_ENTRIES = 4096  # about 2 KB each


class RecentAnalyses:
    """A small map from cache key to analysis text, each entry with its own deadline."""

    def __init__(
        self,
        *,
        seconds: float = MEMORY_SECONDS,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds = seconds
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def get(self, key: str) -> dict[str, Any] | None:
        """The analysis text of `key` while its copy is fresh."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        deadline, text = entry
        if self._clock() >= deadline:
            del self._entries[key]
            return None
        return text

    def put(self, key: str, text: dict[str, Any], fresh_seconds: float) -> None:
        """Keep `text` for `key` for MEMORY_SECONDS, or less when the cache row expires sooner."""
        keep = min(self._seconds, fresh_seconds)
        if keep <= 0:
            return
        self._entries[key] = (self._clock() + keep, text)
        self._entries.move_to_end(key)
        if len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)  # the least recently stored
