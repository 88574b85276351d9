"""The Realtime check: a broadcast round trip on a private channel (the seed's check)."""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

from maxpulse_tools.ops.checks import CheckResult, Status, by_latency

REALTIME_UNHEALTHY_AFTER_MS = 500.0
ECHO_EVENT = "maxpulse-health"


async def check_realtime(supabase_url: str, api_key: str, timeout: float) -> CheckResult:
    """Join a private channel, broadcast to it and wait for our own message; unhealthy past 500 ms."""
    from realtime import AsyncRealtimeClient

    started = time.perf_counter()
    client = AsyncRealtimeClient(
        f"{supabase_url}/realtime/v1",
        token=api_key,
        auto_reconnect=False,
        max_retries=1,
        timeout=max(1, round(timeout)),
    )
    try:
        async with asyncio.timeout(timeout):
            round_trip_ms = await _broadcast_round_trip(client)
    except TimeoutError:
        return _failed(f"no answer within {timeout:g} s", started)
    except Exception as exc:  # the socket library's and the server's errors alike
        return _failed(f"Realtime did not answer: {exc}", started)
    finally:
        await client.close()
    result = by_latency("realtime", round_trip_ms, REALTIME_UNHEALTHY_AFTER_MS, Status.unhealthy)
    return CheckResult(
        "realtime", result.status, f"broadcast round trip: {result.detail}", round_trip_ms
    )


async def _broadcast_round_trip(client: Any) -> float:
    """Milliseconds from sending a broadcast to receiving it back on the same channel."""
    from realtime.types import RealtimeSubscribeStates

    loop = asyncio.get_running_loop()
    joined: asyncio.Future[str] = loop.create_future()
    echoed: asyncio.Future[float] = loop.create_future()
    nonce = secrets.token_hex(8)

    def on_echo(message: dict[str, Any]) -> None:
        if message.get("payload", {}).get("nonce") == nonce and not echoed.done():
            echoed.set_result(time.perf_counter())

    def on_state(state: RealtimeSubscribeStates, error: Exception | None) -> None:
        if not joined.done():
            joined.set_result(state.value if error is None else f"{state.value}: {error}")

    channel = client.channel(
        f"maxpulse-health-{nonce}",
        {
            "config": {
                "broadcast": {"self": True, "ack": True},
                "presence": {"key": "", "enabled": False},
                "private": True,
            }
        },
    )
    channel.on_broadcast(ECHO_EVENT, on_echo)
    await channel.subscribe(on_state)
    state = await joined
    if state != RealtimeSubscribeStates.SUBSCRIBED.value:
        raise ConnectionError(f"could not join a private channel ({state})")
    sent = time.perf_counter()
    await channel.send_broadcast(ECHO_EVENT, {"nonce": nonce})
    received = await echoed
    return (received - sent) * 1000


def _failed(detail: str, started: float) -> CheckResult:
    return CheckResult("realtime", Status.unhealthy, detail, (time.perf_counter() - started) * 1000)
