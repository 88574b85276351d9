"""The OpenAPI document of the served functions, at /functions/v1/openapi.json.

FastAPI generates it from the routes; this module adds what only the gateway
knows: the error envelope every error response uses, the bearer token that
`verify_jwt` functions require on every route but `/health`, the path
items of plain ASGI routes (the link-tracker's redirect), and the request
bodies of routes that read their raw body themselves (`json_request_body`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter

if TYPE_CHECKING:
    from fastapi import FastAPI

    from functions._shared.config import FunctionConfig
    from functions._shared.function import Function

SECURITY_SCHEME = "supabaseJwt"
COMPONENT_REF = "#/components/schemas/{model}"
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
    409: "Conflicts with the current state",
    410: "Gone",
    413: "The body is larger than 64 KiB",
    415: "The body is not JSON",
    422: "A field has a wrong type or value; `field` names it",
    429: "Too many requests",
    501: "Not served here (the hosted Supabase project serves it)",
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


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route that can answer with these error statuses."""
    return {status: ERROR_RESPONSES[status] for status in statuses}


def json_request_body(body_type: Any, description: str) -> dict[str, Any]:
    """The `openapi_extra` of a route that reads a JSON body of `body_type` from the raw bytes.

    Such a route (one that checks a signature over the exact bytes) has no
    body parameter for FastAPI to describe; this declares the body from the
    same pydantic types that parse it. Their models travel in `$defs` and
    become components when the document is built.
    """
    schema = TypeAdapter(body_type).json_schema(ref_template=COMPONENT_REF)
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    }


def install_openapi(
    app: FastAPI,
    functions: Sequence[Function],
    configs: Mapping[str, FunctionConfig],
    version: str,
) -> None:
    """Make `app.openapi()` return the document of `functions`, built once on first request."""
    document: dict[str, Any] | None = None

    def openapi() -> dict[str, Any]:
        nonlocal document
        if document is None:
            document = _build(app, functions, configs, version)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _build(
    app: FastAPI,
    functions: Sequence[Function],
    configs: Mapping[str, FunctionConfig],
    version: str,
) -> dict[str, Any]:
    document = get_openapi(
        title="maxpulse functions", version=version, description=DESCRIPTION, routes=app.routes
    )
    paths: dict[str, Any] = document.setdefault("paths", {})
    for function in functions:
        for path, item in function.openapi_paths.items():
            paths[function.prefix + path] = dict(item)
        if configs[function.name].verify_jwt:
            _require_token(paths, function.prefix)
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["ErrorEnvelope"] = ERROR_SCHEMA
    _move_body_models_to_components(paths, schemas)
    components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A Supabase JWT: the anon key, a user's access token or the service_role key.",
    }
    return document


def _require_token(paths: dict[str, Any], prefix: str) -> None:
    for path, item in paths.items():
        if path.startswith(prefix + "/") and not path.endswith("/health"):
            for operation in item.values():
                operation.setdefault("security", [{SECURITY_SCHEME: []}])
                operation.setdefault("responses", {}).setdefault("401", ERROR_RESPONSES[401])


def _move_body_models_to_components(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Hoist the `$defs` of request bodies declared by `json_request_body` into components."""
    for item in paths.values():
        for operation in item.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            # get_openapi's document is a fresh copy: the route's openapi_extra stays whole.
            for media in operation["requestBody"].get("content", {}).values():
                for name, model in media.get("schema", {}).pop("$defs", {}).items():
                    if schemas.setdefault(name, model) != model:
                        raise ValueError(f"two different schemas are named {name!r}")
