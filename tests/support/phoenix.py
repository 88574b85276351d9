"""A small Supabase Realtime stand-in on loopback: just the Phoenix channel protocol (v1 JSON)
that the `realtime` client speaks for broadcast.

It answers `phx_join` (refusing public channels, like a project that only
allows private ones, and joins without a token), heartbeats and `phx_leave`,
and sends each broadcast back to the sender when the channel was joined with
`broadcast.self`, after an optional delay, acknowledging it when `broadcast.ack`
is set. Enough to prove a client's round trip, nothing more.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection, serve


@dataclass
class PhoenixServer:
    """What the server saw, and how it behaves."""

    echo_delay: float = 0.0
    joins: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        """The project URL a client is given (it adds /realtime/v1/websocket itself)."""
        return f"http://127.0.0.1:{self.port}"

    async def handle(self, connection: ServerConnection) -> None:
        self.paths.append(connection.request.path if connection.request else "")
        channels: dict[str, dict[str, Any]] = {}
        async for raw in connection:
            message = json.loads(raw)
            for reply in await self.answer(message, channels):
                await connection.send(json.dumps(reply))

    async def answer(
        self, message: dict[str, Any], channels: dict[str, dict[str, Any]]
    ) -> list[dict[str, Any]]:
        event, topic, payload = message["event"], message["topic"], message["payload"]
        if event == "phx_join":
            self.joins.append(payload)
            config = payload.get("config", {})
            if not config.get("private") or not payload.get("access_token"):
                return [_reply(message, "error", {"reason": "Unauthorized: private channels only"})]
            channels[topic] = config
            return [_reply(message, "ok", {"postgres_changes": []})]
        if event == "broadcast" and topic in channels:
            broadcast = channels[topic].get("broadcast") or {}
            await asyncio.sleep(self.echo_delay)
            echoed = {"event": "broadcast", "topic": topic, "payload": payload, "ref": None}
            acked = [_reply(message, "ok", {})] if broadcast.get("ack") else []
            return [echoed, *acked] if broadcast.get("self") else acked
        if event in ("heartbeat", "phx_leave", "access_token"):
            return [_reply(message, "ok", {})]
        return []


def _reply(message: dict[str, Any], status: str, response: dict[str, Any]) -> dict[str, Any]:
    return {
        "event": "phx_reply",
        "topic": message["topic"],
        "payload": {"status": status, "response": response},
        "ref": message.get("ref"),
        "join_ref": message.get("join_ref"),
    }


@asynccontextmanager
async def phoenix_server(**options: Any) -> AsyncIterator[PhoenixServer]:
    """A running server on a free loopback port."""
    server = PhoenixServer(**options)
    async with serve(server.handle, "127.0.0.1", 0) as running:
        server.port = next(iter(running.sockets)).getsockname()[1]
        yield server
