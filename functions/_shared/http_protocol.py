"""The HTTP/1.1 protocol the functions are served with: uvicorn's httptools protocol, bounded.

uvicorn's httptools protocol keeps reading a request line and headers for as
long as they keep coming: one connection sending a 64 MB header makes the
server hold 64 MB, and a connection that sends a header a byte at a time
(slowloris), or nothing at all, is kept open forever. Its only timeout is for
idle keep-alive connections between two requests (`timeout_keep_alive`).
(Its h11 protocol has a size limit, `h11_max_incomplete_event_size`, but
answers it with a plain-text 400 and has no deadline for slow headers either.)

This protocol adds, per connection:

- a size limit on the request head (request line and headers): beyond
  `max_head_bytes` the client gets 431 in the functions' JSON error shape;
- a deadline for the head, counted from its first byte (or from the moment the
  connection opens): a client still sending it after `head_timeout` seconds
  gets 408, a connection that sent nothing is closed;
- a deadline for the body, counted from the end of the head.

Refusals are written with `Connection: close`, after which the rest of what
the client sends is read and dropped for a moment (a lingering close), so
that the client reads the answer instead of a connection reset.

Serve with it: `uvicorn --http functions._shared.http_protocol:BoundedHttpToolsProtocol`
(`maxpulse functions serve` does).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from functions._shared.errors import FunctionError, HeadersTooLarge, RequestTimeout
from functions._shared.http import CORS_HEADERS

MAX_HEAD_BYTES = 32 * 1024
HEAD_TIMEOUT_SECONDS = 10.0
BODY_TIMEOUT_SECONDS = 30.0
# After a refusal, what the client still sends is dropped for this long before
# the connection closes, so that it reads the refusal rather than a reset.
LINGER_SECONDS = 2.0


def refusal_bytes(error: FunctionError) -> bytes:
    """A complete HTTP/1.1 response for `error`: JSON body, CORS headers, connection close."""
    body = error.body()
    lines = [
        f"HTTP/1.1 {error.status} {_REASONS.get(error.status, '')}".rstrip().encode(),
        b"content-type: application/json",
        b"content-length: " + str(len(body)).encode(),
        b"connection: close",
        *(name + b": " + value for name, value in CORS_HEADERS),
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


_REASONS = {408: "Request Timeout", 431: "Request Header Fields Too Large"}


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a size limit on request heads and deadlines for slow clients."""

    max_head_bytes = MAX_HEAD_BYTES
    head_timeout = HEAD_TIMEOUT_SECONDS
    body_timeout = BODY_TIMEOUT_SECONDS
    linger = LINGER_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reading_head = True  # the next bytes belong to a request line and headers
        self._reading_body = False
        self._head_bytes = 0
        self._deadline: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        # A connection that never sends a request is closed after the head's deadline too.
        self._set_deadline(self.head_timeout, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # lingering after a refusal: drop what still arrives
        if not self._reading_head:
            super().data_received(data)
        else:
            self._receive_head(data)
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            return  # closed, or handed over to a WebSocket protocol
        if self._deadline is None:
            # Deadlines are set only when a head or body stays incomplete after
            # a read: a request that arrives whole costs no timer.
            if self._reading_head and self._head_bytes:
                self._set_deadline(self.head_timeout, self._head_timed_out)
            elif self._reading_body:
                self._set_deadline(self.body_timeout, self._body_timed_out)

    def _receive_head(self, data: bytes) -> None:
        room = self.max_head_bytes - self._head_bytes
        if len(data) <= room:
            self._head_bytes += len(data)
            super().data_received(data)
            return
        # Parse only what the limit allows; past it, the head must have ended.
        self._head_bytes += room
        super().data_received(data[:room])
        if self.transport.is_closing():
            return
        if self._reading_head:
            limit_kib = self.max_head_bytes // 1024
            self._refuse(
                HeadersTooLarge(f"the request line and headers are larger than {limit_kib} KiB")
            )
            return
        self.data_received(data[room:])  # the body, or the next request's head

    # uvicorn's parser callbacks, extended to follow where the request is.
    def on_headers_complete(self) -> None:
        self._reading_head, self._reading_body, self._head_bytes = False, True, 0
        self._cancel_deadline()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._reading_head, self._reading_body = True, False
        self._cancel_deadline()
        super().on_message_complete()

    def _head_timed_out(self) -> None:
        self._deadline = None
        if self._head_bytes == 0:
            self.transport.close()  # nothing was asked: nothing to answer
            return
        self._refuse(
            RequestTimeout(
                f"the request line and headers did not arrive within {self.head_timeout:g} s"
            )
        )

    def _body_timed_out(self) -> None:
        # The application is reading this body: closing tells it the client is gone.
        self._deadline = None
        self.transport.close()

    def _response_in_progress(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _refuse(self, error: FunctionError) -> None:
        """Answer `error`, stop reading requests, and close after lingering a moment."""
        self._refused = True
        self._cancel_deadline()
        if self._response_in_progress():
            # A pipelined request is still being answered: end the connection after it.
            self.cycle.keep_alive = False
            return
        client = f"{self.client[0]}:{self.client[1]} - " if self.client else ""
        self.logger.warning("%srefused with %d: %s", client, error.status, error.message)
        self.transport.write(refusal_bytes(error))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._set_deadline(self.linger, self.transport.close)

    def _set_deadline(self, seconds: float, callback: Any) -> None:
        self._cancel_deadline()
        self._deadline = self.loop.call_later(seconds, callback)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
