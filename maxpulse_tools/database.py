"""Which database a command talks to, and connecting to it with clear errors.

The target is `--db-url`, else `SUPABASE_DB_URL` (environment or `.env`),
else the local stack of the project. URLs are shown with their password
replaced by `****`; libpq's own messages never contain it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from maxpulse_tools.defaults import is_transaction_pooler_port
from maxpulse_tools.errors import ConfigError, DatabaseUnavailable
from maxpulse_tools.local.cluster import DEFAULT_PORT, local_dsn, running_server

if TYPE_CHECKING:
    import psycopg

    from maxpulse_tools.project import Project
    from maxpulse_tools.settings import Settings

_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", ""}


@dataclass(frozen=True)
class DbTarget:
    """A database URL and where it came from ("--db-url", "SUPABASE_DB_URL" or "local stack")."""

    url: str
    source: str

    @property
    def is_local_stack(self) -> bool:
        return self.source == "local stack"

    @property
    def display(self) -> str:
        return redact(self.url)


def resolve_target(db_url: str | None, settings: Settings, project: Project) -> DbTarget:
    """Pick the database: the flag, else the environment, else the local stack."""
    if db_url:
        return DbTarget(_checked(db_url), "--db-url")
    if settings.supabase_db_url is not None:
        return DbTarget(_checked(settings.supabase_db_url.get_secret_value()), "SUPABASE_DB_URL")
    return local_target(project)


def local_target(project: Project) -> DbTarget:
    """The local stack's database, on the port its server runs on (default 54322)."""
    running = running_server(project.db_dir)
    return DbTarget(local_dsn(running.port if running else DEFAULT_PORT), "local stack")


def redact(url: str) -> str:
    """`url` with any password replaced by ****."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if parts.password is None:
        return url
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:****@{hostinfo}"))


def is_transaction_pooler(url: str) -> bool:
    """True for Supabase's transaction pooler (port 6543), where prepared statements break."""
    return is_transaction_pooler_port(_params(url).get("port"))


def is_loopback(url: str) -> bool:
    """True when the URL points at this machine."""
    return _params(url).get("host", "") in _LOOPBACK_HOSTS


def connect(target: DbTarget, *, autocommit: bool = True) -> psycopg.Connection[Any]:
    """Open a connection, turning connection failures into one clear error."""
    import psycopg

    options: dict[str, Any] = {"autocommit": autocommit, "application_name": "maxpulse"}
    if "connect_timeout" not in _params(target.url):
        options["connect_timeout"] = 10
    if is_transaction_pooler(target.url):
        options["prepare_threshold"] = None
    try:
        return psycopg.connect(target.url, **options)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(
            f"cannot connect to {_where(target.url)}: {first_line(exc)}",
            hint="start it with `maxpulse db start`"
            if target.is_local_stack
            else f"check the URL given by {target.source}",
        ) from None


def first_line(exc: BaseException) -> str:
    """The informative line of a libpq / server error message."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        # libpq prefixes the real reason with "connection to server at ... failed:"
        if "failed:" in line:
            reason = line.rsplit("failed:", 1)[1].strip()
            if reason:
                return _without_severity(reason)
    return _without_severity(lines[0]) if lines else type(exc).__name__


def _without_severity(line: str) -> str:
    for prefix in ("FATAL:", "ERROR:"):
        if line.startswith(prefix):
            return line.removeprefix(prefix).strip()
    return line


def _where(url: str) -> str:
    params = _params(url)
    return (
        f"{params.get('host', 'localhost')}:{params.get('port', '5432')}/{params.get('dbname', '')}"
    )


def _params(url: str) -> dict[str, str]:
    from psycopg.conninfo import conninfo_to_dict

    return {key: str(value) for key, value in conninfo_to_dict(url).items()}


def _checked(url: str) -> str:
    from psycopg import ProgrammingError

    if "://" not in url:
        raise ConfigError(
            f"invalid database URL {redact(url)!r}",
            hint="expected postgresql://USER:PASSWORD@HOST:PORT/DBNAME",
        )
    try:
        _params(url)
    except ProgrammingError as exc:
        raise ConfigError(
            f"invalid database URL {redact(url)}: {first_line(exc)}",
            hint="expected postgresql://USER:PASSWORD@HOST:PORT/DBNAME",
        ) from None
    return url
