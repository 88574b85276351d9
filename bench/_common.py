"""Helpers shared by the benchmarks: timing statistics and a throw-away cluster."""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from maxpulse_tools.local.cluster import LocalCluster, PgBinaries, find_free_port
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
