"""The client against the real server: login, identity, push, pull, logout."""

from __future__ import annotations

import pytest
from client_world import MANAGER, PASSWORD, TOM, Msp, day
from sqlalchemy import select

from desktop.core.model import Preference, SyncState, TimeEntry, User
from sync.client import account, credentials
from sync.client.http import SyncError


def test_login_rekeys_the_local_profile_to_the_server_id(msp: Msp) -> None:
    d = msp.device("tom-laptop")
    local = d.app.directory.init_profile(name="Tom", email=TOM, timezone="UTC", role="admin")
    assert local.id != msp.ids[TOM]
    d.login(TOM)
    with d.app.db.read() as s:
        assert s.get(User, local.id) is None
        me = s.get(User, msp.ids[TOM])
        assert me is not None and me.role == "technician" and me.name == "Tom Tech"
        assert s.get(Preference, "profile.user_id").value == msp.ids[TOM]  # type: ignore[union-attr]
    assert d.outbox() == []  # the profile's own create is not pushed


def test_offline_entries_push_then_pull_on_a_second_device(msp: Msp) -> None:
    a = msp.laptop("tom-a", TOM)
    assert a.me == msp.ids[TOM]
    for i in range(3):
        a.app.tracking.log(
            a.me, day=day(i), customer="ACME", duration_s=3600, description=f"ticket {i} fixed"
        )
    report = a.sync()
    assert (report.pushed, report.waiting, report.attention) == (3, 0, 0)
    with a.app.db.read() as s:
        assert {e.version for e in s.scalars(select(TimeEntry))} == {1}
    b = msp.laptop("tom-b", TOM)
    assert b.dump("time_entry") == a.dump("time_entry")
    assert len(msp.server_rows("time_entry")) == 3


def test_login_with_a_wrong_password_changes_nothing(msp: Msp) -> None:
    d = msp.device("x")
    with pytest.raises(SyncError):
        d.login(TOM, "wrong password")
    with d.app.db.read() as s:
        state = s.get(SyncState, 1)
        assert state is None or state.server_url is None


def test_logout_revokes_and_forgets_the_token(msp: Msp) -> None:
    d = msp.laptop("m", MANAGER)
    with d.app.db.read() as s:
        state = s.get(SyncState, 1)
        assert state is not None and state.server_url
        url, device = state.server_url, state.device_id
    token = credentials.load(url, device)
    assert token
    result = account.logout(d.app.db)
    assert result.revoked
    assert credentials.load(url, device) is None
    assert "Local only" in _status(d)
    # The old token no longer works on the server.
    from sync.client.http import ApiClient, AuthFailure

    with pytest.raises(AuthFailure):
        ApiClient(url, token).me()
    # Logging in again works and picks up where it was.
    d.login(MANAGER, PASSWORD)
    assert d.sync().ok


def _status(d: object) -> str:
    from desktop.core.timeutil import utcnow
    from sync.client.status import read_status, status_text

    return status_text(read_status(d.app.db), utcnow())  # type: ignore[attr-defined]


def test_the_tray_scheduler_syncs_a_logged_in_folder(msp: Msp) -> None:
    import threading

    from sync.client.engine import SyncReport
    from sync.client.scheduler import SyncScheduler

    d = msp.laptop("tom", TOM)
    d.app.tracking.log(d.me, day=day(0), customer="ACME", duration_s=600, description="x" * 12)
    done = threading.Event()
    seen: list[SyncReport] = []

    def on_result(report: SyncReport) -> None:
        seen.append(report)
        done.set()

    sched = SyncScheduler.for_database(d.app.db, on_result, interval_s=3600, heartbeat_s=3600)
    assert sched.server_url == msp.url
    sched.start(sync_at_start=False)
    try:
        sched.sync_now()
        assert done.wait(10)
    finally:
        sched.shutdown()
    assert seen[0].ok and seen[0].pushed == 1


def test_login_merges_a_local_user_with_the_accounts_email(msp: Msp) -> None:
    d = msp.device("shared")
    boss = d.app.directory.init_profile(name="Boss", email="boss@local.test", timezone="UTC")
    tom = d.app.directory.add_user(boss.id, TOM, name="Tom (local)")
    d.login(TOM)
    with d.app.db.read() as s:
        users = {u.id: u.email for u in s.scalars(select(User))}
    assert users == {msp.ids[TOM]: TOM} and tom.id not in users
