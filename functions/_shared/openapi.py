"""The OpenAPI document of all served functions, at /functions/v1/openapi.json."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import orjson
from fastapi import APIRouter
from fastapi.openapi.utils import get_openapi

if TYPE_CHECKING:
    from functions._shared.function_app import FunctionApp

SECURITY_SCHEME = "supabaseJwt"
ERROR_SCHEMA_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}
ERROR_SCHEMA: dict[str, Any] = {
    "title": "ErrorEnvelope",
    "type": "object",
    "required": ["error", "code"],
    "properties": {
        "error": {"type": "string", "description": "a sentence, for people"},
        "code": {"type": "string", "description": "snake_case, for programs"},
        "field": {"type": "string", "description": "the input at fault (422 only)"},
    },
}
_ERROR_DESCRIPTIONS = {
    400: "The body is not valid JSON",
    401: "Missing, malformed, expired or wrongly signed JWT",
    403: "The token's role may not do this",
    404: "Not found",
    405: "Method not allowed",
    410: "Gone",
    413: "The body is larger than 64 KiB",
    415: "The body is not JSON",
    422: "A field has a wrong type or value; `field` names it",
    429: "Too many requests",
    501: "Not implemented yet",
    503: "The database (or the project's signing keys) cannot be reached",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {"application/json": {"schema": ERROR_SCHEMA_REF}}}
    for status, text in _ERROR_DESCRIPTIONS.items()
}

DESCRIPTION = """\
HTTP functions of the maxpulse backend, answering like Supabase Edge Functions:
call them with `supabase.functions.invoke('<name>')` or at `/functions/v1/<name>`.
Every error is `{"error": "<sentence>", "code": "<snake_case>"}`; every response carries CORS headers.
"""


def health_operation(name: str) -> dict[str, Any]:
    """The path item of GET /functions/v1/<name>/health."""
    return {
        "get": {
            "tags": [name],
            "summary": f"Health of {name}",
            "description": "Status, version and database reachability. No token needed.",
            "operationId": f"{name}-health",
            "responses": {
                "200": {
                    "description": "Healthy",
                    "content": {"application/json": {"schema": HEALTH_SCHEMA}},
                },
                "503": {
                    "description": "The database cannot be reached",
                    "content": {"application/json": {"schema": HEALTH_SCHEMA}},
                },
            },
        }
    }


HEALTH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status", "function", "version", "database"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "degraded"]},
        "function": {"type": "string"},
        "version": {"type": "string"},
        "database": {
            "type": "object",
            "properties": {
                "reachable": {"type": "boolean"},
                "latencyMs": {"type": ["number", "null"]},
            },
        },
    },
}


def openapi_document(apps: Iterable[FunctionApp]) -> bytes:
    """One OpenAPI 3.1 document for `apps`, paths under /functions/v1/<name>."""
    apps = list(apps)
    router = APIRouter()
    for app in apps:
        router.include_router(app.router, prefix=app.prefix, tags=[app.name])
    document = get_openapi(
        title="maxpulse functions",
        version=apps[0].runtime_version if apps else "0",
        description=DESCRIPTION,
        routes=router.routes,
    )
    paths = document.setdefault("paths", {})
    for app in apps:
        paths[f"{app.prefix}/health"] = health_operation(app.name)
        for fast in app.fast_routes:
            paths[app.prefix + fast.label] = dict(fast.openapi)
        if app.config.verify_jwt:
            _require_token(paths, app.prefix)
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})["ErrorEnvelope"] = ERROR_SCHEMA
    components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A Supabase JWT: the anon key, a user's access token or the service_role key.",
    }
    return orjson.dumps(document)


def _require_token(paths: dict[str, Any], prefix: str) -> None:
    for path, item in paths.items():
        if path.startswith(prefix) and not path.endswith("/health"):
            for operation in item.values():
                operation.setdefault("security", [{SECURITY_SCHEME: []}])
