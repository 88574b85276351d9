"""The errors a function answers with, and the JSON envelope they are sent in.

Every error leaves a function as `{"error": "<sentence>", "code": "<snake_case>"}`
(plus `"field"` for validation errors) with its HTTP status. That is the shape
Supabase's own functions answer with: supabase-js and supabase-py hand the
`error` member to the caller as the message, so it must be the sentence.
Handlers raise one of these classes where the problem is found; the runtime
renders it once.
"""

from __future__ import annotations

from typing import Any

import orjson


class FunctionError(Exception):
    """An answer other than success: HTTP status, machine-readable code, human message."""

    status = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        self.headers = headers or {}

    def envelope(self) -> dict[str, Any]:
        """The JSON body of this error."""
        envelope: dict[str, Any] = {"error": self.message, "code": self.code}
        if self.field is not None:
            envelope["field"] = self.field
        return envelope

    def body(self) -> bytes:
        return orjson.dumps(self.envelope())


class BadRequest(FunctionError):
    """The request cannot be read: malformed JSON, a bad header."""

    status = 400
    code = "bad_request"


class Unauthorized(FunctionError):
    """No token, or a token that does not verify (signature, algorithm, expiry)."""

    status = 401
    code = "invalid_jwt"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(
            message, code=code, headers={"www-authenticate": 'Bearer error="invalid_token"'}
        )


class Forbidden(FunctionError):
    """A valid token whose role may not do this."""

    status = 403
    code = "forbidden"


class NotFound(FunctionError):
    status = 404
    code = "not_found"


class MethodNotAllowed(FunctionError):
    status = 405
    code = "method_not_allowed"


class RequestTimeout(FunctionError):
    """The client took too long to send its request."""

    status = 408
    code = "request_timeout"


class Gone(FunctionError):
    status = 410
    code = "gone"


class PayloadTooLarge(FunctionError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(FunctionError):
    status = 415
    code = "unsupported_media_type"


class HeadersTooLarge(FunctionError):
    """The request line and headers together are larger than the server accepts."""

    status = 431
    code = "request_header_fields_too_large"


class ValidationFailed(FunctionError):
    """Well-formed input with a wrong type or value; `field` names the culprit."""

    status = 422
    code = "validation_failed"


class RateLimited(FunctionError):
    status = 429
    code = "rate_limited"


class ServiceUnavailable(FunctionError):
    """A dependency (the database, the JWKS endpoint) cannot be reached right now."""

    status = 503
    code = "service_unavailable"


class DatabaseUnavailable(ServiceUnavailable):
    code = "database_unavailable"

    def __init__(self, message: str = "the database cannot be reached; try again shortly") -> None:
        super().__init__(message, headers={"retry-after": "5"})


class DatabaseBusy(ServiceUnavailable):
    """The database is there, but a statement ran out of its time or waited too long for a lock."""

    code = "database_busy"

    def __init__(
        self, message: str = "the database did not answer in time; try again shortly"
    ) -> None:
        super().__init__(message, headers={"retry-after": "5"})
