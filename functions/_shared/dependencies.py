"""FastAPI dependencies every handler uses: the caller's verified claims and the runtime's services.

    async def handler(caller: Caller, database: Db) -> ...

`Caller` is any valid token; `ServiceCaller` only a service_role token;
`require_role(...)` builds others. When config.toml has `verify_jwt = true` for
the function, the edge middleware has verified the token before routing and
the dependency reuses that result; otherwise the dependency verifies it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from functions._shared.auth import Claims, TokenVerifier
from functions._shared.database import Database
from functions._shared.errors import Forbidden
from functions._shared.openapi import SECURITY_SCHEME
from functions._shared.runtime import Runtime
from functions._shared.settings import FunctionSettings

AUTH_SCOPE_KEY = "maxpulse.auth"
RUNTIME_STATE_KEY = "runtime"

# Declares `Authorization: Bearer` in the OpenAPI document; RequestAuth does the checking.
bearer_token = HTTPBearer(auto_error=False, scheme_name=SECURITY_SCHEME)


class RequestAuth:
    """The Authorization header of one request, verified on first use and remembered."""

    def __init__(self, verifier: TokenVerifier, authorization: str | None) -> None:
        self._verifier = verifier
        self._authorization = authorization
        self._claims: Claims | None = None

    async def claims(self) -> Claims:
        """The verified claims (Unauthorized when the header is missing or bad)."""
        if self._claims is None:
            self._claims = await self._verifier.verify_header(self._authorization)
        return self._claims


def app_runtime(request: Request) -> Runtime:
    """The process's shared services, started by the gateway's lifespan."""
    runtime: Runtime = getattr(request.state, RUNTIME_STATE_KEY)
    return runtime


def database(request: Request) -> Database:
    """The process's connection pool."""
    return app_runtime(request).database


def settings(request: Request) -> FunctionSettings:
    """The process's settings."""
    return app_runtime(request).settings


async def caller(
    request: Request,
    _credentials: HTTPAuthorizationCredentials | None = Depends(bearer_token),
) -> Claims:
    """The verified claims of the caller; 401 without a valid token."""
    auth = request.scope.get(AUTH_SCOPE_KEY)
    if not isinstance(auth, RequestAuth):
        auth = RequestAuth(app_runtime(request).verifier, request.headers.get("authorization"))
        request.scope[AUTH_SCOPE_KEY] = auth
    return await auth.claims()


def require_role(*roles: str) -> Callable[..., Awaitable[Claims]]:
    """A dependency that lets through callers whose `role` claim is one of `roles` (403 otherwise)."""
    allowed = frozenset(roles)

    async def dependency(claims: Claims = Depends(caller)) -> Claims:
        if claims.role not in allowed:
            raise Forbidden(f"this endpoint needs a token with role {' or '.join(sorted(allowed))}")
        return claims

    return dependency


Caller = Annotated[Claims, Depends(caller)]
ServiceCaller = Annotated[Claims, Depends(require_role("service_role"))]
AppRuntime = Annotated[Runtime, Depends(app_runtime)]
Db = Annotated[Database, Depends(database)]
Settings = Annotated[FunctionSettings, Depends(settings)]
