"""The local stack's JWT secret and the API keys signed with it.

Made once, on the first start, and kept in `.maxpulse/keys.json` (mode 0600).
The anon and service_role keys are HS256 JWTs like a Supabase project's: a
`role` claim, an issuer, and an expiry ten years out.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from maxpulse_tools.errors import ConfigError

ISSUER = "maxpulse-local"
KEY_LIFETIME_SECONDS = 10 * 365 * 24 * 3600


@dataclass(frozen=True)
class LocalKeys:
    """Secret and keys of one local stack."""

    jwt_secret: str
    anon_key: str
    service_role_key: str


def sign_api_key(secret: str, role: str, *, lifetime: int = KEY_LIFETIME_SECONDS) -> str:
    """An HS256 JWT carrying `role`, as Supabase issues its API keys."""
    import jwt

    now = int(time.time())
    claims = {"iss": ISSUER, "role": role, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, secret, algorithm="HS256")


def load_or_create_keys(path: Path) -> LocalKeys:
    """The keys in `path`, creating them (and the file) on first use."""
    if path.is_file():
        return read_keys(path)
    secret = secrets.token_urlsafe(48)
    keys = LocalKeys(
        jwt_secret=secret,
        anon_key=sign_api_key(secret, "anon"),
        service_role_key=sign_api_key(secret, "service_role"),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(asdict(keys), handle, indent=2)
        handle.write("\n")
    return keys


def read_keys(path: Path) -> LocalKeys:
    """The keys stored in `path`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LocalKeys(data["jwt_secret"], data["anon_key"], data["service_role_key"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ConfigError(
            f"{path} is not a valid keys file",
            hint="delete it; new keys are made on the next `maxpulse db start`",
        ) from None
