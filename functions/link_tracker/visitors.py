"""The visitor hash: who clicked, recognisable for a day, without keeping an IP address.

hash = SHA-256(salt of the UTC day || IP || user agent). The salt is random,
made by the database on the day's first click and shared by every process;
the database deletes it when the day is over, after which nobody (us
included) can tell which IP a hash came from.
"""

from __future__ import annotations

import asyncio
import hashlib
import time

from functions._shared.database import Database

CURRENT_SALT = "select private.current_link_visitor_salt()"
SECONDS_PER_DAY = 86_400


def visitor_hash(salt: bytes, ip: str, user_agent: str) -> str:
    """Hex SHA-256 of salt, IP and user agent (a NUL between the last two: no ambiguity)."""
    return hashlib.sha256(salt + ip.encode() + b"\0" + user_agent.encode()).hexdigest()


class VisitorHasher:
    """Hashes visitors with today's salt, fetched once per UTC day."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._day = -1  # days since 1970-01-01, UTC
        self._salt = b""
        self._lock = asyncio.Lock()

    async def hash(self, ip: str, user_agent: str) -> str:
        """The visitor hash of `ip` and `user_agent` today."""
        today = int(time.time() // SECONDS_PER_DAY)
        if today != self._day:
            await self._fetch_salt(today)
        return visitor_hash(self._salt, ip, user_agent)

    async def _fetch_salt(self, today: int) -> None:
        async with self._lock:
            if today == self._day:
                return
            rows = await self._database.fetch_all(CURRENT_SALT)
            if not rows or not isinstance(rows[0][0], bytes):
                raise RuntimeError("private.current_link_visitor_salt() returned no salt")
            self._salt, self._day = rows[0][0], today
