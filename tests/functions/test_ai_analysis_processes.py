"""Two `maxpulse functions serve` processes on one database make one LLM call for one missing key.

respx cannot reach into other processes, so OPENAI_BASE_URL points both at a
loopback stand-in for the OpenAI API (tests/support/openai_fake.py) that
answers slowly and counts its calls.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import httpx

from maxpulse_tools.local.cluster import find_free_port
from tests.functions.conftest import Tokens
from tests.support.assessments import SEED_BODY
from tests.support.openai_fake import fake_openai
from tests.support.served import start_functions_server, wait_until_healthy

REQUESTS_PER_PROCESS = 10


@contextmanager
def functions_serve(db_url: str, jwt_secret: str, **env: str) -> Iterator[str]:
    """`maxpulse functions serve` on a free port until the block ends; its base URL."""
    port = find_free_port()
    server = start_functions_server(db_url, jwt_secret, port, "--no-access-log", **env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(f"{base}/functions/v1/ai-analysis/health", server, seconds=60)
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
        db_url = database_factory(migrated=True)
        env = {
            "MAXPULSE_FUNCTION": "ai-analysis",
            "OPENAI_API_KEY": "sk-test-not-a-real-key",
            "OPENAI_BASE_URL": upstream.base_url,
        }
        bases = [
            stack.enter_context(functions_serve(db_url, tokens.secret, **env)) for _ in range(2)
        ]

        responses = asyncio.run(ask_all(bases, tokens.anon))

        assert [r.status_code for r in responses] == [200] * 2 * REQUESTS_PER_PROCESS
        answers = [r.json() for r in responses]
        assert {answer["source"] for answer in answers} == {"llm"}
        assert [answer["cached"] for answer in answers].count(False) == 1
        assert upstream.calls == 1
