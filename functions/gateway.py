"""The gateway: one ASGI app serving every function at /functions/v1/<name>, as Supabase does.

    uvicorn --factory functions.gateway:create_gateway

Routes: `/functions/v1/<name>` and everything below it go to that function;
`/functions/v1/openapi.json` describes all of them. With MAXPULSE_FUNCTION set,
only that function is served (one container per function).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Mapping
from pathlib import Path

from starlette._utils import get_route_path
from starlette.types import Receive, Scope, Send

from functions._shared.config import (
    ConfigFileError,
    FunctionConfig,
    find_config_toml,
    read_function_configs,
)
from functions._shared.errors import MethodNotAllowed, NotFound
from functions._shared.function import Function
from functions._shared.function_app import FunctionApp
from functions._shared.http import send_error, send_preflight, send_response
from functions._shared.openapi import openapi_document
from functions._shared.runtime import Runtime
from functions._shared.settings import FunctionSettings, get_settings
from functions.ai_analysis import AiAnalysis
from functions.analytics_aggregator import AnalyticsAggregator
from functions.commission_processor import CommissionProcessor
from functions.link_tracker import LinkTracker
from maxpulse_tools.defaults import FUNCTIONS_PATH_PREFIX

logger = logging.getLogger(__name__)

FUNCTIONS_PREFIX = FUNCTIONS_PATH_PREFIX + "/"
OPENAPI_PATH = FUNCTIONS_PATH_PREFIX + "/openapi.json"
FUNCTION_CLASSES: tuple[type[Function], ...] = (
    LinkTracker,
    AiAnalysis,
    CommissionProcessor,
    AnalyticsAggregator,
)
FUNCTION_NAMES = tuple(cls.name for cls in FUNCTION_CLASSES)


class GatewayConfigError(Exception):
    """The settings or supabase/config.toml ask for something the gateway cannot serve."""


class Gateway:
    """Routes /functions/v1/<name>[/...] to the function's app and runs their startup and shutdown."""

    def __init__(self, runtime: Runtime, apps: Mapping[str, FunctionApp]) -> None:
        self.runtime = runtime
        self.apps = dict(apps)
        self._openapi: bytes | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1003})

    async def startup(self) -> None:
        """Start the shared runtime, then every function."""
        await self.runtime.start()
        for app in self.apps.values():
            await app.function.startup()
        # What exists now (modules, apps, routes) lives as long as the process:
        # keeping it out of the collector's full passes keeps those passes short,
        # and with them the pauses of every request in flight.
        gc.freeze()

    async def shutdown(self) -> None:
        """Stop every function (they finish what they hold), then the shared runtime."""
        for app in reversed(self.apps.values()):
            try:
                await app.function.shutdown()
            except Exception:
                logger.exception("function %s did not shut down cleanly", app.name)
        await self.runtime.stop()

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = get_route_path(scope)
        name = path.removeprefix(FUNCTIONS_PREFIX).partition("/")[0]
        app = self.apps.get(name) if path.startswith(FUNCTIONS_PREFIX) else None
        if app is not None:
            await app.handle(scope, receive, send, path[len(FUNCTIONS_PREFIX) + len(name) :])
        elif path == OPENAPI_PATH:
            await self._serve_openapi(scope, send)
        else:
            await send_error(send, NotFound(f"there is no function at {path}"))

    async def _serve_openapi(self, scope: Scope, send: Send) -> None:
        method = scope["method"]
        if method == "OPTIONS":
            await send_preflight(send)
        elif method not in ("GET", "HEAD"):
            await send_error(send, MethodNotAllowed(f"{method} is not allowed on {OPENAPI_PATH}"))
        else:
            if self._openapi is None:
                self._openapi = openapi_document(self.apps.values())
            await send_response(
                send,
                200,
                self._openapi,
                [(b"content-type", b"application/json")],
                include_body=method == "GET",
            )

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    logger.exception("the functions did not start")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


def function_configs(settings: FunctionSettings) -> dict[str, FunctionConfig]:
    """[functions.<name>] of the project's supabase/config.toml, for the functions we have."""
    start = settings.maxpulse_project_dir or Path.cwd()
    try:
        configs = read_function_configs(find_config_toml(start))
    except ConfigFileError as exc:
        raise GatewayConfigError(str(exc)) from None
    return {name: configs.get(name, FunctionConfig()) for name in FUNCTION_NAMES}


def served_functions(settings: FunctionSettings) -> list[tuple[type[Function], FunctionConfig]]:
    """The functions this process serves, with their config.toml options (GatewayConfigError if none fit)."""
    only = settings.maxpulse_function
    if only is not None and only not in FUNCTION_NAMES:
        raise GatewayConfigError(
            f"MAXPULSE_FUNCTION={only} is not a function; choose one of {', '.join(FUNCTION_NAMES)}"
        )
    configs = function_configs(settings)
    served = [
        (cls, configs[cls.name])
        for cls in FUNCTION_CLASSES
        if (only is None or cls.name == only) and configs[cls.name].enabled
    ]
    if not served:
        raise GatewayConfigError(
            "no function to serve: supabase/config.toml has enabled = false for "
            + (only or "all of them")
        )
    return served


def create_gateway(settings: FunctionSettings | None = None) -> Gateway:
    """The gateway for `settings` (default: this process's environment)."""
    settings = settings or get_settings()
    served = served_functions(settings)
    runtime = Runtime.create(settings)
    return Gateway(
        runtime, {cls.name: FunctionApp(cls(runtime), config, runtime) for cls, config in served}
    )
