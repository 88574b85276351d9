"""link-tracker: tracked short links with click analytics, and assessment progress events."""

from __future__ import annotations

from functions._shared.function import Function
from functions.link_tracker.redirect_endpoint import REDIRECT_OPENAPI
from functions.link_tracker.routes import CLICKS_WRITABLE, asgi_routes, lifespan, router

function = Function(
    name="link-tracker",
    summary="Tracked links and assessment events",
    router=router,
    lifespan=lifespan,
    asgi_routes=asgi_routes,
    openapi_paths={"/{code}": REDIRECT_OPENAPI},
    health_probe=CLICKS_WRITABLE,
)
