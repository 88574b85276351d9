"""Helpers shared by the benchmarks: timing statistics, a migrated throw-away cluster, serving apps, wrk."""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
