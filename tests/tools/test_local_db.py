"""The local cluster: idempotent start, stale pid files, taken ports, clear errors."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from maxpulse_tools.errors import ConfigError, LocalStackError
from maxpulse_tools.local.cluster import LocalCluster, PgBinaries, find_free_port


@pytest.fixture
def scratch_dir() -> Iterator[Path]:
    # Not pytest's tmp_path: when tests run as root the server runs as another
    # account, which must be able to reach the directory.
    path = Path(tempfile.mkdtemp(prefix="maxpulse-localdb-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def cluster(scratch_dir: Path, pg_binaries: PgBinaries) -> Iterator[LocalCluster]:
    cluster = LocalCluster(scratch_dir / "db", pg_binaries, port=find_free_port(), durable=False)
    yield cluster
    cluster.stop()


def test_starting_twice_is_harmless(cluster: LocalCluster) -> None:
    first, was_running_before = cluster.start()
    second, was_running_again = cluster.start()

    assert (was_running_before, was_running_again) == (False, True)
    assert second == first
    with psycopg.connect(cluster.dsn()) as conn:
        assert conn.execute("show listen_addresses").fetchone() == ("127.0.0.1",)


def test_stop_when_stopped_reports_it(cluster: LocalCluster) -> None:
    cluster.start()
    assert cluster.stop() is True
    assert cluster.stop() is False
    assert cluster.running_server() is None


@pytest.mark.parametrize("stale_pid", [4_000_000, os.getpid()], ids=["dead", "not-postgres"])
def test_stale_pid_file_is_replaced_on_start(cluster: LocalCluster, stale_pid: int) -> None:
    cluster.start()
    cluster.stop()
    cluster.pid_file.write_text(f"{stale_pid}\n{cluster.data_dir}\n0\n{cluster.port}\n")

    assert cluster.running_server() is None
    server, was_running = cluster.start()

    assert not was_running
    assert server.pid != stale_pid


def test_taken_port_gets_a_clear_message(cluster: LocalCluster) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", cluster.port))
        squatter.listen()
        with pytest.raises(LocalStackError, match=f"port {cluster.port} .* already in use"):
            cluster.start()


def test_data_of_another_version_is_refused(scratch_dir: Path, pg_binaries: PgBinaries) -> None:
    data = scratch_dir / "old"
    data.mkdir()
    (data / "PG_VERSION").write_text("9\n")
    with pytest.raises(LocalStackError, match="created by PostgreSQL 9"):
        LocalCluster(data, pg_binaries, port=find_free_port()).start()


def test_non_empty_directory_without_cluster_is_refused(
    scratch_dir: Path, pg_binaries: PgBinaries
) -> None:
    data = scratch_dir / "busy"
    data.mkdir()
    (data / "notes.txt").write_text("mine")
    with pytest.raises(LocalStackError, match="not empty"):
        LocalCluster(data, pg_binaries, port=find_free_port()).start()


def test_pg_bin_without_binaries_is_refused(scratch_dir: Path) -> None:
    with pytest.raises(ConfigError, match="not a PostgreSQL bin directory"):
        PgBinaries.locate(scratch_dir)


def test_embedded_binaries_are_found() -> None:
    binaries = PgBinaries.locate(None)
    assert (binaries.bin_dir / "postgres").is_file()
    assert binaries.major_version() >= 15
