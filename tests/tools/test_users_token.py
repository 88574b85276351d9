"""`maxpulse users token`: a user's access token that the functions accept and RLS reads."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from typer.testing import CliRunner, Result

from functions._shared.auth import Claims, TokenVerifier
from functions._shared.database import Database
from maxpulse_tools.cli import app
from maxpulse_tools.errors import ConfigError
from maxpulse_tools.local.keys import LocalKeys, load_or_create_keys
from maxpulse_tools.project import Project
from maxpulse_tools.users.tokens import AuthUser, access_token_claims, parse_ttl
from tests.tools.conftest import StartedStack

PAULA = "a0000000-0000-4000-8000-000000000005"  # the seed's participant referred by Ava
PAULA_EMAIL = "paula.participant@maxpulse.example"
HOSTED_SECRET = "a-hosted-projects-secret-of-32-bytes-or-more"
NOTHING_HOSTED: dict[str, str | None] = {
    "SUPABASE_DB_URL": None,
    "SUPABASE_URL": None,
    "SUPABASE_JWT_SECRET": None,
}


@pytest.fixture
def keys(project: Project) -> LocalKeys:
    """The scratch project's local keys, as a first `maxpulse start` makes them."""
    return load_or_create_keys(project.keys_file)


def users_token(
    runner: CliRunner, project: Project, *args: str, env: dict[str, str | None] | None = None
) -> Result:
    return runner.invoke(
        app,
        ["--workdir", str(project.root), "users", "token", *args],
        env=NOTHING_HOSTED | (env or {}),
    )


@pytest.mark.parametrize(
    ("written", "seconds"),
    [("90", 90), ("45s", 45), ("30m", 1800), ("1h", 3600), ("7d", 604800), (" 2H ", 7200)],
)
def test_ttl_is_read_in_seconds_minutes_hours_or_days(written: str, seconds: int) -> None:
    assert parse_ttl(written) == seconds


@pytest.mark.parametrize("written", ["0", "-5m", "1w", "h", "1.5h", ""])
def test_ttl_that_is_no_positive_duration_is_refused(written: str) -> None:
    with pytest.raises(ConfigError, match="invalid --ttl"):
        parse_ttl(written)


def test_claims_are_those_of_a_supabase_auth_access_token() -> None:
    user = AuthUser(PAULA, PAULA_EMAIL, None, {"provider": "email"}, {"first_name": "P"}, False)

    claims = access_token_claims(
        user, issuer="http://127.0.0.1:54321/auth/v1", issued_at=1000, ttl=3600, session_id="s-1"
    )

    assert claims == {
        "iss": "http://127.0.0.1:54321/auth/v1",
        "sub": PAULA,
        "aud": "authenticated",
        "exp": 4600,
        "iat": 1000,
        "role": "authenticated",
        "aal": "aal1",
        "session_id": "s-1",
        "email": PAULA_EMAIL,
        "phone": "",
        "app_metadata": {"provider": "email"},
        "user_metadata": {"first_name": "P"},
        "is_anonymous": False,
    }


async def test_token_passes_verification_and_rls_sees_the_user(
    cli_runner: CliRunner, project: Project, keys: LocalKeys, seeded_db_url: str
) -> None:
    result = users_token(cli_runner, project, PAULA_EMAIL, "--db-url", seeded_db_url)

    assert result.exit_code == 0, result.output
    claims = await TokenVerifier(keys.jwt_secret, None).verify(result.stdout.strip())
    seen = await _as_caller(seeded_db_url, claims, "select auth.uid()::text, auth.email()")
    visible_users = await _as_caller(seeded_db_url, claims, "select id::text from public.users")
    assert claims.role == "authenticated" and claims.user_id == PAULA
    assert claims.payload["app_metadata"]["role"] == "participant"
    assert seen == [(PAULA, PAULA_EMAIL)]
    assert visible_users == [(PAULA,)]
    assert f"Token for {PAULA_EMAIL} ({PAULA})" in result.stderr


async def _as_caller(url: str, claims: Claims, query: str) -> list[tuple[Any, ...]]:
    """Rows of `query` run as the functions run a caller's queries (role + JWT claims)."""
    database = Database(url, min_size=1, max_size=1)
    await database.open()
    try:
        async with database.as_user(claims) as conn:
            return await (await conn.execute(query)).fetchall()
    finally:
        await database.close()


