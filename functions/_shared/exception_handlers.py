"""How FastAPI's own errors and the handlers' errors become the JSON error envelope.

Registered once on the gateway's app. An exception none of these handles
reaches the edge middleware, which logs it and answers 500.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from functions._shared.database import CANCELLED_BY_BOUNDS
from functions._shared.errors import (
    BadRequest,
    DatabaseBusy,
    DatabaseUnavailable,
    FunctionError,
    MethodNotAllowed,
    NotFound,
    UnsupportedMediaType,
    ValidationFailed,
)

logger = logging.getLogger(__name__)

_REQUEST_PARTS = ("body", "query", "path", "header", "cookie")


def error_response(error: FunctionError) -> Response:
    """`error` as a response; the edge middleware adds the CORS headers on the way out."""
    return Response(
        error.body(), status_code=error.status, media_type="application/json", headers=error.headers
    )


def install_exception_handlers(app: FastAPI) -> None:
    """Answer FunctionError, validation, routing and database errors in the envelope."""

    async def on_function_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, FunctionError)
        return error_response(exc)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_response(validation_error(exc, request.headers.get("content-type")))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return error_response(http_error(exc, request))

    async def on_database_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, psycopg.Error)
        return error_response(database_error(exc))

    app.add_exception_handler(FunctionError, on_function_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(psycopg.Error, on_database_error)


def validation_error(exc: RequestValidationError, content_type: str | None) -> FunctionError:
    """The first problem FastAPI found, as 400 (unreadable JSON), 415 or 422 naming the field."""
    errors: list[dict[str, Any]] = list(exc.errors())
    if not errors:
        return ValidationFailed("the request is not valid")
    first = errors[0]
    if first.get("type") == "json_invalid":
        detail = (first.get("ctx") or {}).get("error", "malformed JSON")
        return BadRequest(f"the body is not valid JSON: {detail}", code="invalid_json")
    location = [str(part) for part in first.get("loc", ())]
    if location == ["body"] and content_type and "json" not in content_type.lower():
        return UnsupportedMediaType(
            f"send the body as JSON with Content-Type: application/json, not {content_type}"
        )
    part = location[0] if location and location[0] in _REQUEST_PARTS else None
    field = ".".join(location[1:] if part else location) or part or "body"
    if first.get("type") == "missing" and field == "body":
        return ValidationFailed("the request needs a JSON body", field="body")
    return ValidationFailed(f"{field}: {first.get('msg', 'invalid value')}", field=field)


def http_error(exc: HTTPException, request: Request) -> FunctionError:
    """Starlette's routing errors (unknown path, wrong method) in our envelope."""
    if isinstance(exc.__cause__, FunctionError):
        # FastAPI wraps what reading the body raised (our 413) in a 400.
        return exc.__cause__
    if exc.status_code == 400:  # FastAPI's answer to a body json.loads gave up on (too deep)
        return BadRequest("the body cannot be read as JSON", code="invalid_json")
    if exc.status_code == 404:
        return NotFound(f"there is no route {request.method} {request.url.path}")
    if exc.status_code == 405:
        not_allowed = MethodNotAllowed(f"{request.method} is not allowed on {request.url.path}")
        if exc.headers and "Allow" in exc.headers:
            not_allowed.headers["allow"] = exc.headers["Allow"]
        return not_allowed
    other = FunctionError(str(exc.detail), code="http_error")
    other.status = exc.status_code
    return other


def database_error(exc: psycopg.Error) -> FunctionError:
    """A database error reaching a handler: the database being away or busy, or a value it refused."""
    if isinstance(exc, CANCELLED_BY_BOUNDS):
        return DatabaseBusy()
    if isinstance(exc, psycopg.OperationalError):
        return DatabaseUnavailable()
    if isinstance(exc, psycopg.errors.IntegrityError | psycopg.errors.DataError):
        message = exc.diag.message_primary or "the value was rejected"
        return ValidationFailed(f"the database refused the value: {message}", code="invalid_value")
    logger.error("database error", exc_info=exc)
    return FunctionError("an unexpected database error occurred; it has been logged")
