"""Helpers shared by the benchmarks: timing statistics, a migrated throw-away cluster, serving apps, wrk runs."""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg

from maxpulse_tools.local.bootstrap import apply_bootstrap
from maxpulse_tools.local.cluster import LocalCluster, PgBinaries, find_free_port
from maxpulse_tools.migrations.files import read_local_migrations
from maxpulse_tools.migrations.push import plan_push, push_migrations
from maxpulse_tools.settings import load_settings

REPO_ROOT = Path(__file__).resolve().parent.parent


def median_seconds(action: Callable[[], object], repeats: int) -> float:
    """Median wall-clock time of `repeats` runs of `action`."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def report(name: str, figure: float, baseline_name: str, baseline: float, unit: str = "s") -> None:
    """One line: our figure, the baseline and their ratio."""
    ratio = figure / baseline if baseline else float("inf")
    print(
        f"{name}: {figure:.4f} {unit} | baseline ({baseline_name}): {baseline:.4f} {unit} "
        f"| ratio {ratio:.2f}x"
    )


def migrate(conn: psycopg.Connection[Any]) -> None:
    """Give a fresh database the Supabase bootstrap and every migration of this repository."""
    apply_bootstrap(conn)
    push_migrations(conn, plan_push(read_local_migrations(REPO_ROOT / "supabase/migrations"), {}))


@contextmanager
def throwaway_cluster(*, durable: bool = False) -> Iterator[LocalCluster]:
    """A running cluster in a temporary directory (binaries: MAXPULSE_PG_BIN or embedded).

    `durable` keeps fsync on, for benchmarks whose figure includes commits.
    """
    binaries = PgBinaries.locate(load_settings(None).maxpulse_pg_bin)
    base = Path(tempfile.mkdtemp(prefix="maxpulse-bench-"))
    cluster = LocalCluster(base / "db", binaries, port=find_free_port(), durable=durable)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def ensure_wrk() -> bool:
    """Whether wrk is on the PATH; installs it with apt-get when missing and we are root."""
    if shutil.which("wrk"):
        return True
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    print("installing wrk with apt-get ...", flush=True)
    for command in (["apt-get", "install", "-y", "wrk"], ["apt-get", "update"]):
        if shutil.which("wrk"):
            break
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    if not shutil.which("wrk"):  # the package lists were stale: try once more after the update
        install = ["apt-get", "install", "-y", "wrk"]
        subprocess.run(install, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return shutil.which("wrk") is not None


@contextmanager
def served(app: list[str], env: dict[str, str], health_path: str) -> Iterator[str]:
    """Run uvicorn with `app` on a free port until the block ends (stopped with SIGTERM)."""
    port = find_free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        *app,
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=REPO_ROOT, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + health_path, timeout=1).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"{' '.join(app)} did not start")
            time.sleep(0.1)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: requests sent, errors (non-2xx/3xx answers and socket errors), rate, latency, length."""

    requests: int
    errors: int
    per_second: float
    p50_ms: float
    p99_ms: float
    seconds: float


def run_wrk(
    url: str,
    connections: int,
    seconds: float,
    *,
    headers: Sequence[str] = (),
    script: str | None = None,
    script_args: Sequence[str] = (),
) -> WrkResult:
    """One wrk run of whole `seconds`, one thread: GETs of `url`, or what the Lua `script` says."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        if script is not None:
            lua.write(script)
            lua.flush()
            command += ["-s", lua.name]
        command.append(url)
        if script_args:
            command += ["--", *script_args]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    sent = _wrk_figure(r"(\d+) requests in ([\d.]+\w+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return WrkResult(
        requests=int(sent.group(1)),
        errors=(int(non_2xx.group(1)) if non_2xx else 0) + socket_errors,
        per_second=float(_wrk_figure(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_milliseconds(_wrk_figure(r"50%\s+([\d.]+\w+)", output).group(1)),
        p99_ms=_milliseconds(_wrk_figure(r"99%\s+([\d.]+\w+)", output).group(1)),
        seconds=_milliseconds(sent.group(2)) / 1000,
    )


def _wrk_figure(pattern: str, output: str) -> re.Match[str]:
    found = re.search(pattern, output)
    if found is None:
        raise RuntimeError(f"unexpected wrk output (no {pattern!r}):\n{output}")
    return found


def _milliseconds(value: str) -> float:
    """A wrk duration (`812.50us`, `3.20ms`, `10.01s`, `1.00m`) in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]
