"""JWT verification as Supabase does it: HS256 with the secret, ES256/RS256 with the project's JWKS.

Requests go through the gateway to a function with verify_jwt = true
(ai-analysis: a verified caller reaches it and gets a 422 for the empty body,
anyone else a 401). The JWKS endpoint is the one third-party call here, so
respx stands in for it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
import respx
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from functions.gateway import create_gateway
from tests.functions.conftest import BASE_URL, Tokens, gateway_settings

PROJECT_URL = "https://project.supabase.example"
JWKS_URL = f"{PROJECT_URL}/auth/v1/.well-known/jwks.json"
GUARDED = "/functions/v1/ai-analysis"
REACHED = 422  # past the token check: ai-analysis refuses the empty body


USER_ID = "8d0f6c1e-0000-4000-8000-000000000001"


def claims(role: str = "authenticated", expires_in: int = 3600) -> dict[str, Any]:
    return {"role": role, "sub": USER_ID, "exp": int(time.time()) + expires_in}


async def call(client: httpx.AsyncClient, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return await client.post(GUARDED, headers=headers)


# HS256 ------------------------------------------------------------------------------


async def test_valid_hs256_token_gets_through(client: httpx.AsyncClient, tokens: Tokens) -> None:
    for token in (tokens.anon, tokens.service_role, tokens.for_role("authenticated", sub=USER_ID)):
        assert (await call(client, token)).status_code == REACHED


def _hs256_with_header(header: dict[str, Any], payload: dict[str, Any], secret: str) -> str:
    """A token signed with HS256 whatever its header says (PyJWT will not write such headers)."""
    signing_input = f"{_part(header)}.{_part(payload)}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def _part(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _unsigned(payload: dict[str, Any]) -> str:
    return f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(payload)}."


@pytest.mark.parametrize(
    ("make_token", "message"),
    [
        (lambda t: t.for_role("anon", expires_in=-10), "expired"),
        (lambda t: t.sign({"role": "anon"}), "'exp'"),
        (lambda t: t.sign(claims(), secret="another-secret-that-is-long-enough-0123"), "signature"),
        (lambda t: _unsigned(claims()), "'none'"),
        (lambda t: t.sign({**claims(), "role": "supabase_admin"}), "role"),
        (lambda t: t.sign({k: v for k, v in claims().items() if k != "role"}), "role"),
        (lambda t: "not.a.jwt", "well-formed"),
        (lambda t: t.anon[:-4] + "AAAA", "signature"),
    ],
    ids=[
        "expired",
        "no-exp",
        "wrong-signature",
        "alg-none",
        "odd-role",
        "no-role",
        "garbage",
        "tampered",
    ],
)
async def test_bad_tokens_are_401_json(
    client: httpx.AsyncClient, tokens: Tokens, make_token: Any, message: str
) -> None:
    response = await call(client, make_token(tokens))

    assert response.status_code == 401
    error = response.json()
    assert error["code"] == "invalid_jwt"
    assert message in error["error"]
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("header", ["", "Basic dXNlcjpwdw==", "Bearer", "Bearer "])
async def test_malformed_authorization_header_is_401(
    client: httpx.AsyncClient, header: str
) -> None:
    response = await client.post(GUARDED, headers={"Authorization": header} if header else {})

    assert response.status_code == 401
    assert response.json()["code"] in {"missing_authorization", "invalid_jwt"}


async def test_role_helpers_refuse_other_roles(client: httpx.AsyncClient, tokens: Tokens) -> None:
    # require_role on the events endpoint admits the three API roles; an
    # unverifiable token never reaches it.
    response = await client.post(
        "/functions/v1/link-tracker/events",
        json={"sessionId": "00000000-0000-4000-8000-000000000000", "event": "x_y"},
        headers={"Authorization": f"Bearer {tokens.for_role('anon', expires_in=-1)}"},
    )

    assert response.status_code == 401


WRONG_TYPES = {
    "role-list": {"role": ["authenticated"]},
    "role-object": {"role": {"name": "anon"}},
    "role-number": {"role": 1},
    "role-null": {"role": None},
    "role-boolean": {"role": True},
    "sub-number": {"sub": 42},
    "sub-list": {"sub": [USER_ID]},
    "sub-object": {"sub": {"id": USER_ID}},
    "sub-not-a-uuid": {"sub": "user-42"},
    "sub-missing": {"sub": None},
    "exp-numeric-string": {"exp": "9999999999"},
    "exp-list": {"exp": [9999999999]},
    "exp-object": {"exp": {}},
    "exp-boolean": {"exp": True},
    "iat-string": {"iat": "now"},
    "nbf-list": {"nbf": [0]},
    "jti-number": {"jti": 7},
}
ENDPOINTS = {
    "verified-before-routing": GUARDED,  # ai-analysis: verify_jwt = true
    "verified-by-the-handler": "/functions/v1/link-tracker/events",  # verify_jwt = false
}


@pytest.mark.parametrize("endpoint", ENDPOINTS.values(), ids=ENDPOINTS.keys())
@pytest.mark.parametrize("overrides", WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
async def test_signed_tokens_with_claims_of_the_wrong_type_are_401(
    client: httpx.AsyncClient, tokens: Tokens, endpoint: str, overrides: dict[str, Any]
) -> None:
    payload = {**claims(), **overrides}
    payload = {name: value for name, value in payload.items() if value is not None}

    response = await client.post(
        endpoint,
        json={"sessionId": USER_ID, "event": "assessment_started"},
        headers={"Authorization": f"Bearer {tokens.sign(payload)}"},
    )

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_jwt"


@pytest.mark.parametrize(
    "header", [{"alg": ["HS256"]}, {"alg": None}, {"kid": 7, "alg": "ES256"}], ids=str
)
async def test_tokens_with_headers_of_the_wrong_type_are_401(
    client: httpx.AsyncClient, tokens: Tokens, header: dict[str, Any]
) -> None:
    token = _hs256_with_header({"typ": "JWT", "alg": "HS256", **header}, claims(), tokens.secret)

    response = await call(client, token)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_jwt"


# JWKS (ES256, RS256) ------------------------------------------------------------------


class SigningKey:
    """A project signing key and its public JWK."""

    def __init__(self, kid: str, algorithm: str) -> None:
        self.kid = kid
        self.algorithm = algorithm
        if algorithm == "ES256":
            self.private = ec.generate_private_key(ec.SECP256R1())
            jwk = ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        else:
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            jwk = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwk = {**jwk, "kid": kid, "alg": algorithm, "use": "sig"}

    def sign(self, payload: dict[str, Any]) -> str:
        return jwt.encode(
            payload, self.private, algorithm=self.algorithm, headers={"kid": self.kid}
        )


@pytest.fixture
async def jwks_client(functions_db_url: str, tokens: Tokens) -> AsyncIterator[httpx.AsyncClient]:
    gateway = create_gateway(
        gateway_settings(functions_db_url, tokens.secret, supabase_url=PROJECT_URL)
    )
    transport = httpx.ASGITransport(app=gateway)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http


@pytest.mark.parametrize("algorithm", ["ES256", "RS256"])
async def test_asymmetric_tokens_verify_with_the_cached_jwks(
    jwks_client: httpx.AsyncClient, algorithm: str
) -> None:
    key = SigningKey("key-1", algorithm)
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(JWKS_URL).respond(json={"keys": [key.jwk]})

        first = await call(jwks_client, key.sign(claims()))
        second = await call(jwks_client, key.sign(claims("anon")))

    assert (first.status_code, second.status_code) == (REACHED, REACHED)
    assert route.call_count == 1


async def test_unknown_kid_refetches_the_jwks_once(jwks_client: httpx.AsyncClient) -> None:
    old, new = SigningKey("old", "ES256"), SigningKey("new", "ES256")
    stranger = SigningKey("stranger", "ES256")
    with respx.mock() as mock:
        route = mock.get(JWKS_URL)
        route.side_effect = [
            httpx.Response(200, json={"keys": [old.jwk]}),
            httpx.Response(200, json={"keys": [old.jwk, new.jwk]}),
            httpx.Response(200, json={"keys": [old.jwk, new.jwk]}),
        ]

        before_rotation = await call(jwks_client, old.sign(claims()))
        after_rotation = await call(jwks_client, new.sign(claims()))
        unknown = await call(jwks_client, stranger.sign(claims()))
        unknown_again = await call(jwks_client, stranger.sign(claims()))

    assert (before_rotation.status_code, after_rotation.status_code) == (REACHED, REACHED)
    assert (unknown.status_code, unknown_again.status_code) == (401, 401)
    # the second unknown kid within the cool-down does not hit the endpoint again
    assert route.call_count == 2


async def test_expired_or_forged_asymmetric_tokens_are_401(
    jwks_client: httpx.AsyncClient,
) -> None:
    key = SigningKey("key-1", "ES256")
    forger = SigningKey("key-1", "ES256")  # same kid, another private key
    with respx.mock() as mock:
        mock.get(JWKS_URL).respond(json={"keys": [key.jwk]})

        expired = await call(jwks_client, key.sign(claims(expires_in=-5)))
        forged = await call(jwks_client, forger.sign(claims()))
        confused = await call(
            jwks_client, jwt.encode(claims(), "x" * 64, algorithm="HS512", headers={"kid": "key-1"})
        )

    assert "expired" in expired.json()["error"]
    assert forged.status_code == 401
    assert confused.status_code == 401


async def test_jwks_endpoint_down_is_503_not_401(jwks_client: httpx.AsyncClient) -> None:
    key = SigningKey("key-1", "RS256")
    with respx.mock() as mock:
        mock.get(JWKS_URL).respond(status_code=500)

        response = await call(jwks_client, key.sign(claims()))

    assert response.status_code == 503
    assert response.json()["code"] == "jwks_unavailable"
