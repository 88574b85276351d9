"""`maxpulse users ...`: the users of `auth.users`, and tokens to act as them locally."""

from __future__ import annotations

from typing import Annotated

import typer

from maxpulse_tools.cli import output
from maxpulse_tools.cli.context import state
from maxpulse_tools.cli.options import DbUrlOption, JsonOption

users_app = typer.Typer(
    help="Users of auth.users, and tokens to act as them.", no_args_is_help=True
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
