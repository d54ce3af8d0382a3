"""Helpers for tests (this suite, the client's e2e tests and the benchmarks):
run a real server on 127.0.0.1 in this process and set up its people.

    server = run_server(tmp_path)              # uvicorn in a thread, free port
    base_url, stop = server                    # also unpacks as a pair
    team = server.add_team("Field")
    server.add_user("mgr@x.test", "Mia Manager", "manager", "pw-secret-1")
    server.set_manager("Field", "mgr@x.test")
    server.add_user("tech@x.test", "Tom Tech", "technician", "pw-secret-2", team="Field")
    cust = server.add_customer("ACME")
    ...
    stop()

``database_url`` picks PostgreSQL instead of a SQLite file in ``tmp_path``;
``app_kwargs`` go to :func:`sync.server.app.create_app` (``clock``, ``fault``,
``login_limits``, ``token_ttl``).

``with pg_cluster() as cluster: url = cluster.createdb()`` runs a throwaway
PostgreSQL cluster (root + Debian's ``postgresql`` binaries; ``PgUnavailable``
says why not) on a Unix socket only.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from sync.server import admin
from sync.server.app import create_app
from sync.server.db.database import ServerDatabase


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerHandle:
    base_url: str
    database_url: str
    stop: Callable[[], None]
    db: ServerDatabase = field(repr=False)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.base_url, self.stop))

    def add_team(self, name: str, manager_email: str | None = None) -> str:
        return admin.add_team(self.db, name, manager=manager_email)

    def set_manager(self, team: str, manager_email: str) -> None:
        from desktop.core.timeutil import utcnow
        from sync.server.rows import RowWriter, get_row

        with self.db.write() as conn:
            t = admin._find_team(conn, team)
            m = admin._find_user(conn, manager_email)
            RowWriter(conn, utcnow()).save(
                "team", get_row(conn, "team", t["id"]) or t, {"manager_id": m["id"]}
            )

    def add_user(
        self,
        email: str,
        name: str,
        role: str,
        password: str,
        *,
        team: str | None = None,
        timezone: str = "UTC",
    ) -> str:
        return admin.add_user(
            self.db, email, name=name, role=role, password=password, team=team, timezone=timezone
        )

    def add_customer(self, name: str, **values: Any) -> str:
        row = {
            "name": name,
            "is_internal": False,
            "default_billable": True,
            "round_increment_min": 0,
            "round_minimum_min": 0,
            "active": True,
            **values,
        }
        return admin.add_row(self.db, "customer", row)

    def add_project(self, customer_id: str, name: str, **values: Any) -> str:
        row = {
            "customer_id": customer_id,
            "name": name,
            "default_billable": None,
            "active": True,
            **values,
        }
        return admin.add_row(self.db, "project", row)

    def add_row(self, entity: str, values: dict[str, Any], key: str | None = None) -> str:
        return admin.add_row(self.db, entity, values, key)


def wait_until_serving(proc: subprocess.Popen[Any], port: int, *, timeout_s: float) -> None:
    """Wait until a ``serve`` process on ``port`` answers ``/api/v1/health``;
    AssertionError (and the process killed) when it exits or time is up."""
    deadline = time.monotonic() + timeout_s
    url = f"http://127.0.0.1:{port}/api/v1/health"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:  # refused, reset, timed out (URLError is an OSError)
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError("the server did not start") from None
            time.sleep(0.1)


def run_server(
    tmp_path: Path, *, database_url: str | None = None, **app_kwargs: Any
) -> ServerHandle:
    """Start the API with uvicorn in a daemon thread on a free 127.0.0.1 port."""
    url = database_url or f"sqlite:///{tmp_path / 'server.sqlite3'}"
    app = create_app(url, **app_kwargs)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"punchclock-server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.db.dispose()

    return ServerHandle(f"http://127.0.0.1:{port}", url, stop, app.state.db)


class PgUnavailable(Exception):
    """No throwaway PostgreSQL cluster can run here (the message says why)."""


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


@contextmanager
def pg_cluster(*, fsync: bool = False) -> Iterator[PgCluster]:
    """A throwaway PostgreSQL cluster (root + Debian's postgresql binaries)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise PgUnavailable(
            "PostgreSQL binaries not installed (Debian package postgresql; make sysdeps)"
        )
    bin_dir = Path(found[-1]).parent
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        raise PgUnavailable("a throwaway PostgreSQL cluster needs root (to run initdb as postgres)")
    root = Path(tempfile.mkdtemp(prefix="punchclock-pg-"))
    data, sock = root / "data", root / "sock"
    data.mkdir()
    sock.mkdir()
    for path in (root, data, sock):
        shutil.chown(path, "postgres")
    port = free_port()
    as_pg = ["runuser", "-u", "postgres", "--"]
    options = f"-k {sock} -p {port} -c listen_addresses='' -c fsync={'on' if fsync else 'off'}"
    try:
        subprocess.run(
            [*as_pg, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            [*as_pg, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w",
             "-o", options, "start"],
            check=True, capture_output=True,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        reason = exc.stderr.decode(errors="replace")[:200]
        raise PgUnavailable(f"could not start PostgreSQL: {reason}") from None
    try:
        yield PgCluster(str(sock), port, bin_dir)
    finally:
        subprocess.run(
            [*as_pg, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
