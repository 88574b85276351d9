"""Two `maxpulse functions serve` processes on one database make one LLM call for one missing key.

respx cannot reach into other processes, so OPENAI_BASE_URL points both at a
loopback stand-in for the OpenAI API (tests/support/openai_fake.py) that
answers slowly and counts its calls.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import httpx

from maxpulse_tools.local.cluster import find_free_port
from tests.functions.conftest import REPO_ROOT, Tokens
from tests.support.assessments import SEED_BODY
from tests.support.openai_fake import fake_openai

REQUESTS_PER_PROCESS = 10


@contextmanager
def functions_serve(env: dict[str, str]) -> Iterator[str]:
    """`maxpulse functions serve` on a free port until the block ends; its base URL."""
    port = find_free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "maxpulse_tools",
            "functions",
            "serve",
            "--port",
            str(port),
            "--no-access-log",
        ],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if (
                    httpx.get(f"{base}/functions/v1/ai-analysis/health", timeout=1).status_code
                    == 200
                ):
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert time.monotonic() < deadline, "functions serve did not start"
            time.sleep(0.1)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


async def ask_all(bases: list[str], token: str) -> list[httpx.Response]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=60) as http:
        return await asyncio.gather(
            *(
                http.post(f"{base}/functions/v1/ai-analysis", json=SEED_BODY, headers=headers)
                for base in bases
                for _ in range(REQUESTS_PER_PROCESS)
            )
        )


def test_two_processes_sharing_a_database_make_one_llm_call(
    database_factory: Callable[..., str], tokens: Tokens
) -> None:
    with fake_openai(delay_seconds=1.0) as upstream, ExitStack() as stack:
        env = {
            "SUPABASE_DB_URL": database_factory(migrated=True),
            "SUPABASE_JWT_SECRET": tokens.secret,
            "MAXPULSE_FUNCTION": "ai-analysis",
            "OPENAI_API_KEY": "sk-test-not-a-real-key",
            "OPENAI_BASE_URL": upstream.base_url,
        }
        bases = [stack.enter_context(functions_serve(env)) for _ in range(2)]

        responses = asyncio.run(ask_all(bases, tokens.anon))

        assert [r.status_code for r in responses] == [200] * 2 * REQUESTS_PER_PROCESS
        answers = [r.json() for r in responses]
        assert {answer["source"] for answer in answers} == {"llm"}
        assert [answer["cached"] for answer in answers].count(False) == 1
        assert upstream.calls == 1
