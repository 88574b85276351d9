"""In-process single-flight: concurrent requests for one key share one piece of work.

The first caller for a key starts the work as a task of its own; everyone who
asks for the key while it runs awaits the same task. The task outlives any
one caller (a client that goes away does not cancel the work the others wait
for), and is forgotten once it is done, so the next caller starts afresh.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class Shared(Generic[V]):
    """The work's result, and whether this caller joined work another caller had started."""

    value: V
    joined: bool


class SingleFlight(Generic[K, V]):
    """A map from key to the task computing it."""

    def __init__(self) -> None:
        self._running: dict[K, asyncio.Task[V]] = {}

    def __len__(self) -> int:
        return len(self._running)

    async def run(self, key: K, work: Callable[[], Awaitable[V]], timeout: float) -> Shared[V]:
        """The result of `work` for `key`, started now or joined; TimeoutError after `timeout` s."""
        task = self._running.get(key)
        joined = task is not None
        if task is None:
            task = asyncio.ensure_future(work())
            self._running[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        async with asyncio.timeout(timeout):
            value = await asyncio.shield(task)
        return Shared(value, joined)

    def _forget(self, key: K, task: asyncio.Task[V]) -> None:
        if self._running.get(key) is task:
            del self._running[key]
        if not task.cancelled():
            task.exception()  # retrieved: a failure is reported to the callers, not logged as lost
