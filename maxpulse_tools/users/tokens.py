"""`maxpulse users token`: a user's access token, signed with the local stack's secret.

The local stack runs no Auth server, so nobody can sign in against it. This
makes the token Supabase Auth would hand out after a sign-in (role
`authenticated`, the user's id, email and metadata from `auth.users`), for
`supabase.functions.setAuth(token)` or supabase-js's `accessToken` option, and
for `curl -H "Authorization: Bearer ..."`. Signed with a hosted project's
secret such a token would be that user on the hosted project, so a secret or
a database that is not the local stack's is refused unless asked for.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from maxpulse_tools.errors import ConfigError, LocalStackError

if TYPE_CHECKING:
    import psycopg

    from maxpulse_tools.database import DbTarget
    from maxpulse_tools.project import Project
    from maxpulse_tools.settings import Settings

DEFAULT_TTL = "1h"  # Supabase Auth's default access-token lifetime (3600 s)
AUDIENCE = "authenticated"
_TTL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_TTL = re.compile(r"(\d+)([smhd]?)")

_USER_COLUMNS = """
select id::text, email, phone, coalesce(raw_app_meta_data, '{}'), coalesce(raw_user_meta_data, '{}'),
       is_anonymous
from auth.users
where deleted_at is null
"""
_FIND_BY_ID = _USER_COLUMNS + "and id = %s::uuid"
# Two rows at most: enough to tell a unique email from one several (SSO) users share.
_FIND_BY_EMAIL = _USER_COLUMNS + "and lower(email) = lower(%s) limit 2"


@dataclass(frozen=True)
class AuthUser:
    """The columns of an `auth.users` row that go into its access token."""

    id: str
    email: str | None
    phone: str | None
    app_metadata: dict[str, Any]
    user_metadata: dict[str, Any]
    is_anonymous: bool


@dataclass(frozen=True)
class UserToken:
    """A signed access token and what it says."""

    access_token: str
    claims: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The token as a supabase-js session names its fields, plus the user."""
        return {
            "access_token": self.access_token,
            "token_type": "bearer",
            "expires_in": self.claims["exp"] - self.claims["iat"],
            "expires_at": self.claims["exp"],
            "user": {"id": self.claims["sub"], "email": self.claims["email"]},
        }


def parse_ttl(text: str) -> int:
    """Seconds of a lifetime written `90`, `45s`, `30m`, `1h` or `7d`."""
    match = _TTL.fullmatch(text.strip().lower())
    seconds = int(match[1]) * _TTL_UNITS[match[2] or "s"] if match else 0
    if seconds <= 0:
        raise ConfigError(
            f"invalid --ttl {text!r}", hint="a positive duration such as 3600, 30m, 1h or 7d"
        )
    return seconds


def access_token_claims(
    user: AuthUser, *, issuer: str, issued_at: int, ttl: int, session_id: str
) -> dict[str, Any]:
    """The claims Supabase Auth puts in a signed-in user's access token."""
    return {
        "iss": issuer,
        "sub": user.id,
        "aud": AUDIENCE,
        "exp": issued_at + ttl,
        "iat": issued_at,
        "role": "authenticated",
        "aal": "aal1",
        "session_id": session_id,
        "email": user.email or "",
        "phone": user.phone or "",
        "app_metadata": user.app_metadata,
        "user_metadata": user.user_metadata,
        "is_anonymous": user.is_anonymous,
    }


def find_auth_user(conn: psycopg.Connection[Any], email_or_id: str) -> AuthUser:
    """The `auth.users` row with this id, or else this email (case-insensitive)."""
    try:
        rows = conn.execute(_FIND_BY_ID, [str(uuid.UUID(email_or_id))]).fetchall()
    except ValueError:
        rows = conn.execute(_FIND_BY_EMAIL, [email_or_id]).fetchall()
    if not rows:
        raise ConfigError(
            f"no user {email_or_id!r} in auth.users",
            hint="`maxpulse db reset` loads the seed's users; README lists them",
        )
    if len(rows) > 1:
        raise ConfigError(f"several users have the email {email_or_id!r}", hint="pass the id")
    return AuthUser(*rows[0])


def run(
    project: Project,
    settings: Settings,
    target: DbTarget,
    email_or_id: str,
    *,
    ttl: str = DEFAULT_TTL,
    allow_remote: bool = False,
) -> UserToken:
    """Look the user up in `target` and sign their access token with the functions' secret."""
    import jwt

    from maxpulse_tools.database import connect

    seconds = parse_ttl(ttl)
    secret, issuer = _signing_secret(project, settings, target, allow_remote)
    with connect(target) as conn:
        user = find_auth_user(conn, email_or_id)
    claims = access_token_claims(
        user,
        issuer=issuer,
        issued_at=int(time.time()),
        ttl=seconds,
        session_id=str(uuid.uuid4()),
    )
    return UserToken(jwt.encode(claims, secret, algorithm="HS256"), claims)


def _signing_secret(
    project: Project, settings: Settings, target: DbTarget, allow_remote: bool
) -> tuple[str, str]:
    """The secret `functions serve` verifies with and the issuer to name, or a refusal."""
    from maxpulse_tools.database import is_loopback
    from maxpulse_tools.local.keys import read_keys

    local = read_keys(project.keys_file) if project.keys_file.is_file() else None
    configured = settings.supabase_jwt_secret
    remote_secret = configured is not None and (
        local is None or configured.get_secret_value() != local.jwt_secret
    )
    if not allow_remote and remote_secret:
        raise ConfigError(
            "refusing to sign with SUPABASE_JWT_SECRET, which is not the local stack's secret:"
            " the token would be this user wherever that secret is trusted",
            hint="unset it, or pass --allow-remote if that is what you want",
        )
    if not allow_remote and not is_loopback(target.url):
        raise ConfigError(
            f"refusing to sign a token for a user of {target.display}, which is not a local"
            " database",
            hint="use the local stack, or pass --allow-remote if that is what you want",
        )
    if configured is not None:
        hosted = settings.supabase_url
        issuer = f"{hosted.rstrip('/')}/auth/v1" if hosted and remote_secret else None
        return configured.get_secret_value(), issuer or _local_issuer(project)
    if local is None:
        raise LocalStackError(
            "the local stack has no JWT secret yet", hint="start it once with `maxpulse start`"
        )
    return local.jwt_secret, _local_issuer(project)


def _local_issuer(project: Project) -> str:
    from maxpulse_tools.defaults import local_api_url
    from maxpulse_tools.local.state import read_stack_state

    return local_api_url(read_stack_state(project).functions_port) + "/auth/v1"
