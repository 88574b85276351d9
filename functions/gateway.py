"""The gateway: one FastAPI app serving every function at /functions/v1/<name>, as Supabase does.

    uvicorn --factory functions.gateway:create_gateway

Each function's router is mounted at `/functions/v1/<name>` behind its
`/health` route; `EdgeMiddleware` does what Supabase's edge runtime does
around every function; `/functions/v1/openapi.json` describes them all.
Requests for the functions' plain ASGI routes take a fast lane in front of
FastAPI's middleware (see `functions._shared.routing`). With
MAXPULSE_FUNCTION set, only that function is served (one container per
function). The platform's own paths (`/rest/v1`, `/auth/v1`, ...) answer
with a JSON error that says where they are served.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from functions import ai_analysis, analytics_aggregator, commission_processor, link_tracker
from functions._shared.config import (
    ConfigFileError,
    FunctionConfig,
    find_config_toml,
    read_function_configs,
)
from functions._shared.dependencies import RUNTIME_STATE_KEY
from functions._shared.edge import EdgeMiddleware
from functions._shared.exception_handlers import install_exception_handlers
from functions._shared.function import Function
from functions._shared.health import health_router
from functions._shared.openapi import install_openapi
from functions._shared.platform_paths import platform_paths_router
from functions._shared.routing import FastLane
from functions._shared.runtime import Runtime, package_version
from functions._shared.settings import FunctionSettings, get_settings
from maxpulse_tools.defaults import FUNCTIONS_PATH_PREFIX

OPENAPI_PATH = FUNCTIONS_PATH_PREFIX + "/openapi.json"
FUNCTIONS: tuple[Function, ...] = (
    link_tracker.function,
    ai_analysis.function,
    commission_processor.function,
    analytics_aggregator.function,
)
FUNCTION_NAMES = tuple(function.name for function in FUNCTIONS)


class GatewayConfigError(Exception):
    """The settings or supabase/config.toml ask for something the gateway cannot serve."""


class GatewayApp(FastAPI):
    """FastAPI, with a fast lane for the functions' plain ASGI routes asked before anything else."""

    fast_lane: FastLane | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.fast_lane is not None and await self.fast_lane.answer(scope, receive, send):
            return
        await super().__call__(scope, receive, send)


def function_configs(settings: FunctionSettings) -> dict[str, FunctionConfig]:
    """[functions.<name>] of the project's supabase/config.toml, for the functions we have."""
    start = settings.maxpulse_project_dir or Path.cwd()
    try:
        configs = read_function_configs(find_config_toml(start))
    except ConfigFileError as exc:
        raise GatewayConfigError(str(exc)) from None
    return {name: configs.get(name, FunctionConfig()) for name in FUNCTION_NAMES}


def served_functions(settings: FunctionSettings) -> list[tuple[Function, FunctionConfig]]:
    """The functions this process serves, with their config.toml options (GatewayConfigError if none fit)."""
    only = settings.maxpulse_function
    if only is not None and only not in FUNCTION_NAMES:
        raise GatewayConfigError(
            f"MAXPULSE_FUNCTION={only} is not a function; choose one of {', '.join(FUNCTION_NAMES)}"
        )
    configs = function_configs(settings)
    served = [
        (function, configs[function.name])
        for function in FUNCTIONS
        if (only is None or function.name == only) and configs[function.name].enabled
    ]
    if not served:
        raise GatewayConfigError(
            "no function to serve: supabase/config.toml has enabled = false for "
            + (only or "all of them")
        )
    return served


def create_gateway(settings: FunctionSettings | None = None) -> GatewayApp:
    """The gateway app for `settings` (default: this process's environment)."""
    settings = settings or get_settings()
    return build_app(Runtime.create(settings), served_functions(settings))


def build_app(runtime: Runtime, served: Sequence[tuple[Function, FunctionConfig]]) -> GatewayApp:
    """One FastAPI app serving `served` on `runtime`."""
    functions = [function for function, _ in served]
    app = GatewayApp(
        lifespan=_lifespan(runtime, functions),
        openapi_url=OPENAPI_PATH,
        docs_url=None,
        redoc_url=None,
        # No OpenTelemetry here: its per-request checks cost more than the redirect itself.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    # Plain ASGI routes take the fast lane; they are on the app's router too,
    # first, where a request with another method gets its 405.
    asgi_routes = [
        route.with_prefix(function.prefix)
        for function in functions
        for route in function.asgi_routes
    ]
    app.router.routes[:0] = asgi_routes
    for function in functions:
        app.include_router(
            health_router(function.name, function.health_probe),
            prefix=function.prefix,
            tags=[function.name],
        )
        app.include_router(function.router, prefix=function.prefix, tags=[function.name])
    app.include_router(platform_paths_router())
    install_exception_handlers(app)
    configs = {function.name: config for function, config in served}
    install_openapi(app, functions, configs, package_version())
    app.add_middleware(EdgeMiddleware, runtime=runtime, functions=configs)
    if asgi_routes:
        app.fast_lane = FastLane(
            asgi_routes, partial(EdgeMiddleware, runtime=runtime, functions=configs)
        )
    return app


def _lifespan(runtime: Runtime, functions: Sequence[Function]) -> Any:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[dict[str, Any]]:
        """Start the shared runtime, then every function; stop them in reverse order."""
        async with AsyncExitStack() as stack:
            await runtime.start()
            stack.push_async_callback(runtime.stop)
            state: dict[str, Any] = {RUNTIME_STATE_KEY: runtime}
            for function in functions:
                if function.lifespan is not None:
                    state.update(await stack.enter_async_context(function.lifespan(runtime)))
            # What exists now (modules, routes) lives as long as the process:
            # keeping it out of the collector's full passes keeps those passes
            # short, and with them the pauses of every request in flight.
            gc.freeze()
            yield state

    return lifespan
