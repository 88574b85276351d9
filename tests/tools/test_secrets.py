"""No password in any error, output or --verbose trace, however the database URL is malformed."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from maxpulse_tools.cli import app
from maxpulse_tools.database import redact, secrets_in
from maxpulse_tools.local.cluster import LocalCluster, find_free_port
from maxpulse_tools.project import Project

SECRET = "S3cr3t"
# {free}: a port nothing listens on; {live}: the test cluster, which refuses this password.
URLS = [
    f"postgresql://postgres:{SECRET}%PW@[2001:db8::1]:5432/postgres",
    f"postgresql://postgres:{SECRET}PW@[::1",
    f"mysql://u:{SECRET}PW@h/db",
    f"host=127.0.0.1 user=u password={SECRET}PW dbname=x",
    f"host=127.0.0.1 password='{SECRET} PW' dbname=x",
    f"  postgresql://u:{SECRET}PW@127.0.0.1:{{free}}/db",
    f"{SECRET}PW",
    f"postgresql://u:{SECRET}PW@h:notaport/db",
    f"postgresql://u:{SECRET}PW@127.0.0.1:{{free}}/db?sslmode=bogus",
    f"postgresql://u:{SECRET}PW@127.0.0.1:{{free}}/db?foo=bar",
    f"postgresql://u@127.0.0.1:{{free}}/db?password={SECRET}PW&port=x",
    f"postgresql://u:{SECRET}/PW@127.0.0.1:{{free}}/db",
    f"postgresql://u:{SECRET}@PW@127.0.0.1:{{free}}/db",
    f"postgresql://u:{SECRET}:PW@127.0.0.1:{{free}}/db",
    f"postgresql://u:{SECRET}PW@127.0.0.1:{{free}}/db",
    f"postgres://u:{SECRET}PW@/db?host=/nonexistent-socket-dir",
    f"postgresql://u:{SECRET}%2FPW@127.0.0.1:99999/db",
    f"postgresql://u:{SECRET}PW@127.0.0.1:{{free}}/db?connect_timeout=abc",
    f"postgresql:///db?password={SECRET}PW&host=127.0.0.1&port={{free}}",
    f"postgresql://u:{SECRET}PW@[::1]:{{free}}/db",
    f"postgresql://postgres:{SECRET}PW@127.0.0.1:{{live}}/postgres",
    f"postgresql://u:{SECRET}PW@127.0.0.1:{{free}}/db\n",
]
COMMANDS = [
    ["migration", "list"],
    ["db", "push", "--yes"],
    ["db", "push", "--dry-run", "--json"],
    ["migration", "repair", "20260101000000", "--status", "reverted"],
    ["users", "token", "nobody@example.com"],
]


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
@pytest.mark.parametrize("via", ["--db-url", "SUPABASE_DB_URL"])
@pytest.mark.parametrize("url", URLS)
def test_no_output_shows_the_password(
    cli_runner: CliRunner,
    project: Project,
    pg_cluster: LocalCluster,
    url: str,
    via: str,
    verbose: bool,
) -> None:
    url = url.format(free=find_free_port(), live=pg_cluster.port)
    root = ["--workdir", str(project.root), *(["--verbose"] if verbose else [])]
    for command in COMMANDS:
        target = ["--db-url", url] if via == "--db-url" else []
        result = cli_runner.invoke(
            app, [*root, *command, *target], env={"SUPABASE_DB_URL": url if target == [] else ""}
        )

        shown = result.stdout + result.stderr
        assert result.exit_code != 0, shown
        assert SECRET not in shown, shown
        assert "error: " in result.stderr


@pytest.mark.parametrize("url", URLS)
def test_redacted_urls_and_their_secrets(url: str) -> None:
    assert SECRET not in redact(url) or url == f"{SECRET}PW"
    assert any(SECRET in secret for secret in secrets_in(url)) or url == f"{SECRET}PW"
