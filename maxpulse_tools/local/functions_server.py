"""Serving the functions gateway with uvicorn, in the foreground, for `start` and `functions serve`.

The environment given here is the functions' configuration (the variables of
`functions._shared.settings`): it is put into this process's environment before
uvicorn starts, so that every worker reads the same settings.

The server `start` runs is recorded in `.maxpulse/stack.json` (port and pid)
while it serves, so that `status` reports it and `stop` can end it.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType

from maxpulse_tools.errors import ConfigError, LocalStackError
from maxpulse_tools.local.cluster import port_is_taken
from maxpulse_tools.local.state import read_stack_state, write_stack_state
from maxpulse_tools.project import Project

GATEWAY_FACTORY = "functions.gateway:create_gateway"
# uvicorn's httptools protocol with a size limit on request heads and deadlines
# for slow clients (see the module for what uvicorn lacks).
HTTP_PROTOCOL = "functions._shared.http_protocol:BoundedHttpToolsProtocol"
GRACEFUL_SHUTDOWN_SECONDS = 10
# Idle keep-alive connections are closed after this long (uvicorn's default).
KEEP_ALIVE_SECONDS = 5
# What `stop` waits for after SIGTERM: uvicorn's graceful shutdown, then `start`
# stopping its database; after that the process is killed.
STOP_TIMEOUT_SECONDS = GRACEFUL_SHUTDOWN_SECONDS + 20


@dataclass(frozen=True)
class FunctionsServer:
    """The recorded functions server of a project's local stack."""

    pid: int
    port: int


def running_functions_server(project: Project) -> FunctionsServer | None:
    """The functions server `start` runs for `project`, or None (a stale record counts as none)."""
    state = read_stack_state(project)
    if state.functions_pid is None or not _is_maxpulse_process(state.functions_pid):
        return None
    return FunctionsServer(state.functions_pid, state.functions_port)


def check_functions_can_serve(project: Project, port: int) -> None:
    """Refuse a second functions server for `project`, or a port another program holds."""
    running = running_functions_server(project)
    if running is not None:
        raise LocalStackError(
            f"the local stack already runs (functions: pid {running.pid}, port {running.port})",
            hint="`maxpulse status` shows how to reach it; `maxpulse stop` stops it",
        )
    if port_is_taken(port):
        raise LocalStackError(
            f"port {port} on 127.0.0.1 is already in use by another program",
            hint="stop that program, or choose another port with --functions-port",
        )


@contextmanager
def recorded_functions_server(project: Project, port: int) -> Iterator[None]:
    """Record this process as the stack's functions server on `port` while the block runs."""
    running = running_functions_server(project)
    if running is not None and running.pid != os.getpid():
        raise LocalStackError(
            f"the local stack's functions already run (pid {running.pid}, port {running.port})",
            hint="`maxpulse status` shows how to reach them; `maxpulse stop` stops them",
        )
    write_stack_state(
        project, replace(read_stack_state(project), functions_port=port, functions_pid=os.getpid())
    )
    try:
        yield
    finally:
        state = read_stack_state(project)
        if state.functions_pid == os.getpid():
            write_stack_state(project, replace(state, functions_pid=None))


def stop_functions_server(project: Project, timeout: float = STOP_TIMEOUT_SECONDS) -> int | None:
    """End the recorded functions server (SIGTERM, then SIGKILL after `timeout`); its pid, or None.

    A stale record (its process is gone) is removed.
    """
    server = running_functions_server(project)
    if server is not None:
        with suppress(ProcessLookupError):
            os.kill(server.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _is_maxpulse_process(server.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _is_maxpulse_process(server.pid):
            with suppress(ProcessLookupError):
                os.kill(server.pid, signal.SIGKILL)
    state = read_stack_state(project)
    if state.functions_pid is not None:
        write_stack_state(project, replace(state, functions_pid=None))
    return server.pid if server else None


def _is_maxpulse_process(pid: int) -> bool:
    """True while `pid` is a live maxpulse process (not a zombie, not a recycled pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # another user's process: not a server we started
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc: trust that the pid is alive
    # A zombie (exited, not yet reaped by its parent) has an empty command line.
    return b"maxpulse" in cmdline


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

    from functions._shared.access_log import logging_config

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
            http=HTTP_PROTOCOL,
            proxy_headers=True,
            access_log=access_log,
            log_config=logging_config(),
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
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
