"""The sign-up trigger: a new auth.users row becomes public.users and its profiles."""

from __future__ import annotations

import json
import uuid
from typing import Any

import psycopg
import pytest

from tests.support.postgrest import request_as, signed_in


def sign_up(
    db: psycopg.Connection[Any],
    email: str | None,
    *,
    app_meta: dict[str, Any] | None = None,
    user_meta: dict[str, Any] | None = None,
) -> uuid.UUID:
    """Insert an auth.users row as the auth service does on sign-up."""
    user_id = uuid.uuid4()
    db.execute(
        "insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data,"
        " created_at, updated_at) values (%s, 'authenticated', 'authenticated', %s, %s, %s, now(), now())",
        (
            user_id,
            email,
            json.dumps({"provider": "email", "providers": ["email"], **(app_meta or {})}),
            json.dumps(user_meta or {}),
        ),
    )
    return user_id


def test_sign_up_creates_a_participant_with_a_profile(db: psycopg.Connection[Any]) -> None:
    user_id = sign_up(
        db, "New.Person@Example.com", user_meta={"first_name": "New", "last_name": "Person"}
    )

    user = db.execute(
        "select email, role, is_active, created_at is not null from public.users where id = %s",
        (user_id,),
    ).fetchone()
    profile = db.execute(
        "select first_name, last_name, preferences from public.user_profiles where user_id = %s",
        (user_id,),
    ).fetchone()
    assert user == ("new.person@example.com", "participant", True, True)
    assert profile == ("New", "Person", {})
    assert db.execute(
        "select count(*) from public.distributor_profiles where user_id = %s", (user_id,)
    ).fetchone() == (0,)


def test_role_comes_from_app_metadata(db: psycopg.Connection[Any]) -> None:
    user_id = sign_up(db, "trainer2@example.com", app_meta={"role": "trainer"})

    assert db.execute("select role from public.users where id = %s", (user_id,)).fetchone() == (
        "trainer",
    )


def test_role_in_user_metadata_is_ignored(db: psycopg.Connection[Any]) -> None:
    """raw_user_meta_data is whatever the user typed at sign-up: never a source of privilege."""
    user_id = sign_up(db, "sneaky@example.com", user_meta={"role": "admin"})

    assert db.execute("select role from public.users where id = %s", (user_id,)).fetchone() == (
        "participant",
    )


def test_distributor_gets_a_profile_with_the_given_code(db: psycopg.Connection[Any]) -> None:
    user_id = sign_up(
        db, "dora@example.com", app_meta={"role": "distributor", "distributor_code": "mp-dora7"}
    )

    profile = db.execute(
        "select distributor_code, commission_rate, tier_level, status, total_sales"
        " from public.distributor_profiles where user_id = %s",
        (user_id,),
    ).fetchone()
    assert profile == ("MP-DORA7", 25, 1, "active", 0)


def test_distributor_without_a_code_gets_a_generated_one(db: psycopg.Connection[Any]) -> None:
    user_id = sign_up(db, "dan@example.com", app_meta={"role": "distributor"})

    row = db.execute(
        "select distributor_code from public.distributor_profiles where user_id = %s", (user_id,)
    ).fetchone()
    assert row is not None
    assert row[0].startswith("MP") and len(row[0]) == 12


def test_promoting_a_user_to_distributor_creates_their_profile(db: psycopg.Connection[Any]) -> None:
    user_id = sign_up(db, "promoted@example.com")

    db.execute("update public.users set role = 'distributor' where id = %s", (user_id,))

    assert db.execute(
        "select count(*) from public.distributor_profiles where user_id = %s", (user_id,)
    ).fetchone() == (1,)


def test_unknown_role_in_app_metadata_refuses_the_sign_up(db: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.CheckViolation, match="unknown role"):
        sign_up(db, "typo@example.com", app_meta={"role": "superuser"})


def test_user_without_email_is_allowed(db: psycopg.Connection[Any]) -> None:
    """Phone and anonymous sign-ins have no email."""
    user_id = sign_up(db, None)

    assert db.execute("select email from public.users where id = %s", (user_id,)).fetchone() == (
        None,
    )


def test_email_change_and_sign_in_are_copied(db: psycopg.Connection[Any]) -> None:
    user_id = sign_up(db, "before@example.com")

    db.execute(
        "update auth.users set email = 'After@Example.com', last_sign_in_at = '2026-11-01 10:00+00'"
        " where id = %s",
        (user_id,),
    )

    row = db.execute(
        "select email, last_login = '2026-11-01 10:00+00' from public.users where id = %s",
        (user_id,),
    ).fetchone()
    assert row == ("after@example.com", True)


def test_deleting_the_auth_user_removes_their_data(db: psycopg.Connection[Any]) -> None:
    user_id = sign_up(db, "leaving@example.com", app_meta={"role": "distributor"})

    db.execute("delete from auth.users where id = %s", (user_id,))

    remaining = db.execute(
        "select (select count(*) from public.users where id = %(id)s),"
        " (select count(*) from public.user_profiles where user_id = %(id)s),"
        " (select count(*) from public.distributor_profiles where user_id = %(id)s)",
        {"id": user_id},
    ).fetchone()
    assert remaining == (0, 0, 0)


def test_new_user_sees_their_own_row_through_the_api(db: psycopg.Connection[Any]) -> None:
    user_id = sign_up(db, "fresh@example.com")

    with request_as(db, signed_in(user_id)) as cursor:
        rows = cursor.execute("select id, role from public.users").fetchall()

    assert rows == [(user_id, "participant")]


def test_a_distributor_signs_up_under_the_upline_named_by_code(
    db: psycopg.Connection[Any],
) -> None:
    user_id = sign_up(
        db,
        "dora@example.com",
        app_meta={"role": "distributor", "distributor_code": "mp-dora1", "upline_code": "mp-ben02"},
    )

    profile = db.execute(
        "select d.distributor_code, u.distributor_code from public.distributor_profiles as d"
        " join public.distributor_profiles as u on u.user_id = d.upline_id where d.user_id = %s",
        (user_id,),
    ).fetchone()
    assert profile == ("MP-DORA1", "MP-BEN02")


@pytest.mark.parametrize(
    ("app_meta", "message"),
    [
        (
            {"role": "distributor", "upline_code": "MP-NOBODY"},
            'no distributor has the code "MP-NOBODY"',
        ),
        ({"role": "participant", "upline_code": "MP-AVA01"}, "only a distributor has an upline"),
    ],
)
def test_a_sign_up_with_an_impossible_upline_is_refused(
    db: psycopg.Connection[Any], app_meta: dict[str, Any], message: str
) -> None:
    with pytest.raises(psycopg.errors.IntegrityError, match=message):
        sign_up(db, "nobody@example.com", app_meta=app_meta)
