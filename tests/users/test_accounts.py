"""`maxpulse users create | list`: locally through auth.users and the sign-up trigger, on a
hosted project through the Auth admin API (respx stands in for Supabase's Auth and REST)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import psycopg
import pytest
import respx

from maxpulse_tools.errors import ConfigError
from maxpulse_tools.users.accounts import new_user
from tests.ops.conftest import Invoke

HOSTED_URL = "https://abcdefghijklmnop.supabase.co"
SERVICE_KEY = "service-role-key-for-tests"


def test_create_makes_a_participant_through_the_sign_up_trigger(
    maxpulse: Invoke, ops_db: psycopg.Connection[Any]
) -> None:
    result = maxpulse("users", "create", "--email", "Nora@Example.com", "--json")

    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert (created["email"], created["role"], created["via"]) == (
        "nora@example.com",
        "participant",
        "auth.users",
    )
    assert ops_db.execute(
        "select u.role, p.user_id is not null from public.users as u"
        " join public.user_profiles as p on p.user_id = u.id where u.id = %s",
        (created["id"],),
    ).fetchone() == ("participant", True)


def test_create_places_a_distributor_under_the_upline(
    maxpulse: Invoke, ops_db: psycopg.Connection[Any]
) -> None:
    result = maxpulse(
        "users", "create", "--email", "dora@example.com", "--role", "distributor",
        "--distributor-code", "mp-dora1", "--upline", "MP-BEN02",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "code MP-DORA1, upline MP-BEN02" in result.output
    listed = json.loads(maxpulse("users", "list", "--json").output)
    dora = next(user for user in listed if user["email"] == "dora@example.com")
    assert (dora["role"], dora["distributorCode"], dora["uplineCode"]) == (
        "distributor",
        "MP-DORA1",
        "MP-BEN02",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "ava.distributor@maxpulse.example"], "already exists"),
        (
            ["--email", "x@example.com", "--role", "distributor", "--distributor-code", "MP-AVA01"],
            "the distributor code MP-AVA01 is taken",
        ),
        (
            ["--email", "x@example.com", "--role", "distributor", "--upline", "MP-NOBODY"],
            'no distributor has the code "MP-NOBODY"',
        ),
    ],
)
def test_create_refusals_leave_no_user_behind(
    maxpulse: Invoke, ops_db: psycopg.Connection[Any], args: list[str], message: str
) -> None:
    before = ops_db.execute("select count(*) from auth.users").fetchone()

    result = maxpulse("users", "create", *args)

    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert ops_db.execute("select count(*) from auth.users").fetchone() == before


def test_create_refuses_to_write_auth_users_of_a_remote_database(maxpulse: Invoke) -> None:
    result = maxpulse(
        "users", "create", "--email", "x@example.com",
        db_url="postgresql://postgres:secret@db.example.supabase.co:5432/postgres",
    )  # fmt: skip

    assert result.exit_code == 2
    assert "its Auth service owns auth.users" in result.output
    assert "secret" not in result.output


def test_list_shows_the_seeded_users(maxpulse: Invoke) -> None:
    result = maxpulse("users", "list")

    assert result.exit_code == 0, result.output
    ben = next(line for line in result.output.splitlines() if line.startswith("ben."))
    assert ben.split()[1:5] == ["distributor", "yes", "MP-BEN02", "MP-AVA01"]


@pytest.mark.parametrize(
    ("email", "role", "code", "upline", "message"),
    [
        ("not-an-email", "participant", None, None, "is not an email address"),
        ("a@b.example", "owner", None, None, "--role must be one of"),
        ("a@b.example", "trainer", None, "MP-AVA01", "--upline is for distributors only"),
        ("a@b.example", "distributor", "x!", None, "is not a distributor code"),
    ],
)
def test_new_user_checks_the_options_before_writing(
    email: str, role: str, code: str | None, upline: str | None, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        new_user(email, role, code, upline)


@pytest.fixture
def hosted(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment of a hosted project (no database URL needed for create)."""
    monkeypatch.setenv("SUPABASE_URL", HOSTED_URL)
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", SERVICE_KEY)


def auth_user(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "5b1d7a3e-1111-4222-8333-444455556666",
        "aud": "authenticated",
        "role": "authenticated",
        "email": body["email"],
        "app_metadata": {"provider": "email", "providers": ["email"], **body["app_metadata"]},
        "user_metadata": {},
        "created_at": "2026-11-25T12:00:00Z",
    }


@pytest.mark.usefixtures("hosted")
def test_hosted_create_uses_the_auth_admin_api_with_the_role_in_app_metadata(
    respx_mock: respx.MockRouter, maxpulse: Invoke
) -> None:
    sponsor = respx_mock.get(
        f"{HOSTED_URL}/rest/v1/distributor_profiles", params={"distributor_code": "eq.MP-AVA01"}
    ).respond(200, json=[{"user_id": "a0000000-0000-4000-8000-000000000002"}])
    created = respx_mock.post(f"{HOSTED_URL}/auth/v1/admin/users").mock(
        side_effect=lambda request: httpx.Response(200, json=auth_user(json.loads(request.content)))
    )
    respx_mock.get(
        f"{HOSTED_URL}/rest/v1/distributor_profiles",
        params={"user_id": "eq.5b1d7a3e-1111-4222-8333-444455556666"},
    ).respond(200, json=[{"distributor_code": "MP7F3A2B19C0"}])

    result = maxpulse(
        "users", "create", "--email", "dora@example.com", "--role", "distributor",
        "--upline", "mp-ava01", db_url=None,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "Created distributor dora@example.com (5b1d7a3e-1111-4222-8333-444455556666,"
        " code MP7F3A2B19C0, upline MP-AVA01) via the Auth admin API."
    )
    assert sponsor.called
    request = created.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {SERVICE_KEY}"
    assert json.loads(request.content) == {
        "email": "dora@example.com",
        "email_confirm": True,
        "app_metadata": {"role": "distributor", "upline_code": "MP-AVA01"},
    }


@pytest.mark.usefixtures("hosted")
def test_hosted_create_of_an_existing_email_is_one_line(
    respx_mock: respx.MockRouter, maxpulse: Invoke
) -> None:
    respx_mock.post(f"{HOSTED_URL}/auth/v1/admin/users").respond(
        422,
        json={
            "code": 422,
            "error_code": "email_exists",
            "msg": "A user with this email address has already been registered",
        },
    )

    result = maxpulse("users", "create", "--email", "ava@example.com", db_url=None)

    assert result.exit_code == 2
    assert result.output.strip() == "error: a user with the email ava@example.com already exists"
