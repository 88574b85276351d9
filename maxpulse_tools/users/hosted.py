"""Creating users on a hosted project: the Auth admin API through supabase-py (service role key)."""

from __future__ import annotations

from typing import Any

from maxpulse_tools.errors import ConfigError
from maxpulse_tools.users.accounts import NewUser


def create_hosted_user(supabase_url: str, service_role_key: str, user: NewUser) -> dict[str, Any]:
    """Create the user with the Auth admin API; returns id, email, role and distributor code."""
    from supabase import create_client
    from supabase_auth.errors import AuthApiError

    client = create_client(supabase_url, service_role_key)
    if user.upline_code:
        _require_distributor(client, user.upline_code)
    try:
        response = client.auth.admin.create_user(
            {"email": user.email, "email_confirm": True, "app_metadata": user.app_metadata()}
        )
    except AuthApiError as exc:
        if exc.code == "email_exists":
            raise ConfigError(f"a user with the email {user.email} already exists") from None
        raise ConfigError(
            f"the Auth service refused to create {user.email}: {exc.message}"
        ) from None
    created = response.user
    code = _distributor_code(client, created.id) if user.role == "distributor" else None
    return {"id": created.id, "email": created.email, "role": user.role, "distributor_code": code}


def _require_distributor(client: Any, code: str) -> None:
    """A friendly refusal for an unknown upline (the sign-up trigger refuses it anyway)."""
    rows = (
        client.table("distributor_profiles")
        .select("user_id")
        .eq("distributor_code", code)
        .execute()
        .data
    )
    if not rows:
        raise ConfigError(f"no distributor has the code {code!r} (--upline)")


def _distributor_code(client: Any, user_id: str) -> str | None:
    rows = (
        client.table("distributor_profiles")
        .select("distributor_code")
        .eq("user_id", user_id)
        .execute()
        .data
    )
    return str(rows[0]["distributor_code"]) if rows else None
