"""Which database a command talks to, and connecting to it with clear errors.

The target is `--db-url`, else `SUPABASE_DB_URL` (environment or `.env`),
else the local stack of the project. URLs are shown with their password
replaced by `****`, however malformed they are; messages libpq makes from a
URL it cannot parse quote the URL, so they are scrubbed before anyone sees
them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from maxpulse_tools.defaults import is_transaction_pooler_port
from maxpulse_tools.errors import ConfigError, DatabaseUnavailable
from maxpulse_tools.local.cluster import DEFAULT_PORT, local_dsn, running_server

if TYPE_CHECKING:
    import psycopg

    from maxpulse_tools.project import Project
    from maxpulse_tools.settings import Settings

_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", ""}
_URL_HINT = "expected postgresql://USER:PASSWORD@HOST:PORT/DBNAME"
_URL_SCHEMES = ("postgresql://", "postgres://")
# Up to the last "@": a password holding "@" or "/" unencoded must still be hidden.
_URI_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>.*)@", re.DOTALL)
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
# libpq may split a password holding URL delimiters and quote one piece (as a port, say).
_URL_DELIMITERS = re.compile(r"[/@:?#]")
_QUERY_PASSWORD = re.compile(r"(?P<key>[?&]password=)(?P<value>[^&#]*)", re.IGNORECASE)
_KEYWORD_PASSWORD = re.compile(
    r"(?P<key>\bpassword\s*=\s*)(?P<value>'(?:[^'\\]|\\.)*'?|\S*)", re.IGNORECASE
)
# libpq's connection failures, and a server going away; not a statement the server refused.
_SERVER_GONE_SQLSTATES = ("57P01", "57P02", "57P03")


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
    """`url` with any password replaced by ****, whatever shape the URL has."""
    shown = _QUERY_PASSWORD.sub(r"\g<key>****", url)
    match = _URI_USERINFO.search(shown)
    if match:
        user, has_password, _ = match["userinfo"].partition(":")
        if has_password:
            return f"{shown[: match.start()]}{match['scheme']}{user}:****@{shown[match.end() :]}"
        return shown
    if "://" in shown:
        return shown
    return _KEYWORD_PASSWORD.sub(r"\g<key>****", shown)


def secrets_in(url: str) -> set[str]:
    """The password of `url` in every spelling an error message could quote (raw, decoded)."""
    found = {m["value"] for m in _QUERY_PASSWORD.finditer(url)}
    match = _URI_USERINFO.search(url)
    user = ""
    if match:
        user, has_password, password = match["userinfo"].partition(":")
        if has_password:
            found.add(password)
    elif "://" not in url:
        found |= {m["value"].strip("'") for m in _KEYWORD_PASSWORD.finditer(url)}
    found |= {unquote(secret) for secret in found}
    found |= {part for secret in found for part in _URL_DELIMITERS.split(secret) if len(part) > 1}
    # A password equal to the user name is shown with the user name anyway.
    return {secret for secret in found if secret and secret != unquote(user)}


def scrub(text: str, secrets: set[str]) -> str:
    """`text` with each of `secrets` replaced by ****, longest first."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "****")
    return text


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
    except psycopg.ProgrammingError as exc:  # an option value psycopg itself rejects
        reason = scrub(first_line(exc), secrets_in(target.url))
        raise ConfigError(
            f"invalid database URL {target.display!r}: {reason}", hint=_URL_HINT
        ) from None
    except psycopg.OperationalError as exc:
        message = f"cannot connect to {_where(target.url)}: {first_line(exc)}"
        raise DatabaseUnavailable(
            scrub(message, secrets_in(target.url)),
            hint="start it with `maxpulse db start`"
            if target.is_local_stack
            else f"check the URL given by {target.source}",
        ) from None


def is_connection_failure(exc: BaseException) -> bool:
    """True when the connection failed or was lost; False when the server refused a statement."""
    import psycopg

    if isinstance(exc, psycopg.InterfaceError):
        return True  # the connection is already closed
    if not isinstance(exc, psycopg.OperationalError):
        return False
    sqlstate = exc.sqlstate
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _SERVER_GONE_SQLSTATES


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


def _refuse_unencoded_password(url: str) -> None:
    match = _URI_USERINFO.match(url.split("?", 1)[0])  # a query may hold "@" and "/"
    password = match["userinfo"].partition(":")[2] if match else ""
    for char in "/?#@[]":
        if char in password:
            raise ConfigError(
                f"invalid database URL {redact(url)!r}: the password holds {char!r}, "
                "which a URL only takes percent-encoded",
                hint=f"write it as {quote(char, safe='')} in the URL",
            )


def _checked(url: str) -> str:
    """`url` when libpq can parse it as a PostgreSQL URL; errors never quote its password."""
    from psycopg import ProgrammingError

    if not url.startswith(_URL_SCHEMES):
        # Not echoed: something that is no URL may be anything, a password included.
        scheme = match.group() if (match := _URL_SCHEME.match(url)) else None
        problem = (
            f"{scheme} is not a PostgreSQL URL"
            if scheme
            else "it does not start with postgresql://"
        )
        raise ConfigError(f"invalid database URL: {problem}", hint=_URL_HINT)
    _refuse_unencoded_password(url)
    try:
        _params(url)
    except ProgrammingError as exc:
        reason = scrub(first_line(exc).replace(url, redact(url)), secrets_in(url))
        raise ConfigError(
            f"invalid database URL {redact(url)!r}: {reason}", hint=_URL_HINT
        ) from None
    return url
