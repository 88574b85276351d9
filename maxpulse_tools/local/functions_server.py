"""Serving the functions gateway with uvicorn, in the foreground, for `start` and `functions serve`.

The environment given here is the functions' configuration (the variables of
`functions._shared.settings`): it is put into this process's environment before
uvicorn starts, so that every worker reads the same settings.
"""

from __future__ import annotations

import os
import signal
from types import FrameType

from maxpulse_tools.errors import ConfigError, LocalStackError
from maxpulse_tools.local.cluster import port_is_taken

GATEWAY_FACTORY = "functions.gateway:create_gateway"
GRACEFUL_SHUTDOWN_SECONDS = 10


def serve_functions(
    host: str, port: int, workers: int, env: dict[str, str], *, access_log: bool = True
) -> None:
    """Serve all functions at http://HOST:PORT/functions/v1/<name> until Ctrl-C (or SIGTERM)."""
    if workers < 1:
        raise ConfigError(f"--workers must be 1 or more, not {workers}")
    if host in ("127.0.0.1", "localhost") and port_is_taken(port):
        raise LocalStackError(
            f"port {port} on 127.0.0.1 is already in use",
            hint="stop the program using it (another `maxpulse start`?), or pass another --port",
        )
    os.environ.update(env)
    check_gateway_config()

    import uvicorn

    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal
    # again; here that ends serving normally, so callers (`maxpulse start`)
    # get to clean up and the exit status is 0.
    previous = signal.signal(signal.SIGTERM, _stop_serving)
    try:
        uvicorn.run(
            GATEWAY_FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            access_log=access_log,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
    except (KeyboardInterrupt, ServingStopped):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


class ServingStopped(Exception):
    """SIGTERM arrived after uvicorn had shut down."""


def _stop_serving(signum: int, frame: FrameType | None) -> None:
    raise ServingStopped


def check_gateway_config() -> None:
    """Read MAXPULSE_FUNCTION and supabase/config.toml once here: a mistake is one clear error."""
    from functions._shared.settings import FunctionSettings
    from functions.gateway import GatewayConfigError, served_functions

    try:
        served_functions(FunctionSettings())
    except GatewayConfigError as exc:
        raise ConfigError(str(exc)) from None
