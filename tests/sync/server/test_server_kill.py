"""A server killed (SIGKILL) in the middle of a push batch: every mutation is
applied once or not at all — the batch in flight not at all, the batches
committed before it entirely — and after a restart the client's retry applies
the rest exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.core.app import Punchclock
from desktop.core.model import Outbox, TimeEntry
from sync.client import account
from sync.client.engine import BATCH_SIZE, SyncReport
from sync.server import admin
from sync.server.db.database import ServerDatabase
from sync.server.db.models import ENTITY_TABLES, mutation_result
from sync.server.testing import free_port, wait_until_serving

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
PASSWORD = "correct horse battery"
N = 2 * BATCH_SIZE
STALL_AT = BATCH_SIZE + BATCH_SIZE // 2  # the middle of the second batch

pytestmark = [pytest.mark.slow]


def _start(args: list[str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    wait_until_serving(proc, port, timeout_s=30)
    return proc


def _server_entries(url: str) -> dict[str, int]:
    db = ServerDatabase(url)
    try:
        t = ENTITY_TABLES["time_entry"]
        with db.read() as conn:
            return {r.id: r.version for r in conn.execute(select(t.c.id, t.c.version))}
    finally:
        db.dispose()


def _stored_results(url: str) -> int:
    db = ServerDatabase(url)
    try:
        with db.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(mutation_result)) or 0)
    finally:
        db.dispose()


def test_sigkill_mid_batch_applies_each_mutation_once_or_not_at_all(
    database_url: str, tmp_path: Path
) -> None:
    db = ServerDatabase(database_url)
    db.upgrade()
    admin.add_team(db, "Field")
    admin.add_user(db, "tom@msp.test", name="Tom Tech", role="technician", password=PASSWORD,
                   team="Field")  # fmt: skip
    admin.add_row(db, "customer", {"name": "ACME", "is_internal": False, "default_billable": True,
                                   "round_increment_min": 0, "round_minimum_min": 0,
                                   "active": True})  # fmt: skip
    db.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    marker = tmp_path / "stalled"
    proc = _start(
        [str(HERE / "stalling_server.py"), database_url, str(port), str(marker), str(STALL_AT)],
        port,
    )
    app = Punchclock.open(tmp_path / "laptop")
    try:
        account.login(app.db, base, "tom@msp.test", PASSWORD, device_name="laptop")
        assert account.sync_round(app.db, force=True).ok
        me = app.directory.profile()
        assert me is not None
        first = date.today() - timedelta(days=40)
        for i in range(N):
            app.tracking.log(
                me.id, day=first + timedelta(days=i % 20), customer="ACME", duration_s=600,
                description=f"patched workstation {i} and rebooted it",
            )  # fmt: skip
        with app.db.read() as s:
            queued = [(r.seq, r.entity_id) for r in s.scalars(select(Outbox).order_by(Outbox.seq))]
        assert len(queued) == N
        reports: list[SyncReport] = []
        pushing = threading.Thread(
            target=lambda: reports.append(account.sync_round(app.db, force=True))
        )
        pushing.start()
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert time.monotonic() < deadline and pushing.is_alive(), "the push never stalled"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        pushing.join(timeout=120)
        assert not pushing.is_alive() and reports and not reports[0].ok

        assert marker.read_text() == str(queued[STALL_AT - 1][0])
        # Killed: the first batch committed whole, the second not at all.
        on_server = _server_entries(database_url)
        first_batch = {eid for _, eid in queued[:BATCH_SIZE]}
        assert set(on_server) == first_batch
        assert set(on_server.values()) == {1}
        assert _stored_results(database_url) == BATCH_SIZE

        # Restart (the real CLI) and let the client retry.
        proc = _start(
            ["-m", "sync.server.cli", "serve", "--port", str(port), "--database", database_url],
            port,
        )
        report = account.sync_round(app.db, force=True)
        assert report.ok and report.waiting == 0 and report.attention == 0, report
        on_server = _server_entries(database_url)
        assert set(on_server) == {eid for _, eid in queued}
        assert set(on_server.values()) == {1}
        assert _stored_results(database_url) == N
        with app.db.read() as s:
            assert s.scalar(select(func.count()).select_from(Outbox)) == 0
            versions = set(s.scalars(select(TimeEntry.version)))
        assert versions == {1}
    finally:
        app.close()
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)
