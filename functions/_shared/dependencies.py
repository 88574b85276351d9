"""FastAPI dependencies that give handlers the caller's verified claims."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from functions._shared.auth import Claims, TokenVerifier
from functions._shared.errors import Forbidden
from functions._shared.openapi import SECURITY_SCHEME

AUTH_SCOPE_KEY = "maxpulse.auth"

# Declares `Authorization: Bearer` in the OpenAPI document; RequestAuth does the checking.
bearer_token = HTTPBearer(auto_error=False, scheme_name=SECURITY_SCHEME)


class RequestAuth:
    """The Authorization header of one request, verified on first use and remembered."""

    def __init__(self, verifier: TokenVerifier, authorization: str | None) -> None:
        self._verifier = verifier
        self._authorization = authorization
        self._claims: Claims | None = None

    async def claims(self) -> Claims:
        if self._claims is None:
            self._claims = await self._verifier.verify_header(self._authorization)
        return self._claims


async def caller(
    request: Request,
    _credentials: HTTPAuthorizationCredentials | None = Depends(bearer_token),
) -> Claims:
    """The verified claims of the caller; 401 without a valid token."""
    auth: RequestAuth = request.scope[AUTH_SCOPE_KEY]
    return await auth.claims()


def require_role(*roles: str) -> Callable[..., Awaitable[Claims]]:
    """A dependency that lets through callers whose `role` claim is one of `roles` (403 otherwise)."""
    allowed = frozenset(roles)

    async def dependency(claims: Claims = Depends(caller)) -> Claims:
        if claims.role not in allowed:
            raise Forbidden(f"this endpoint needs a token with role {' or '.join(sorted(allowed))}")
        return claims

    return dependency
