"""Acceptance: laptops, a manager and the real server on 127.0.0.1."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from client_world import (
    DESCRIPTIONS,
    LAST_WEEK,
    MANAGER,
    TIA,
    TOM,
    TWO_WEEKS_AGO,
    Device,
    Msp,
    day,
    fast_retries,
    fill_week,
    make_msp,
    submit_and_approve,
    user_view,
)
from faults import Proxy

from desktop.core.errors import Locked
from desktop.core.model import TimeEntry
from sync.client import attention


def test_two_technicians_and_a_manager_converge(msp: Msp) -> None:
    tom, tia = msp.laptop("tom", TOM), msp.laptop("tia", TIA)
    mia = msp.laptop("mia", MANAGER)
    # Offline on both laptops: two weeks each, submitted.
    tom_last = fill_week(tom, LAST_WEEK)
    fill_week(tom, TWO_WEEKS_AGO, "Globex")
    fill_week(tia, LAST_WEEK, "Globex", days=4)
    for d in (tom, tia):
        d.app.timesheets.submit(d.me, LAST_WEEK)
    tom.app.timesheets.submit(tom.me, TWO_WEEKS_AGO)
    for d in (tom, tia):
        r = d.sync()
        assert r.ok and r.attention == 0 and r.waiting == 0, r
    # The manager sees both weeks and decides: approve one, reject one with reasons.
    assert mia.sync().ok
    pending = {(s.sheet.user, s.sheet.week_start) for s in mia.app.timesheets.approvals(mia.me)}
    assert pending == {(TOM, LAST_WEEK), (TOM, TWO_WEEKS_AGO), (TIA, LAST_WEEK)}
    mia.app.timesheets.approve(mia.me, TOM, LAST_WEEK)
    mia.app.timesheets.approve(mia.me, TIA, LAST_WEEK)
    tom_old = [
        e.id
        for e in mia.app.tracking.entries(
            mia.me, start=TWO_WEEKS_AGO, end=day(6, TWO_WEEKS_AGO), all_users=True
        )
    ]
    mia.app.timesheets.reject(
        mia.me, TOM, TWO_WEEKS_AGO, "tickets missing", {tom_old[0]: "which ticket was this?"}
    )
    r = mia.sync()
    assert r.ok and r.pushed == 3 and r.attention == 0, r
    for d in (tom, tia, mia):
        assert d.sync().ok
    # Every laptop agrees with the server and with the others.
    assert tom.app.grid.week(tom.me, LAST_WEEK).sheet.status == "approved"
    rejected = tom.app.grid.week(tom.me, TWO_WEEKS_AGO)
    assert rejected.sheet.status == "rejected" and rejected.sheet.note == "tickets missing"
    assert tom.app.tracking.get(tom.me, tom_old[0]).rejection_reason == "which ticket was this?"
    assert [e.action for e in tom.app.timesheets.history(tom.me, LAST_WEEK)] == [
        "submit",
        "approve",
    ]
    for tech, laptop in ((msp.ids[TOM], tom), (msp.ids[TIA], tia)):
        assert user_view(laptop, tech) == user_view(mia, tech)
        fresh = msp.laptop(f"fresh-{laptop.name}", TOM if laptop is tom else TIA)
        assert fresh.dump() == laptop.dump()
    assert all(v["version"] >= 1 for v in tom.dump("timesheet_event")["timesheet_event"].values())
    assert len(tom_last) == 5


def test_connection_dropped_after_commit_gives_one_row_and_one_version(msp: Msp) -> None:
    proxy = Proxy(int(msp.url.rsplit(":", 1)[1]))
    try:
        d = msp.device("tom", url=proxy.url)
        d.login(TOM)
        assert d.sync().ok
        entry = d.app.tracking.log(
            d.me, day=day(0), customer="ACME", duration_s=3600, description=DESCRIPTIONS[0]
        ).entry
        proxy.drop_replies(1)
        report = d.sync()
        assert proxy.rules.dropped == 1
        assert report.ok and report.pushed == 1 and report.waiting == 0, report
        rows = [r for r in msp.server_rows("time_entry") if r["id"] == entry.id]
        assert len(rows) == 1 and rows[0]["version"] == 1
        with d.app.db.read() as s:
            local = s.get(TimeEntry, entry.id)
            assert local is not None and local.version == 1
    finally:
        proxy.close()


@pytest.fixture
def faulty(tmp_path: Path) -> Iterator[tuple[Msp, set[str]]]:
    poisoned: set[str] = set()

    def fault(m: Any) -> None:
        if m.id in poisoned:
            raise RuntimeError("injected server failure")

    m = make_msp(tmp_path, fault=fault)
    yield m, poisoned
    for d in m.devices:
        d.close()
    m.server.stop()


def test_500_on_the_37th_of_100_and_an_invalid_one(faulty: tuple[Msp, set[str]]) -> None:
    msp, poisoned = faulty
    d = msp.laptop("tom", TOM, adapter=fast_retries())
    ids = []
    for i in range(100):
        ids.append(
            d.app.tracking.log(
                d.me,
                day=day(i % 5),
                customer="ACME",
                duration_s=600,
                description=f"{DESCRIPTIONS[i % 5]} #{i}",
            ).entry.id
        )
    bad = _invalid_entry(d)  # seq 101: refused by the server for good
    after = d.app.tracking.log(
        d.me, day=day(6), customer="Globex", duration_s=600, description=DESCRIPTIONS[1]
    ).entry.id
    outbox = d.outbox()
    poisoned.add(outbox[36].id)
    assert outbox[36].entity_id == ids[36]

    report = d.sync()
    assert report.pushed == 100 and report.waiting == 1 and report.attention == 1, report
    server = {r["id"]: r for r in msp.server_rows("time_entry")}
    assert ids[36] not in server and after in server and bad not in server
    assert all(server[i]["version"] == 1 for i in ids if i != ids[36])
    items = attention.items(d.app.db)
    assert [i.entity_id for i in items] == [bad]
    assert items[0].message.startswith(("validation", "not_found", "forbidden"))

    poisoned.clear()
    report = d.sync()
    assert report.pushed == 1 and report.waiting == 0 and report.attention == 1, report
    server = {r["id"]: r for r in msp.server_rows("time_entry")}
    assert len([i for i in ids if i in server]) == 100
    assert all(server[i]["version"] == 1 for i in ids)


def _invalid_entry(d: Device) -> str:
    """An entry on a customer the server doesn't know, queued as a normal create."""
    from desktop.core import outbox
    from sync.client.store import Replica

    replica = Replica(d.app.db)
    try:
        with replica.write() as s:
            row = TimeEntry(
                user_id=d.me,
                customer_id=str(uuid.uuid4()),
                work_date=day(5),
                duration_s=600,
                description="on a customer that never existed",
            )
            s.add(row)
            outbox.record(s, row, "create")
            return row.id
    finally:
        replica.close()


