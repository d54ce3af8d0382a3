"""kill -9 of the client between the local commit and the push, and while the
push's reply is on its way: after a restart the change is pushed exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
from client_world import TOM, Msp, day
from faults import Proxy
from memkeyring import FileKeyring

from desktop.core.model import TimeEntry

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import sys, time
from pathlib import Path
from desktop.core.app import Punchclock
from sync.client import account

app = Punchclock.open(Path(sys.argv[1]))
me = app.directory.profile().id
from datetime import date
saved = app.tracking.log(me, day=date.fromisoformat(sys.argv[4]), customer="ACME",
                         duration_s=3600, description="rebuilt the print server queue")
Path(sys.argv[2]).write_text(saved.entry.id)
if sys.argv[3] == "push":
    account.sync_round(app.db, force=True)
time.sleep(120)
"""


def _child(tmp: Path, data: Path, mode: str, marker: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests' / 'sync'}",
        "PYTHON_KEYRING_BACKEND": "memkeyring.FileKeyring",
    }
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data), str(marker), mode, day(1).isoformat()],
        env=env,
        cwd=tmp,
    )


def _wait(predicate: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


@pytest.mark.slow
def test_kill_9_before_and_during_push(
    msp: Msp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUNCHCLOCK_TEST_KEYRING", str(tmp_path / "keyring.json"))
    keyring.set_keyring(FileKeyring())
    proxy = Proxy(int(msp.url.rsplit(":", 1)[1]))
    try:
        d = msp.device("tom", url=proxy.url)
        d.login(TOM)
        assert d.sync().ok
        data = d.app.db.path.parent

        # 1. Killed after the local commit, before any push.
        marker = tmp_path / "first"
        child = _child(tmp_path, data, "wait", marker)
        _wait(marker.exists)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        first = marker.read_text()
        assert [(o.entity_id, o.state) for o in d.outbox()] == [(first, "pending")]

        # 2. Killed while the server's reply (it committed) is held back.
        proxy.hold_replies()
        marker = tmp_path / "second"
        child = _child(tmp_path, data, "push", marker)
        _wait(marker.exists)
        second = marker.read_text()
        _wait(lambda: any(r["id"] == second for r in msp.server_rows("time_entry")))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        proxy.release()
        assert {o.entity_id for o in d.outbox("pending")} == {first, second}

        report = d.sync()
        assert report.ok and report.pushed == 2 and report.waiting == 0, report
        rows = [r for r in msp.server_rows("time_entry") if r["id"] in (first, second)]
        assert sorted(r["id"] for r in rows) == sorted([first, second])
        assert all(r["version"] == 1 for r in rows)
        with d.app.db.read() as s:
            assert all(s.get(TimeEntry, i).version == 1 for i in (first, second))  # type: ignore[union-attr]
    finally:
        proxy.close()
