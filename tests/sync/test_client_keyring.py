"""The login token across separate ``punchclock`` processes, as users have it:
a real Secret Service (``gnome-keyring-daemon`` in its own D-Bus session), and
a headless box with no keyring at all. The real server runs on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from client_world import LAST_WEEK, PASSWORD, TOM, Msp

ROOT = Path(__file__).resolve().parents[2]
KEYRING_PASSWORD = "unlock-the-test-keyring"
Pc = Callable[..., subprocess.CompletedProcess[str]]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean desktop session of its own: home, runtime folder, no keyring
    backend chosen by the environment (keyring picks the best one it finds)."""
    home, runtime = tmp_path / "home", tmp_path / "run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON_KEYRING", "DBUS_", "GNOME_KEYRING", "XDG_", "PUNCHCLOCK_"))
    }
    return {
        **env,
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "PUNCHCLOCK_HOME": str(tmp_path / "punchclock"),
        **extra,
    }


def _runner(env: dict[str, str]) -> Pc:
    def pc(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "desktop", *args],
            input=stdin, capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip

    return pc


def _log_an_hour(pc: Pc) -> subprocess.CompletedProcess[str]:
    return pc(
        "log", "--date", LAST_WEEK.isoformat(), "--hours", "1", "--customer", "ACME",
        "-d", "renewed the wildcard certificate",
    )  # fmt: skip


def _status(pc: Pc) -> dict[str, object]:
    done = pc("--json", "sync", "status")
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_without_a_keyring_status_says_log_in_again_and_why(msp: Msp, tmp_path: Path) -> None:
    pc = _runner(_env(tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring"))
    done = pc("login", msp.url, "--email", TOM, "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0 and "no usable keyring" in done.stderr, done.stderr
    assert _log_an_hour(pc).returncode == 1  # ACME not pulled: the login never synced
    status = _status(pc)
    assert status["status"] == "Log in again"
    assert "no keyring" in str(status["login_problem"])
    assert "only the process" in str(status["login_problem"])
    human = pc("sync", "status")
    lines = human.stdout.splitlines()
    assert lines[0] == "Log in again" and lines[1].startswith("why: no keyring"), human.stdout
    done = pc("sync")
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "no keyring" in done.stderr and "punchclock login" in done.stderr


@pytest.fixture
def secret_service(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A D-Bus session with gnome-keyring's Secret Service, its login collection
    unlocked without a prompt; yields the environment of processes inside it."""
    missing = [b for b in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(b)]
    if missing:
        reason = f"needs {', '.join(missing)} (Debian: dbus gnome-keyring; `make sysdeps`)"
        if os.geteuid() != 0:
            pytest.skip(reason)
        pytest.fail(f"{reason}: run as root, so `make sysdeps` should have installed them")
    env = _env(tmp_path)
    # The session lives as long as `cat` reads our pipe; closing it ends the bus,
    # and gnome-keyring-daemon leaves with it.
    script = (
        f"printf %s {KEYRING_PASSWORD} | timeout 30 gnome-keyring-daemon --unlock"
        " --components=secrets >/dev/null"
        " && echo \"$DBUS_SESSION_BUS_ADDRESS\" && exec cat >/dev/null"
    )
    session = subprocess.Popen(
        ["dbus-run-session", "--", "sh", "-c", script],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env=env, text=True,
    )  # fmt: skip
    try:
        assert session.stdout is not None
        address = session.stdout.readline().strip()
        assert address, "the D-Bus session did not start"
        yield {**env, "DBUS_SESSION_BUS_ADDRESS": address}
    finally:
        assert session.stdin is not None
        session.stdin.close()
        try:
            session.wait(timeout=30)
        except subprocess.TimeoutExpired:
            session.kill()
            session.wait()


def test_login_lasts_across_processes_with_a_real_secret_service(
    msp: Msp, tmp_path: Path, secret_service: dict[str, str]
) -> None:
    pc = _runner(secret_service)
    backend = subprocess.run(
        [sys.executable, "-c", "import keyring; print(type(keyring.get_keyring()).__module__)"],
        capture_output=True, text=True, env=secret_service, timeout=60,
    )  # fmt: skip
    assert backend.stdout.strip() == "keyring.backends.SecretService", backend.stderr
    done = pc("login", msp.url, "--email", TOM, "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert _status(pc)["status"] == "Not synced yet"
    assert pc("sync").returncode == 0  # a new process: the token came from the keyring
    done = _log_an_hour(pc)
    assert done.returncode == 0, done.stderr
    moved = json.loads(pc("--json", "sync").stdout)
    assert (moved["pushed"], moved["waiting"], moved["error"]) == (1, 0, None)
    status = _status(pc)
    assert str(status["status"]).startswith("Synced") and status["login_problem"] is None
    server = [r for r in msp.server_rows("time_entry") if r["user_id"] == msp.ids[TOM]]
    assert [r["description"] for r in server] == ["renewed the wildcard certificate"]
    read = (
        "import sys, keyring; "
        "print(keyring.get_password('Punchclock', sys.argv[1] + '#' + sys.argv[2]) or '')"
    )
    token = subprocess.run(
        [sys.executable, "-c", read, msp.url, str(status["device_id"])],
        capture_output=True, text=True, env=secret_service, timeout=60,
    ).stdout.strip()  # fmt: skip
    assert len(token) >= 20
    for path in (tmp_path / "punchclock").rglob("*"):  # in the keyring, never in a file
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
    assert pc("logout").returncode == 0
    assert _status(pc)["status"] == "Local only"
