"""`maxpulse users create | list`: accounts made the way sign-up makes them.

Locally an `auth.users` row is inserted, as the Auth service would, and the
sign-up trigger creates `users`, `user_profiles` and, for distributors,
`distributor_profiles` (code and upline from `raw_app_meta_data`). On a hosted
project the Auth admin API creates the user (service role key), with the role
in `app_metadata`, and the same trigger runs inside the Auth service's insert.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from maxpulse_tools.errors import ConfigError

ROLES = ("participant", "distributor", "trainer", "admin")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DISTRIBUTOR_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,31}$")

INSERT_AUTH_USER = """
insert into auth.users (
  id, instance_id, aud, role, email, raw_app_meta_data, raw_user_meta_data,
  email_confirmed_at, created_at, updated_at
) values (
  gen_random_uuid(), '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
  %s, %s::jsonb, '{}'::jsonb, now(), now(), now()
)
returning id
"""

LIST_USERS = """
select u.id, u.email, u.role, u.is_active, u.created_at, u.last_login,
       d.distributor_code, upline.distributor_code
from public.users as u
left join public.distributor_profiles as d on d.user_id = u.id
left join public.distributor_profiles as upline on upline.user_id = d.upline_id
{where}
order by u.created_at, u.email
"""


@dataclass(frozen=True)
class NewUser:
    """A validated request for an account."""

    email: str
    role: str
    distributor_code: str | None = None
    upline_code: str | None = None

    def app_metadata(self) -> dict[str, str]:
        """What the sign-up trigger reads: role, and a distributor's code and upline."""
        metadata = {"role": self.role}
        if self.distributor_code:
            metadata["distributor_code"] = self.distributor_code
        if self.upline_code:
            metadata["upline_code"] = self.upline_code
        return metadata


@dataclass(frozen=True)
class Account:
    """A user as `users list` shows them."""

    id: UUID
    email: str
    role: str
    is_active: bool
    created_at: datetime
    last_login: datetime | None
    distributor_code: str | None
    upline_code: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "email": self.email,
            "role": self.role,
            "isActive": self.is_active,
            "createdAt": self.created_at.isoformat(),
            "lastLogin": self.last_login.isoformat() if self.last_login else None,
            "distributorCode": self.distributor_code,
            "uplineCode": self.upline_code,
        }


def new_user(
    email: str, role: str, distributor_code: str | None = None, upline_code: str | None = None
) -> NewUser:
    """Check the options of `users create` before anything is written."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ConfigError(f"--email {email!r} is not an email address")
    if role not in ROLES:
        raise ConfigError(f"--role must be one of {', '.join(ROLES)}, not {role!r}")
    codes = {"--distributor-code": distributor_code, "--upline": upline_code}
    for option, code in codes.items():
        if code is not None and role != "distributor":
            raise ConfigError(f"{option} is for distributors only (--role distributor)")
        if code is not None and not _DISTRIBUTOR_CODE.match(code.upper()):
            raise ConfigError(
                f"{option} {code!r} is not a distributor code",
                hint="4 to 32 of A-Z, 0-9 and -, e.g. MP-AVA01",
            )
    return NewUser(
        email,
        role,
        distributor_code.upper() if distributor_code else None,
        upline_code.upper() if upline_code else None,
    )


def create_local_user(conn: Any, user: NewUser) -> Account:
    """Insert the auth.users row in one transaction; the sign-up trigger does the rest."""
    import psycopg

    try:
        with conn.transaction():
            row = conn.execute(
                INSERT_AUTH_USER, (user.email, json.dumps(user.app_metadata()))
            ).fetchone()
            return find_account(conn, row[0])
    except psycopg.errors.UniqueViolation as exc:
        raise _refused(user, exc) from None
    except (psycopg.errors.ForeignKeyViolation, psycopg.errors.CheckViolation) as exc:
        raise ConfigError(f"cannot create {user.email}: {exc.diag.message_primary}") from None


def list_accounts(conn: Any) -> list[Account]:
    """Every user with role, state and, for distributors, code and upline."""
    return [Account(*row) for row in conn.execute(LIST_USERS.format(where="")).fetchall()]


def find_account(conn: Any, user_id: UUID) -> Account:
    """One user, by id."""
    row = conn.execute(LIST_USERS.format(where="where u.id = %s"), (user_id,)).fetchone()
    return Account(*row)


def _refused(user: NewUser, exc: Any) -> ConfigError:
    constraint = getattr(exc.diag, "constraint_name", "") or ""
    if "code" in constraint:
        return ConfigError(f"the distributor code {user.distributor_code} is taken")
    return ConfigError(f"a user with the email {user.email} already exists")
