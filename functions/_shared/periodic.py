"""A background task that writes what a process has gathered, every few seconds and once more at stop.

Request timings and ai-analysis usage are counted in memory (a request pays
a dictionary update, not a write) and written in batches by one of these.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable


class PeriodicFlush:
    """Runs `flush` every `interval` seconds until stopped, then once more for what is left."""

    def __init__(self, flush: Callable[[], Awaitable[object]], interval: float, name: str) -> None:
        self._flush = flush
        self._interval = interval
        self._name = name
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start flushing in the background (in the running event loop)."""
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        """Stop the background flushes and flush once more."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self._flush()
