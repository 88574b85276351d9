"""The access log without secrets: query parameters that carry keys or tokens are redacted.

supabase-js sends keys in headers, but a key can still arrive in a URL
(`?apikey=...`, `?access_token=...`, pasted by hand or sent by a script), and
uvicorn's access log writes each request's path with its query string. The
filter here replaces the values of such parameters before the line is written:

    GET /functions/v1/link-tracker/health?apikey=[redacted]&x=1
"""

from __future__ import annotations

import copy
import logging
from typing import Any
from urllib.parse import unquote_plus

# Query parameter names (compared in lower case, after percent-decoding) whose
# values are secrets.
SECRET_PARAMETERS = frozenset(
    {
        "apikey",
        "api_key",
        "key",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "jwt",
        "secret",
        "client_secret",
        "password",
    }
)
REDACTED = "[redacted]"
ACCESS_LOGGER = "uvicorn.access"
# uvicorn logs each request as '%s - "%s %s HTTP/%s" %d' with these arguments:
# client address, method, path with query string, HTTP version, status.
_PATH_ARGUMENT = 2


def redact_query(path: str) -> str:
    """`path` with the values of secret-bearing query parameters replaced by [redacted]."""
    base, separator, query = path.partition("?")
    if not separator:
        return path
    return f"{base}?{'&'.join(_redact_pair(pair) for pair in query.split('&'))}"


def _redact_pair(pair: str) -> str:
    name, equals, _value = pair.partition("=")
    if equals and unquote_plus(name).strip().lower() in SECRET_PARAMETERS:
        return f"{name}={REDACTED}"
    return pair


class RedactSecrets(logging.Filter):
    """Redacts secret query parameters in uvicorn's access log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > _PATH_ARGUMENT:
            path = args[_PATH_ARGUMENT]
            if isinstance(path, str) and "?" in path:
                record.args = (
                    *args[:_PATH_ARGUMENT],
                    redact_query(path),
                    *args[_PATH_ARGUMENT + 1 :],
                )
        return True


def logging_config() -> dict[str, Any]:
    """uvicorn's logging configuration with `RedactSecrets` on the access log (every worker)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": RedactSecrets}
    config["loggers"][ACCESS_LOGGER].setdefault("filters", []).append("redact_secrets")
    return config