def test_json_gives_the_token_as_a_session_names_it(
    cli_runner: CliRunner, project: Project, keys: LocalKeys, seeded_db_url: str
) -> None:
    result = users_token(
        cli_runner, project, PAULA, "--ttl", "30m", "--json", "--db-url", seeded_db_url
    )

    session = json.loads(result.stdout)
    claims = jwt.decode(
        session["access_token"], keys.jwt_secret, algorithms=["HS256"], audience="authenticated"
    )
    assert session["token_type"] == "bearer"
    assert session["expires_in"] == 1800
    assert abs(session["expires_at"] - (time.time() + 1800)) < 60
    assert session["user"] == {"id": PAULA, "email": PAULA_EMAIL}
    assert claims["exp"] == session["expires_at"]


@pytest.mark.parametrize(
    ("who", "env", "db_url", "fragment"),
    [
        ("nobody@maxpulse.example", {}, None, "no user 'nobody@maxpulse.example' in auth.users"),
        (
            PAULA,
            {"SUPABASE_JWT_SECRET": HOSTED_SECRET},
            None,
            "refusing to sign with SUPABASE_JWT_SECRET",
        ),
        (
            PAULA,
            {},
            "postgresql://postgres:pw@db.abcd.supabase.co:5432/postgres",
            "refusing to sign a token for a user of postgresql://postgres:****@db.abcd",
        ),
    ],
    ids=["unknown user", "hosted secret", "hosted database"],
)
def test_refusals_are_one_line(
    cli_runner: CliRunner,
    project: Project,
    keys: LocalKeys,
    seeded_db_url: str,
    who: str,
    env: dict[str, str | None],
    db_url: str | None,
    fragment: str,
) -> None:
    result = users_token(cli_runner, project, who, "--db-url", db_url or seeded_db_url, env=env)

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert fragment in result.stderr
    assert "pw@" not in result.stderr and HOSTED_SECRET not in result.stderr
    assert result.stdout == ""


def test_allow_remote_signs_with_the_configured_secret_and_names_the_hosted_issuer(
    cli_runner: CliRunner, project: Project, keys: LocalKeys, seeded_db_url: str
) -> None:
    hosted = {
        "SUPABASE_JWT_SECRET": HOSTED_SECRET,
        "SUPABASE_URL": "https://abcd.supabase.co",
    }

    result = users_token(
        cli_runner, project, PAULA, "--allow-remote", "--db-url", seeded_db_url, env=hosted
    )

    claims = jwt.decode(
        result.stdout.strip(),
        HOSTED_SECRET,
        algorithms=["HS256"],
        audience="authenticated",
    )
    assert claims["iss"] == "https://abcd.supabase.co/auth/v1"
    assert claims["sub"] == PAULA


def test_functions_of_a_started_stack_accept_the_token(
    cli_runner: CliRunner, running_stack: StartedStack
) -> None:
    from supabase import create_client
    from supabase_functions.errors import FunctionsHttpError

    token = users_token(cli_runner, running_stack.project, PAULA_EMAIL).stdout.strip()
    keys = load_or_create_keys(running_stack.project.keys_file)
    supabase = create_client(f"http://127.0.0.1:{running_stack.functions_port}", keys.anon_key)
    supabase.functions.set_auth(token)
    tampered = create_client(f"http://127.0.0.1:{running_stack.functions_port}", keys.anon_key)
    claims = jwt.decode(token, options={"verify_signature": False})
    tampered.functions.set_auth(jwt.encode(claims, HOSTED_SECRET, algorithm="HS256"))

    with pytest.raises(FunctionsHttpError) as accepted:
        supabase.functions.invoke("ai-analysis", {"body": {}})
    with pytest.raises(FunctionsHttpError) as refused:
        tampered.functions.invoke("ai-analysis", {"body": {}})

    # past verification ai-analysis refuses the empty input (422), not the token (401).
    assert accepted.value.status != 401, accepted.value.message
    assert refused.value.status == 401
    assert refused.value.message == "the token's signature does not verify"
