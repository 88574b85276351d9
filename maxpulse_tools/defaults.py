"""Named defaults shared by the CLI and the functions: ports, URL prefixes, the pooler rule.

One module, imported by both halves (the `maxpulse` command and the functions
it serves or deploys), so a port or a prefix cannot mean one thing in one and
another in the other. It imports nothing, so the CLI's start-up stays fast.
"""

from __future__ import annotations

LOOPBACK_HOST = "127.0.0.1"

# The Supabase CLI's local ports, so a frontend configured for `supabase start` works unchanged.
LOCAL_DB_PORT = 54322
LOCAL_FUNCTIONS_PORT = 54321
# `maxpulse health --serve`; clear of the Supabase CLI's local ports (54320-54329).
LOCAL_STATUS_PAGE_PORT = 54330

LOCAL_DB_USER = "postgres"
LOCAL_DB_PASSWORD = "postgres"
LOCAL_DB_NAME = "postgres"

FUNCTIONS_PATH_PREFIX = "/functions/v1"

# Supabase's transaction pooler (Supavisor/PgBouncer in transaction mode) hands
# each transaction to any server connection, so a statement prepared on one is
# unknown on the next: on this port, prepared statements are off.
TRANSACTION_POOLER_PORT = 6543


def local_db_url(port: int = LOCAL_DB_PORT, dbname: str = LOCAL_DB_NAME) -> str:
    """The URL of the local stack's database on `port`."""
    return f"postgresql://{LOCAL_DB_USER}:{LOCAL_DB_PASSWORD}@{LOOPBACK_HOST}:{port}/{dbname}"


LOCAL_DB_URL = local_db_url()


def local_api_url(port: int = LOCAL_FUNCTIONS_PORT) -> str:
    """The local gateway's base URL: what a frontend passes to `createClient` (as `supabase status` prints it)."""
    return f"http://{LOOPBACK_HOST}:{port}"


def local_functions_url(port: int = LOCAL_FUNCTIONS_PORT) -> str:
    """Where the local gateway serves the functions (the URL supabase-js's functions client uses)."""
    return local_api_url(port) + FUNCTIONS_PATH_PREFIX


def is_transaction_pooler_port(port: str | int | None) -> bool:
    """True when `port` (as libpq reads it; the first of a list) is the transaction pooler's."""
    if port is None:
        return False
    return str(port).split(",")[0].strip() == str(TRANSACTION_POOLER_PORT)
