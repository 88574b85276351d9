"""Answers of an OpenAI-compatible chat completions API, for respx and for a loopback fake server.

`completion(...)` builds the JSON body the API sends; `FakeOpenAI` serves such
bodies on 127.0.0.1 (a free port) from a thread and counts the calls, for
tests whose functions run in other processes, where respx cannot reach.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

AREAS = ("hydration", "sleep", "exercise", "nutrition")
MODEL = "gpt-4.1-mini-2025-04-14"


def analysis_text(grade: str = "B", note: str = "") -> dict[str, Any]:
    """An analysis that fits the output schema; `note` makes it recognisable."""
    return {
        "overallGrade": grade,
        "overallMessage": f"Good habits overall with room to improve sleep.{note}",
        "areaInsights": [
            {
                "area": area,
                "message": f"Your {area} is in a fair place.",
                "recommendation": f"One small step for {area} each day.",
            }
            for area in AREAS
        ],
        "priorityActions": ["Go to bed 30 minutes earlier.", "Drink a glass of water at lunch."],
        "keyInsights": ["Sleep and exercise help each other."],
        "improvementPotential": "Moderate: better sleep would lift you to grade A.",
    }


def completion(
    content: str | None,
    *,
    refusal: str | None = None,
    finish_reason: str = "stop",
    prompt_tokens: int = 310,
    completion_tokens: int = 420,
) -> dict[str, Any]:
    """A chat completion body as the API sends it."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def analysis_completion(**text: Any) -> dict[str, Any]:
    """A successful completion carrying `analysis_text(**text)`."""
    return completion(json.dumps(analysis_text(**text)))


class FakeOpenAI:
    """A loopback chat completions server that answers slowly and counts its calls."""

    def __init__(self, delay_seconds: float = 0.5) -> None:
        self.delay_seconds = delay_seconds
        self.calls = 0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                with fake._lock:
                    fake.calls += 1
                time.sleep(fake.delay_seconds)  # long enough for every waiter to be waiting
                body = json.dumps(analysis_completion()).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"


@contextmanager
def fake_openai(delay_seconds: float = 0.5) -> Iterator[FakeOpenAI]:
    """A running FakeOpenAI, shut down afterwards."""
    fake = FakeOpenAI(delay_seconds)
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()
        thread.join(timeout=5)
