"""Client parts that need no server: credentials, the status line, the scheduler."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from memkeyring import MemoryKeyring

from sync.client import credentials
from sync.client.engine import SyncReport
from sync.client.scheduler import SyncScheduler
from sync.client.status import Status, status_text

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


# ----------------------------------------------------------------- credentials


def test_token_goes_to_the_keyring(memory_keyring: MemoryKeyring) -> None:
    saved = credentials.save("https://pc.test", "dev-1", "secret-token")
    assert saved.persistent and saved.warning is None
    assert memory_keyring.entries == {("Punchclock", "https://pc.test#dev-1"): "secret-token"}
    assert credentials.load("https://pc.test", "dev-1") == "secret-token"
    assert credentials.load("https://pc.test", "dev-2") is None
    credentials.delete("https://pc.test", "dev-1")
    assert memory_keyring.entries == {}


def test_without_a_keyring_the_token_lives_in_this_process_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    keyring.set_keyring(fail.Keyring())
    saved = credentials.save("https://pc.test", "dev-1", "secret-token")
    assert not saved.persistent and saved.warning and "session only" in saved.warning
    assert credentials.load("https://pc.test", "dev-1") == "secret-token"
    # Nothing written anywhere under the working folder or the home folder.
    assert not any("secret-token" in p.read_text(errors="ignore")
                   for p in tmp_path.rglob("*") if p.is_file())  # fmt: skip
    credentials.delete("https://pc.test", "dev-1")
    assert credentials.load("https://pc.test", "dev-1") is None


class BrokenKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the keyring is locked")


def test_a_keyring_that_fails_falls_back_to_the_session() -> None:
    keyring.set_keyring(BrokenKeyring())
    saved = credentials.save("https://pc.test", "dev-1", "tok")
    assert not saved.persistent and saved.warning and "locked" in saved.warning
    assert credentials.load("https://pc.test", "dev-1") == "tok"
    credentials.delete("https://pc.test", "dev-1")


# ------------------------------------------------------------------ status


def st(**kw: object) -> Status:
    base: dict[str, object] = {
        "logged_in": True,
        "server_url": "https://pc.test",
        "device_id": "d",
        "waiting": 0,
        "attention": 0,
        "last_success_at": NOW - timedelta(minutes=2),
        "last_error_at": None,
        "last_error": None,
        "pull_cursor": 0,
    }
    base.update(kw)
    return Status(**base)  # type: ignore[arg-type]


def test_status_lines() -> None:
    assert status_text(st(logged_in=False), NOW) == "Local only"
    assert status_text(st(), NOW) == "Synced 2 min ago"
    assert status_text(st(waiting=1), NOW) == "Synced 2 min ago — 1 change waiting"
    offline = st(waiting=12, last_error_at=NOW - timedelta(minutes=1), last_error="x")
    assert status_text(offline, NOW) == "Offline — 12 changes waiting"
    expired = st(waiting=2, last_error_at=NOW, last_error="not logged in …; run `punchclock login`")
    assert status_text(expired, NOW) == "Log in again — 2 changes waiting"
    assert status_text(st(attention=3), NOW) == "3 need attention"
    assert status_text(st(attention=1), NOW) == "1 needs attention"
    assert status_text(st(last_success_at=None), NOW) == "Not synced yet"
    assert status_text(st(last_success_at=NOW - timedelta(seconds=20)), NOW) == ("Synced just now")


# --------------------------------------------------------------- scheduler


class Rounds:
    def __init__(self, delay: float = 0.0, offline: bool = False) -> None:
        self.calls: list[bool] = []
        self.delay = delay
        self.offline = offline
        self.active = 0
        self.overlap = False
        self.lock = threading.Lock()

    def __call__(self, force: bool) -> SyncReport:
        with self.lock:
            self.active += 1
            self.overlap |= self.active > 1
        time.sleep(self.delay)
        with self.lock:
            self.active -= 1
            self.calls.append(force)
        return SyncReport(offline=self.offline, error="offline" if self.offline else None)


def wait_for(predicate: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_on_demand_round_reports_to_the_ui_callback() -> None:
    rounds, seen = Rounds(), []
    sched = SyncScheduler(rounds, seen.append, interval_s=3600, heartbeat_s=3600)
    sched.start(sync_at_start=False)
    try:
        sched.sync_now()
        wait_for(lambda: len(seen) == 1)
        assert rounds.calls == [True]  # on demand ignores the backoff
    finally:
        sched.shutdown()


def test_local_changes_are_debounced_into_one_round() -> None:
    rounds = Rounds()
    sched = SyncScheduler(rounds, interval_s=3600, debounce_s=0.3, heartbeat_s=3600)
    sched.start(sync_at_start=False)
    try:
        for _ in range(10):
            sched.local_change()
            time.sleep(0.02)
        wait_for(lambda: len(rounds.calls) == 1)
        time.sleep(0.5)
        assert rounds.calls == [False]
    finally:
        sched.shutdown()


def test_rounds_never_overlap() -> None:
    rounds = Rounds(delay=0.3)
    sched = SyncScheduler(rounds, interval_s=0.1, heartbeat_s=3600)
    sched.start(sync_at_start=True)
    try:
        for _ in range(5):
            sched.sync_now()
            time.sleep(0.05)
        wait_for(lambda: len(rounds.calls) >= 2)
        assert not rounds.overlap
    finally:
        sched.shutdown()


def test_periodic_rounds_run_on_the_interval() -> None:
    rounds = Rounds()
    sched = SyncScheduler(rounds, interval_s=0.2, heartbeat_s=3600)
    sched.start(sync_at_start=False)
    try:
        wait_for(lambda: len(rounds.calls) >= 3)
    finally:
        sched.shutdown()


def test_network_regained_after_an_offline_round() -> None:
    rounds = Rounds(offline=True)
    probes: list[str] = []

    def probe(url: str) -> bool:
        probes.append(url)
        return True

    sched = SyncScheduler(
        rounds, server_url="https://pc.test", interval_s=3600, heartbeat_s=0.2, probe=probe
    )
    sched.start(sync_at_start=True)
    try:
        wait_for(lambda: len(rounds.calls) >= 2)
        assert probes and probes[0] == "https://pc.test"
    finally:
        sched.shutdown()


def test_resume_from_sleep_triggers_a_round() -> None:
    rounds = Rounds()
    sched = SyncScheduler(rounds, interval_s=3600, heartbeat_s=0.2)
    sched.start(sync_at_start=False)
    try:
        sched._beat_wall -= 600  # the wall clock jumped: the machine slept 10 minutes
        wait_for(lambda: len(rounds.calls) == 1)
    finally:
        sched.shutdown()


def test_a_failing_round_does_not_kill_the_scheduler() -> None:
    seen: list[SyncReport] = []

    def boom(force: bool) -> SyncReport:
        raise RuntimeError("bug")

    sched = SyncScheduler(boom, seen.append, interval_s=3600, heartbeat_s=3600)
    sched.start(sync_at_start=False)
    try:
        sched.sync_now()
        wait_for(lambda: len(seen) == 1)
        assert seen[0].error and "bug" in seen[0].error
        assert sched.running
    finally:
        sched.shutdown()
