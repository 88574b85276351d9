"""The functions do what their OpenAPI document says: schemathesis with every check passes.

`maxpulse functions serve` runs on a database of its own (migrations and
seed) and schemathesis's own CLI (pinned in pyproject.toml's dev extras)
tests every operation of /functions/v1/openapi.json with `--checks all`:
server errors, status codes, content types, headers, response schemas,
rejection of invalid input, acceptance of valid input, undeclared methods,
and requests without a token. The exceptions, each for a rule JSON Schema
cannot state, are in schemathesis.toml beside this file. Generation is
deterministic, so a failure here fails the same way on the next run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg

from maxpulse_tools.local.cluster import find_free_port
from tests.functions.conftest import REPO_ROOT, Tokens
from tests.support.served import start_functions_server, wait_until_healthy

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = 30
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def test_every_operation_passes_schemathesis_with_all_checks(
    database_factory: Callable[..., str], tokens: Tokens
) -> None:
    # A database of its own: what other tests left behind must not decide the outcome.
    db_url = database_factory(migrated=True, seeded=True)
    port = find_free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_functions_server(db_url, tokens.secret, port, "--no-access-log")
    try:
        wait_until_healthy(f"{base}/functions/v1/link-tracker/health", server)
        document = httpx.get(f"{base}/functions/v1/openapi.json").json()
        run = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(CONFIG),
                "run",
                "--checks",
                "all",
                "--header",
                f"Authorization: Bearer {tokens.anon}",
                "--url",
                base,
                "--max-examples",
                str(MAX_EXAMPLES),
                "--generation-deterministic",
                "--no-color",
                f"{base}/functions/v1/openapi.json",
            ],
            cwd=REPO_ROOT,
            env={**os.environ, "MAXPULSE_TEST_SERVICE_ROLE_KEY": tokens.service_role},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)

    operations = sum(
        1 for item in document["paths"].values() for method in item if method in HTTP_METHODS
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # every operation of the document was tested
    assert f"{operations} selected / {operations} total" in run.stdout
    # generated payment events got through the route's validation to the booking
    assert booked_event_types(db_url) >= {"refund", "order_paid"}


def booked_event_types(db_url: str) -> set[str]:
    """The types of the payment events the commission processor booked."""
    with psycopg.connect(db_url) as conn:
        rows = conn.execute("select distinct event_type from private.payment_events").fetchall()
    return {event_type for (event_type,) in rows}
