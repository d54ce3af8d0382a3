"""Two laptops of one technician and running timers.

A laptop that pulls a timer still running on the server while its own later
timer runs stops the pulled one where its own started (one running timer per
user). That stop is provisional: if its own timer reaches the server already
stopped, the server keeps the pulled timer running, and the laptop takes the
server's copy back after its push instead of keeping a stop nobody else has."""

from __future__ import annotations

from datetime import timedelta

from client_world import TOM, Msp
from sqlalchemy import select

from desktop.core.model import Outbox, Preference
from desktop.core.services.entries import whole_seconds
from desktop.core.timeutil import utcnow
from sync.client import store


def _provisional(d: object) -> list[str]:
    with d.app.db.read() as s:  # type: ignore[attr-defined]
        pref = s.scalar(select(Preference).where(Preference.key == store.PROVISIONAL_KEY))
        return list(pref.value) if pref is not None else []


def test_a_pulled_timer_stopped_provisionally_runs_again_when_the_server_keeps_it(
    msp: Msp,
) -> None:
    a, b = msp.laptop("a", TOM), msp.laptop("b", TOM)
    now = whole_seconds(utcnow())
    t1 = b.app.tracking.start(b.me, customer="ACME", at=now - timedelta(hours=2)).entry.id
    assert b.sync().ok
    t2 = a.app.tracking.start(a.me, customer="Globex", at=now - timedelta(hours=1)).entry.id
    assert a.sync().ok  # pushes t2 running: the server stops t1 where t2 started
    server = {r["id"]: r for r in msp.server_rows("time_entry")}
    assert server[t1]["ended_at"] is not None

    # Same again, but the laptop's own timer reaches the server already stopped.
    t3 = b.app.tracking.start(b.me, customer="ACME", at=now - timedelta(minutes=50)).entry.id
    assert b.sync().ok
    t4 = a.app.tracking.start(a.me, customer="Globex", at=now - timedelta(minutes=40)).entry.id
    # Another process on the laptop pulls first (no push): t3 is stopped where t4 started.
    assert a.sync_pull() > 0
    local = a.dump("time_entry")["time_entry"]
    assert local[t3]["ended_at"] is not None and local[t4]["ended_at"] is None
    assert _provisional(a) == [t3]
    # t4's create reaches the server already stopped: as a refused create does
    # once edited (the later changes fold into ONE create with the latest values).
    with a.app.db.write() as s:
        create = s.scalar(select(Outbox).where(Outbox.entity_id == t4, Outbox.op == "create"))
        assert create is not None
        create.state, create.last_error = "attention", "locked: the week was approved"
    a.app.tracking.stop(a.me, at=now - timedelta(minutes=10))
    assert a.sync().ok
    server = {r["id"]: r for r in msp.server_rows("time_entry")}
    assert server[t3]["ended_at"] is None, "the server keeps t3 running"
    local = a.dump("time_entry")["time_entry"]
    assert local[t3]["ended_at"] is None and local[t3]["duration_s"] == server[t3]["duration_s"]
    assert local[t3]["version"] == server[t3]["version"]
    assert local[t4]["ended_at"] is not None and server[t4]["ended_at"] is not None
    assert _provisional(a) == []
    assert b.sync().ok
    assert a.dump("time_entry") == b.dump("time_entry")
    assert t2 in local


def test_a_provisional_stop_stays_while_the_laptops_own_timer_is_unpushed(msp: Msp) -> None:
    a, b = msp.laptop("a", TOM), msp.laptop("b", TOM)
    now = whole_seconds(utcnow())
    t1 = b.app.tracking.start(b.me, customer="ACME", at=now - timedelta(hours=2)).entry.id
    assert b.sync().ok
    t2 = a.app.tracking.start(a.me, customer="Globex", at=now - timedelta(hours=1)).entry.id
    assert a.sync_pull() > 0
    assert _provisional(a) == [t1]
    local = a.dump("time_entry")["time_entry"]
    assert local[t1]["ended_at"] is not None and local[t2]["ended_at"] is None
    # The push then settles it on the server the same way: nothing left provisional.
    assert a.sync().ok
    server = {r["id"]: r for r in msp.server_rows("time_entry")}
    local = a.dump("time_entry")["time_entry"]
    assert server[t1]["ended_at"] is not None
    assert local[t1]["version"] == server[t1]["version"] and local[t1]["ended_at"] is not None
    assert _provisional(a) == []
