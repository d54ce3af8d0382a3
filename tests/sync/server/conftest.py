"""Fixtures of the server suite: a database URL per backend (SQLite file, and a
throwaway PostgreSQL cluster when root with Debian's binaries), an in-process
app with TestClient, and people to act as."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from server_world import World, make_world


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgCluster:
    socket_dir: str
    port: int
    bin_dir: Path

    def url(self, db: str) -> str:
        return f"postgresql+psycopg://postgres@/{db}?host={self.socket_dir}&port={self.port}"

    def createdb(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(self.bin_dir / "createdb"),
             "-h", self.socket_dir, "-p", str(self.port), name],
            check=True, capture_output=True,
        )  # fmt: skip
        return self.url(name)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A throwaway PostgreSQL cluster (root + Debian's postgresql binaries), else skip."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL binaries not installed (Debian package postgresql; make sysdeps)")
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("a throwaway PostgreSQL cluster needs root (to run initdb as postgres)")
    root = Path(tempfile.mkdtemp(prefix="punchclock-pg-"))
    data, sock = root / "data", root / "sock"
    data.mkdir()
    sock.mkdir()
    shutil.chown(root, "postgres")
    shutil.chown(data, "postgres")
    shutil.chown(sock, "postgres")
    port = _free_port()
    as_pg = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run(
            [*as_pg, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            [*as_pg, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w",
             "-o", f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off", "start"],
            check=True, capture_output=True,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"could not start PostgreSQL: {exc.stderr.decode(errors='replace')[:200]}")
    try:
        yield PgCluster(str(sock), port, bin_dir)
    finally:
        subprocess.run(
            [*as_pg, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite3'}"
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.createdb()


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    w = make_world(database_url)
    try:
        yield w
    finally:
        w.client.close()
        w.db.dispose()
