"""JWT verification as Supabase does it for Edge Functions and PostgREST.

Tokens come as `Authorization: Bearer <JWT>`. HS256 tokens are checked with
`SUPABASE_JWT_SECRET` (local stack, legacy projects); ES256 and RS256 tokens
with the project's JSON Web Key Set at `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`,
cached and fetched again when a token names a key id the cache does not hold.
`exp` is required; the `role` claim says who is calling.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from functions._shared.errors import ServiceUnavailable, Unauthorized

logger = logging.getLogger(__name__)

API_ROLES = frozenset({"anon", "authenticated", "service_role"})
NUMERIC_DATE_CLAIMS = ("exp", "iat", "nbf")
USER_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
ASYMMETRIC_ALGORITHMS = frozenset({"ES256", "RS256"})
JWKS_MAX_AGE_SECONDS = 600.0
JWKS_REFETCH_COOLDOWN_SECONDS = 10.0


@dataclass(frozen=True)
class Claims:
    """The verified claims of a caller's token."""

    role: str
    subject: str | None
    payload: Mapping[str, Any]

    @property
    def user_id(self) -> str | None:
        """`sub` of an authenticated user; None for the anon and service_role keys."""
        return self.subject if self.role == "authenticated" else None


def claims_of(payload: Mapping[str, Any]) -> Claims:
    """The `Claims` of a token whose signature checked out; Unauthorized when a claim has the wrong type.

    Every claim the database reads must have the type it expects there:
    `role` one of the API roles, `sub` a user id (auth.uid() casts it to uuid),
    the times numbers. A wrong type is a bad token, never a server error.
    """
    for name in NUMERIC_DATE_CLAIMS:
        value = payload.get(name)
        if name in payload and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise Unauthorized(f"the token's '{name}' claim must be a number of seconds")
    role = payload.get("role")
    if not isinstance(role, str) or role not in API_ROLES:
        raise Unauthorized("the token's role must be anon, authenticated or service_role")
    subject = payload.get("sub")
    if subject is not None and not (isinstance(subject, str) and USER_ID.fullmatch(subject)):
        raise Unauthorized("the token's 'sub' claim must be a user id (a UUID)")
    if role == "authenticated" and subject is None:
        raise Unauthorized("a token with role authenticated must name its user in 'sub'")
    return Claims(role=role, subject=subject, payload=payload)


class JwksCache:
    """The signing keys of a Supabase project, fetched over HTTP and kept for a while."""

    def __init__(
        self,
        url: str,
        client: httpx.AsyncClient,
        *,
        max_age: float = JWKS_MAX_AGE_SECONDS,
        refetch_cooldown: float = JWKS_REFETCH_COOLDOWN_SECONDS,
    ) -> None:
        self.url = url
        self._client = client
        self._max_age = max_age
        self._refetch_cooldown = refetch_cooldown
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._unknown_kid_refetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK:
        """The key with id `kid`; fetches the set when it is stale or does not know `kid`."""
        if self._fetched_at is None or self._age() > self._max_age:
            await self._refresh(self._fetched_at)
        key = self._keys.get(kid)
        if key is None and self._may_refetch_for_unknown_kid():
            # An unknown kid means our copy predates a key rotation. Random kids
            # must not make us hammer the endpoint: one such refetch per cool-down.
            self._unknown_kid_refetched_at = time.monotonic()
            await self._refresh(self._fetched_at)
            key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("the token is signed with a key this project does not publish")
        return key

    def _may_refetch_for_unknown_kid(self) -> bool:
        last = self._unknown_kid_refetched_at
        return last is None or time.monotonic() - last >= self._refetch_cooldown

    def _age(self) -> float:
        return float("inf") if self._fetched_at is None else time.monotonic() - self._fetched_at

    async def _refresh(self, seen_fetch: float | None) -> None:
        async with self._lock:
            if self._fetched_at != seen_fetch:
                return  # another request refreshed while we waited
            try:
                response = await self._client.get(self.url, timeout=5.0)
                response.raise_for_status()
                self._keys = _parse_key_set(response.json())
            except (httpx.HTTPError, ValueError) as exc:
                if not self._keys:
                    raise ServiceUnavailable(
                        "the project's signing keys cannot be fetched; try again shortly",
                        code="jwks_unavailable",
                    ) from exc
                logger.warning("keeping the cached JWKS: fetching %s failed: %s", self.url, exc)
            self._fetched_at = time.monotonic()


def _parse_key_set(document: Any) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError("the JWKS document has no 'keys' list")
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        try:
            key = jwt.PyJWK(entry)
        except jwt.PyJWTError:
            continue  # a key type we cannot use; tokens naming it are rejected
        if key.algorithm_name in ASYMMETRIC_ALGORITHMS:
            keys[entry["kid"]] = key
    return keys


class TokenVerifier:
    """Turns an Authorization header into verified `Claims`, or raises `Unauthorized`."""

    def __init__(self, jwt_secret: str | None, jwks: JwksCache | None) -> None:
        self._jwt_secret = jwt_secret
        self._jwks = jwks

    async def verify_header(self, authorization: str | None) -> Claims:
        """Claims of `Authorization: Bearer <JWT>`."""
        if not authorization:
            raise Unauthorized("missing authorization header", code="missing_authorization")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("the Authorization header must be 'Bearer <JWT>'")
        return await self.verify(token.strip())

    async def verify(self, token: str) -> Claims:
        """Claims of `token` once its algorithm, signature, expiry and role check out."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("the token is not a well-formed JWT") from None
        algorithm = header.get("alg")
        key = await self._key_for(algorithm, header.get("kid"))
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[str(algorithm)],
                options={"require": ["exp"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token has expired") from None
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthorized(f"the token has no '{exc.claim}' claim") from None
        except jwt.InvalidSignatureError:
            raise Unauthorized("the token's signature does not verify") from None
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"the token is not valid: {exc}") from None
        return claims_of(payload)

    async def _key_for(self, algorithm: object, kid: object) -> Any:
        if not isinstance(algorithm, str):
            raise Unauthorized("the token's 'alg' header must be a string")
        if algorithm == "HS256":
            if not self._jwt_secret:
                raise Unauthorized("HS256 tokens are not accepted: SUPABASE_JWT_SECRET is not set")
            return self._jwt_secret
        if algorithm in ASYMMETRIC_ALGORITHMS:
            if self._jwks is None:
                raise Unauthorized(f"{algorithm} tokens are not accepted: SUPABASE_URL is not set")
            if not isinstance(kid, str):
                raise Unauthorized(f"an {algorithm} token must name its key (kid)")
            key = await self._jwks.key(kid)
            if key.algorithm_name != algorithm:
                raise Unauthorized(f"key {kid} is not an {algorithm} key")
            return key.key
        raise Unauthorized(f"tokens signed with {algorithm!r} are not accepted")