def test_manager_approves_while_the_technician_edits_offline(msp: Msp) -> None:
    a = msp.laptop("tom-desk", TOM)
    b = msp.laptop("tom-laptop", TOM)
    ids = fill_week(a, LAST_WEEK)
    assert a.sync().ok and b.sync().ok
    submit_and_approve(msp, a)
    # The laptop has not heard of the submit: it edits the (locally draft) week.
    b.app.tracking.edit(b.me, ids[0], description="rewrote the description offline")
    approved = {r["id"]: r for r in msp.server_rows("time_entry")}[ids[0]]
    report = b.sync()
    assert report.attention == 1, report
    items = attention.items(b.app.db)
    assert items[0].message.startswith("locked")
    assert items[0].data["description"] == "rewrote the description offline"
    server = {r["id"]: r for r in msp.server_rows("time_entry")}[ids[0]]
    assert server["description"] == approved["description"]
    assert server["version"] == approved["version"]
    assert b.app.tracking.get(b.me, ids[0]).description == DESCRIPTIONS[0]
    assert b.app.grid.week(b.me, LAST_WEEK).sheet.status == "approved"
    with pytest.raises(Locked):
        b.app.tracking.edit(b.me, ids[0], description="again")


def test_two_devices_edit_one_entry_offline(msp: Msp) -> None:
    a, b = msp.laptop("a", TOM), msp.laptop("b", TOM)
    ids = fill_week(a, LAST_WEEK, days=3)
    assert a.sync().ok and b.sync().ok
    # Different fields: merged.
    a.app.tracking.edit(a.me, ids[0], description="replaced both PSUs in the core switch")
    b.app.tracking.edit(b.me, ids[0], billable=False)
    assert a.sync().ok
    r = b.sync()
    assert r.ok and r.attention == 0, r
    assert a.sync().ok
    for d in (a, b):
        e = d.app.tracking.get(d.me, ids[0])
        assert (e.description, e.billable) == ("replaced both PSUs in the core switch", False)
    assert a.dump() == b.dump()

    # The same field: the server (first to sync) wins, the other value is kept.
    a.app.tracking.edit(a.me, ids[1], description="value from the desk")
    b.app.tracking.edit(b.me, ids[1], description="value from the laptop")
    assert a.sync().ok
    r = b.sync()
    assert r.attention == 1, r
    assert b.app.tracking.get(b.me, ids[1]).description == "value from the desk"
    [item] = attention.items(b.app.db)
    assert (
        item.message.startswith("conflict") and item.data["description"] == "value from the laptop"
    )
    assert a.sync().ok
    assert a.dump() == b.dump()
    # The user takes the laptop's value after all: retried on top of the server copy.
    attention.retry(b.app.db, item.id[:8])
    r = b.sync()
    assert r.ok and r.attention == 0 and r.pushed == 1, r
    assert a.sync().ok
    assert a.app.tracking.get(a.me, ids[1]).description == "value from the laptop"
    assert a.dump() == b.dump()

    # A deleted entry edited elsewhere does not come back.
    a.app.tracking.delete(a.me, ids[2])
    b.app.tracking.edit(b.me, ids[2], description="edited after the other device deleted it")
    assert a.sync().ok
    r = b.sync()
    assert r.attention == 1, r
    assert ids[2] not in {e.id for e in b.app.tracking.entries(b.me, start=LAST_WEEK, end=day(6))}
    server = {x["id"]: x for x in msp.server_rows("time_entry")}[ids[2]]
    assert server["deleted_at"] is not None
    attention.discard(b.app.db, attention.items(b.app.db)[0].id)
    assert b.sync().ok and a.sync().ok
    assert a.dump() == b.dump()
