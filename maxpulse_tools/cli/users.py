"""`maxpulse users ...`: accounts of the platform (create, list), and tokens to act as them locally."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import state
from maxpulse_tools.cli.options import DbUrlOption, JsonOption

if TYPE_CHECKING:
    from maxpulse_tools.cli.context import CliState
    from maxpulse_tools.users.accounts import NewUser

users_app = typer.Typer(
    help="Platform users: create and list accounts, tokens to act as them.", no_args_is_help=True
)


@users_app.command("create")
def create(
    ctx: typer.Context,
    email: Annotated[str, typer.Option("--email", help="The user's email address.")],
    role: Annotated[
        str, typer.Option("--role", help="participant, distributor, trainer or admin.")
    ] = "participant",
    distributor_code: Annotated[
        str | None,
        typer.Option("--distributor-code", help="A distributor's code (default: generated)."),
    ] = None,
    upline: Annotated[
        str | None,
        typer.Option("--upline", help="The distributor code of a distributor's sponsor."),
    ] = None,
    db_url: DbUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an account: on a hosted project through the Auth admin API, locally in auth.users."""
    from maxpulse_tools.users.accounts import new_user

    cli = state(ctx)
    user = new_user(email, role, distributor_code, upline)
    if db_url is None and cli.settings.supabase_url:
        created = _create_hosted(cli, user)
        via = "the Auth admin API"
    else:
        created = _create_in_database(cli, user, db_url)
        via = "auth.users"
    if as_json:
        output.emit_json({**created, "via": via})
        return
    code = f", code {created['distributor_code']}" if created["distributor_code"] else ""
    sponsor = f", upline {user.upline_code}" if user.upline_code else ""
    output.result(
        f"Created {created['role']} {created['email']} ({created['id']}{code}{sponsor}) via {via}."
    )


@users_app.command("list")
def list_users(ctx: typer.Context, db_url: DbUrlOption = None, as_json: JsonOption = False) -> None:
    """Show every user: role, state and, for distributors, code and upline."""
    from maxpulse_tools.database import connect
    from maxpulse_tools.users.accounts import list_accounts

    with connect(state(ctx).target(db_url)) as conn:
        accounts = list_accounts(conn)
    if as_json:
        output.emit_json([account.to_json() for account in accounts])
        return
    output.table(
        ["EMAIL", "ROLE", "ACTIVE", "CODE", "UPLINE", "ID"],
        [
            [
                account.email,
                account.role,
                "yes" if account.is_active else "no",
                account.distributor_code or "",
                account.upline_code or "",
                str(account.id),
            ]
            for account in accounts
        ],
    )


@users_app.command("token")
def token(
    ctx: typer.Context,
    user: Annotated[
        str, typer.Argument(metavar="EMAIL|ID", help="The user's email or id in auth.users.")
    ],
    ttl: Annotated[
        str, typer.Option(help="Lifetime: seconds, or a number with s, m, h or d.")
    ] = "1h",
    db_url: DbUrlOption = None,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Sign even with a secret (SUPABASE_JWT_SECRET) or for a database that is not"
            " the local stack's.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Print an access token for a user (role authenticated), signed with the local secret.

    For `supabase.functions.setAuth(token)`, supabase-js's `accessToken` option or
    `curl -H "Authorization: Bearer $TOKEN"` against the local functions.
    """
    from maxpulse_tools.users.tokens import run

    cli = state(ctx)
    signed = run(
        cli.project, cli.settings, cli.target(db_url), user, ttl=ttl, allow_remote=allow_remote
    )
    if as_json:
        output.emit_json(signed.to_json())
        return
    claims = signed.claims
    output.progress(f"Token for {claims['email'] or claims['sub']} ({claims['sub']}), valid {ttl}.")
    output.result(signed.access_token)


def _create_hosted(cli: CliState, user: NewUser) -> dict[str, object]:
    from maxpulse_tools.errors import ConfigError
    from maxpulse_tools.users.hosted import create_hosted_user

    settings = cli.settings
    if settings.supabase_service_role_key is None or settings.supabase_url is None:
        raise ConfigError(
            "creating a user on a hosted project needs SUPABASE_SERVICE_ROLE_KEY",
            hint="the Auth admin API accepts only the service role key",
        )
    return create_hosted_user(
        settings.supabase_url, settings.supabase_service_role_key.get_secret_value(), user
    )


def _create_in_database(cli: CliState, user: NewUser, db_url: str | None) -> dict[str, object]:
    from maxpulse_tools.database import connect, is_loopback
    from maxpulse_tools.errors import ConfigError
    from maxpulse_tools.users.accounts import create_local_user

    target = cli.target(db_url)
    if not (target.is_local_stack or is_loopback(target.url)):
        raise ConfigError(
            f"{target.display} is not on this machine: its Auth service owns auth.users",
            hint="set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY to use the Auth admin API",
        )
    with connect(target, autocommit=False) as conn:
        account = create_local_user(conn, user)
    return {
        "id": str(account.id),
        "email": account.email,
        "role": account.role,
        "distributor_code": account.distributor_code,
    }
