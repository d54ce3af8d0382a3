"""`punchclock-server` as a real process: serve on 127.0.0.1 with a free port,
user/team administration, check, and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sync.server.testing import free_port, run_server, wait_until_serving

CLI = [sys.executable, "-m", "sync.server.cli"]


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], input=stdin, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])},
    )  # fmt: skip


def test_serve_as_a_subprocess(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    assert _run("check", "--database", url).returncode == 1
    added = _run("user", "add", "ann@x.test", "--name", "Ann", "--role", "technician",
                 "--password-stdin", "--database", url, stdin="s3cret-pass\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert _run("check", "--database", url).stdout.startswith("ok")
    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--database", url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])},
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(proc, port, timeout_s=20)
        login = {"email": "ann@x.test", "password": "s3cret-pass", "device_name": "d",
                 "device_id": "d"}  # fmt: skip
        r = httpx.post(f"{base}/api/v1/auth/login", json=login)
        assert r.status_code == 200
        me = httpx.get(
            f"{base}/api/v1/me", headers={"Authorization": f"Bearer {r.json()['token']}"}
        )
        assert me.json()["email"] == "ann@x.test"
        assert httpx.get(f"{base}/api/v1/openapi.json").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize(
    ("args", "stdin", "needle"),
    [
        (("user", "add", "bad", "--name", "X", "--role", "admin", "--password-stdin"),
         "pw-12345678\n", "not an email"),
        (("user", "add", "a@b.c", "--name", "X", "--role", "admin", "--password-stdin"),
         "short\n", "8 characters"),
        (("team", "add", "T", "--manager", "nobody@x.test"), "", "no user"),
        (("check", "--database", "postgresql+psycopg://u@127.0.0.1:1/nope"), "", "database"),
        (("check", "--database", "mysql://x"), "", "unsupported"),
    ],
)  # fmt: skip
def test_cli_errors_are_one_line(
    tmp_path: Path, args: tuple[str, ...], stdin: str, needle: str
) -> None:
    extra = () if "--database" in args else ("--database", f"sqlite:///{tmp_path / 's.sqlite3'}")
    done = _run(*args, *extra, stdin=stdin)
    assert done.returncode != 0
    assert needle in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_demo_company(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    done = _run("demo", "--database", url)
    assert done.returncode == 0, done.stderr
    password = done.stdout.strip().splitlines()[-1].split(": ")[-1]
    assert _run("demo", "--database", url).returncode == 1  # not twice
    server = run_server(tmp_path, database_url=url)
    try:
        with httpx.Client(base_url=server.base_url) as c:
            login = {"email": "x@x", "password": password, "device_name": "d", "device_id": "d"}
            assert c.post("/api/v1/auth/login", json=login).status_code == 401
            from sqlalchemy import select

            from sync.server.db.models import ENTITY_TABLES

            with server.db.read() as conn:
                users = ENTITY_TABLES["user"]
                manager = conn.scalar(select(users.c.email).where(users.c.role == "manager"))
            r = c.post("/api/v1/auth/login", json=dict(login, email=manager))
            assert r.status_code == 200
            h = {"Authorization": f"Bearer {r.json()['token']}"}
            page = c.get("/api/v1/sync/changes", params={"limit": 1000}, headers=h).json()
            assert page["has_more"] and len(page["changes"]) == 1000
    finally:
        server.stop()


@pytest.mark.parametrize("where", ["before", "after"])
def test_database_before_or_after_the_command(tmp_path: Path, where: str) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    db = ["--database", url]
    first = [*db, "team", "add", "Field"] if where == "before" else ["team", "add", "Field", *db]
    assert _run(*first).returncode == 0
    check = [*db, "check"] if where == "before" else ["check", *db]
    out = _run(*check)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok")
    assert (tmp_path / "s.sqlite3").exists()


def test_serve_with_two_workers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    added = _run("user", "add", "ann@x.test", "--name", "Ann", "--role", "technician",
                 "--password-stdin", "--database", url, stdin="s3cret-pass\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    refused = _run("serve", "--workers", "0", "--database", url)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "--workers must be between 1 and 64" in refused.stderr
    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", "2", "--database", url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])},
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(proc, port, timeout_s=60)
        for device in ("one", "two", "three"):
            login = {"email": "ann@x.test", "password": "s3cret-pass", "device_name": device,
                     "device_id": device}  # fmt: skip
            r = httpx.post(f"{base}/api/v1/auth/login", json=login, timeout=30)
            assert r.status_code == 200, r.text
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert b"2 workers" in out
