"""``punchclock login / logout / sync / sync status / sync attention`` (in-process,
against the real server)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from client_world import LAST_WEEK, MANAGER, PASSWORD, TOM, Msp

from desktop.cli import main


class Run:
    def __init__(self, data: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch):
        self.data, self.capsys, self.mp = data, capsys, mp

    def __call__(self, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            self.mp.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--data-dir", str(self.data), *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *args: str, stdin: str | None = None) -> Any:
        code, out, err = (
            self(*args, "--json", stdin=stdin) if False else self("--json", *args, stdin=stdin)
        )
        assert code == 0, err
        return json.loads(out)


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    return Run(tmp_path / "cli-data", capsys, monkeypatch)


def test_login_sync_status_logout(msp: Msp, run: Run) -> None:
    code, out, err = run("login", msp.url, "--email", TOM, "--password-stdin", stdin=PASSWORD)
    assert code == 0, err
    assert out.strip() == f"logged in to {msp.url} as Tom Tech <{TOM}> (technician)"
    assert run.json("sync", "status")["status"].startswith(("Not synced yet", "Synced"))
    code, out, err = run("sync")
    assert code == 0, err
    assert out.startswith("pushed 0, pulled ")
    code, out, err = run(
        "log", "--date", LAST_WEEK.isoformat(), "--hours", "2", "--customer", "ACME",
        "-d", "replaced the core switch PSU",
    )  # fmt: skip
    assert code == 0, err
    status = run.json("sync", "status")
    assert status["waiting"] == 1 and status["status"].endswith("1 change waiting")
    moved = run.json("sync")
    assert (moved["pushed"], moved["attention"], moved["waiting"]) == (1, 0, 0)
    assert run.json("sync", "attention") == []
    code, out, err = run("logout")
    assert code == 0 and out.startswith(f"logged out of {msp.url}"), err
    assert run.json("sync", "status")["status"] == "Local only"
    code, out, err = run("sync")
    assert code == 1 and err.count("\n") == 1 and "not logged in" in err


def test_errors_are_one_line_and_change_nothing(msp: Msp, run: Run) -> None:
    code, _, err = run("login", msp.url, "--email", TOM, "--password-stdin", stdin="wrong\n")
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert run.json("sync", "status")["logged_in"] is False
    code, _, err = run("login", "not-a-url", "--email", TOM, "--password-stdin", stdin="x\n")
    assert code == 1 and "not a server address" in err
    code, _, err = run("login", msp.url, "--email", TOM, stdin="")  # not a tty, no flag
    assert code == 2 and "--password-stdin" in err
    code, _, err = run("logout")
    assert code == 1 and "not logged in" in err


def test_offline_sync_fails_in_one_line_and_keeps_the_changes(msp: Msp, run: Run) -> None:
    from faults import Proxy

    proxy = Proxy(int(msp.url.rsplit(":", 1)[1]))
    try:
        assert run("login", proxy.url, "--email", TOM, "--password-stdin", stdin=PASSWORD)[0] == 0
        assert run("sync")[0] == 0
        run(
            "log", "--date", LAST_WEEK.isoformat(), "--hours", "1", "--customer", "ACME",
            "-d", "patched the hypervisor hosts",
        )  # fmt: skip
        proxy.down()
        code, _, err = run("sync")
        assert code == 1 and err.count("\n") == 1 and "(1 change waiting)" in err
        assert run.json("sync", "status")["status"] == "Offline — 1 change waiting"
        proxy.up()
        assert run.json("sync")["pushed"] == 1
    finally:
        proxy.close()


def test_attention_list_retry_and_discard(msp: Msp, run: Run, tmp_path: Path) -> None:
    from client_world import Device

    from desktop.core.app import Punchclock

    assert run("login", msp.url, "--email", TOM, "--password-stdin", stdin=PASSWORD)[0] == 0
    assert run("sync")[0] == 0
    for i in range(2):
        run(
            "log", "--date", LAST_WEEK.isoformat(), "--hours", "1", "--customer", "ACME",
            "-d", f"migrated file share number {i}",
        )  # fmt: skip
    # Another device of Tom submits the week first: both entries come back locked.
    other = Device("other", Punchclock.open(tmp_path / "other"), msp.url)
    try:
        other.login(TOM)
        other.sync()
        other.app.tracking.log(
            other.me, day=LAST_WEEK, customer="ACME", duration_s=600,
            description="the week's only entry",
        )  # fmt: skip
        other.app.timesheets.submit(other.me, LAST_WEEK)
        assert other.sync().ok
    finally:
        other.close()
    moved = run.json("sync")
    assert moved["attention"] == 2
    items = run.json("sync", "attention")
    assert [i["message"].split(":")[0] for i in items] == ["locked", "locked"]
    code, out, _ = run("sync", "attention")
    assert "migrated file share number 0" in out and "locked" in out
    # Discard needs --yes; without it nothing changes.
    code, _, err = run("sync", "attention", "--discard", items[0]["id"][:8])
    assert code == 2 and "--yes" in err
    assert len(run.json("sync", "attention")) == 2
    done = run.json("sync", "attention", "--discard", items[0]["id"][:8], "--yes")
    assert done["id"] == items[0]["id"]
    retried = run.json("sync", "attention", "--retry", items[1]["id"][:8])
    assert retried["id"] == items[1]["id"]
    assert run.json("sync", "status")["waiting"] == 1
    code, _, err = run("sync", "attention", "--retry", "ffffffff")
    assert code == 1 and "no item" in err


def test_as_is_refused_once_logged_in(msp: Msp, run: Run) -> None:
    assert run("init", "--name", "Tom", "--email", TOM)[0] == 0
    assert run("user", "add", "sam@msp.test", "--name", "Sam")[0] == 0
    assert run("--as", "sam@msp.test", "status")[0] == 0  # standalone: fine
    assert run("login", msp.url, "--email", MANAGER, "--password-stdin", stdin=PASSWORD)[0] == 0
    code, _, err = run("--as", "sam@msp.test", "status")
    assert code == 1 and "--as works only on a local-only device" in err


def test_without_a_keyring_login_warns_and_lasts_for_the_session(msp: Msp, run: Run) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    code, _out, err = run("login", msp.url, "--email", TOM, "--password-stdin", stdin=PASSWORD)
    assert code == 0 and "no usable keyring" in err and "session only" in err
    assert run.json("sync")["error"] is None  # same process: the token is still here
    for path in run.data.rglob("*"):
        if path.is_file():
            from sync.client import credentials

            tokens = [t for t in credentials._session.values() if t.encode() in path.read_bytes()]
            assert tokens == [], f"token written to {path}"
    assert run("logout")[0] == 0


def test_logout_while_offline_forgets_the_token_and_says_so(msp: Msp, run: Run) -> None:
    from faults import Proxy

    from sync.client import credentials

    proxy = Proxy(int(msp.url.rsplit(":", 1)[1]))
    try:
        assert run("login", proxy.url, "--email", TOM, "--password-stdin", stdin=PASSWORD)[0] == 0
        status = run.json("sync", "status")
        assert credentials.load(proxy.url, status["device_id"])
        proxy.down()
        code, _out, err = run("logout")
        assert code == 0 and "could not be reached" in err
        assert credentials.load(proxy.url, status["device_id"]) is None
        assert run.json("sync", "status")["status"] == "Local only"
    finally:
        proxy.close()


def test_the_real_entry_point_in_separate_processes(msp: Msp, tmp_path: Path) -> None:
    """Each command its own process; the token crosses them through the keyring."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PYTHONPATH": f"{root}{os.pathsep}{root / 'tests' / 'sync'}",
        "PYTHON_KEYRING_BACKEND": "memkeyring.FileKeyring",
        "PUNCHCLOCK_TEST_KEYRING": str(tmp_path / "ring.json"),
        "PUNCHCLOCK_HOME": str(tmp_path / "home"),
    }

    def pc(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "desktop", *args],
            input=stdin, capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip

    done = pc("login", msp.url, "--email", TOM, "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert PASSWORD not in (tmp_path / "ring.json").read_text()
    done = pc(
        "log", "--date", LAST_WEEK.isoformat(), "--hours", "1", "--customer", "ACME",
        "-d", "renewed the wildcard certificate",
    )  # fmt: skip
    assert done.returncode == 1 and "ACME" in done.stderr  # not pulled yet: one line
    assert pc("sync").returncode == 0
    assert pc(
        "log", "--date", LAST_WEEK.isoformat(), "--hours", "1", "--customer", "ACME",
        "-d", "renewed the wildcard certificate",
    ).returncode == 0  # fmt: skip
    moved = json.loads(pc("--json", "sync").stdout)
    assert (moved["pushed"], moved["waiting"]) == (1, 0)
    assert json.loads(pc("--json", "sync", "status").stdout)["status"].startswith("Synced")
    assert pc("logout").returncode == 0
    assert json.loads(pc("--json", "sync", "status").stdout)["status"] == "Local only"
