"""Workflow, identity and reference data through sync (real server)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from client_world import (
    ADMIN,
    DESCRIPTIONS,
    LAST_WEEK,
    MANAGER,
    TOM,
    Msp,
    day,
    fast_retries,
    fill_week,
    make_msp,
)

from desktop.core.model import Outbox, Timesheet
from desktop.core.timeutil import utcnow
from sync.client import attention


def test_timer_start_and_stop_offline_push_without_conflict(msp: Msp) -> None:
    d = msp.laptop("tom", TOM)
    started = utcnow().replace(microsecond=0) - timedelta(minutes=30)
    d.app.tracking.start(d.me, customer="ACME", description="helpdesk queue", at=started)
    d.app.tracking.stop(d.me, at=started + timedelta(minutes=20))
    assert [o.op for o in d.outbox()] == ["create", "update"]
    r = d.sync()
    assert r.ok and r.pushed == 2 and r.attention == 0, r
    [row] = [x for x in msp.server_rows("time_entry")]
    assert row["duration_s"] == 1200 and row["version"] == 2


def test_manager_approves_offline_after_a_recall_comes_back_as_attention(msp: Msp) -> None:
    tom = msp.laptop("tom", TOM)
    fill_week(tom, LAST_WEEK)
    tom.app.timesheets.submit(tom.me, LAST_WEEK)
    assert tom.sync().ok
    mia = msp.laptop("mia", MANAGER)
    # Tom recalls and the server hears of it; Mia, offline, approves the old copy.
    tom.app.timesheets.recall(tom.me, LAST_WEEK)
    assert tom.sync().ok
    mia.app.timesheets.approve(mia.me, TOM, LAST_WEEK)
    assert mia.app.grid.week(mia.me, LAST_WEEK, user=TOM).sheet.status == "approved"
    r = mia.sync()
    assert r.attention == 1, r
    [item] = attention.items(mia.app.db)
    assert item.op == "action" and item.message.startswith("invalid_state")
    assert item.summary.startswith("approve week of")
    # The local approval is taken back: the week is Tom's draft again, no stray event.
    assert mia.app.grid.week(mia.me, LAST_WEEK, user=TOM).sheet.status == "draft"
    assert [e.action for e in mia.app.timesheets.history(mia.me, LAST_WEEK, user=TOM)] == [
        "submit",
        "recall",
    ]
    assert {s["status"] for s in msp.server_rows("timesheet")} == {"draft"}


def test_two_devices_draft_rows_for_one_week_adopt_the_server_id(msp: Msp) -> None:
    a, b = msp.laptop("a", TOM), msp.laptop("b", TOM)
    fill_week(a, LAST_WEEK)
    assert a.sync().ok and b.sync().ok
    a.app.timesheets.submit(a.me, LAST_WEEK)
    b.app.timesheets.submit(b.me, LAST_WEEK)  # offline too: its own local row
    ids = {}
    for d in (a, b):
        with d.app.db.read() as s:
            ids[d.name] = s.query(Timesheet).one().id
    assert ids["a"] != ids["b"]
    assert a.sync().ok
    r = b.sync()
    assert r.attention == 1  # already submitted on the server
    for d in (a, b):
        with d.app.db.read() as s:
            sheet = s.query(Timesheet).one()
            assert sheet.id == ids["a"] and sheet.status == "submitted"
    attention.discard(b.app.db, attention.items(b.app.db)[0].id)
    assert b.sync().ok and a.sync().ok
    assert a.dump() == b.dump()


def test_a_refused_create_is_resent_when_the_user_edits_it(msp: Msp) -> None:
    d = msp.laptop("tom", TOM)
    e = d.app.tracking.log(
        d.me, day=day(0), customer="ACME", duration_s=3600, description=DESCRIPTIONS[0]
    ).entry
    # Someone locks the week on the server first (admin approves an empty... submitted week).
    other = msp.laptop("tom-2", TOM)
    other.app.tracking.log(
        other.me, day=day(1), customer="ACME", duration_s=3600, description=DESCRIPTIONS[1]
    )
    other.app.timesheets.submit(other.me, LAST_WEEK)
    assert other.sync().ok
    r = d.sync()
    assert r.attention == 1 and attention.items(d.app.db)[0].message.startswith("locked")
    # The week is returned; the user edits the refused entry: it goes up as a create.
    mia = msp.laptop("mia", MANAGER)
    mia.app.timesheets.return_for_revision(mia.me, TOM, LAST_WEEK, "add the Monday")
    assert mia.sync().ok and d.sync().ok
    d.app.tracking.edit(d.me, e.id, description="replaced the UPS batteries in rack 2")
    r = d.sync()
    assert r.ok and r.attention == 0, r
    server = {x["id"]: x for x in msp.server_rows("time_entry")}
    assert server[e.id]["description"] == "replaced the UPS batteries in rack 2"
    assert d.outbox() == []


def test_company_settings_are_keyed_by_name(msp: Msp) -> None:
    admin = msp.laptop("ada", ADMIN)
    admin.app.company.set_policy(admin.me, min_description=12)
    r = admin.sync()
    assert r.ok and r.attention == 0, r
    tom = msp.laptop("tom", TOM)
    assert tom.app.company.policy().min_description == 12
    with tom.app.db.read() as s:
        assert s.query(Outbox).count() == 0


def test_queued_edits_are_rebased_only_over_what_they_saw(tmp_path: Path) -> None:
    """Two queued edits of one entry while another device changes it: the second
    edit is rebased over the first only when it had seen the version the first
    was applied to — otherwise the server judges it (no silent overwrite)."""
    poisoned: set[str] = set()

    def fault(m: Any) -> None:
        if m.id in poisoned:
            raise RuntimeError("injected")

    msp = make_msp(tmp_path, fault=fault)
    try:
        a, other = msp.laptop("a", TOM, adapter=fast_retries()), msp.laptop("o", TOM)
        [entry] = fill_week(a, LAST_WEEK, days=1)
        assert a.sync().ok and other.sync().ok
        # 1. a's first edit can't go up; a pulls other's change, then edits again.
        a.app.tracking.edit(a.me, entry, description="first words from a")
        poisoned.add(a.outbox()[-1].id)
        other.app.tracking.edit(other.me, entry, billable=False)
        assert other.sync().ok
        assert a.sync().waiting == 1
        a.app.tracking.edit(a.me, entry, description="second words from a")
        poisoned.clear()
        r = a.sync()
        assert r.ok and r.attention == 0 and r.waiting == 0, r  # no conflict with itself
        assert other.sync().ok
        e = other.app.tracking.get(other.me, entry)
        assert (e.description, e.billable) == ("second words from a", False)
        # 2. Both of a's edits queued before other's description change: the
        # second one had not seen it, so it is a conflict, not an overwrite.
        a.app.tracking.edit(a.me, entry, billable=True)
        a.app.tracking.edit(a.me, entry, description="a again")
        other.app.tracking.edit(other.me, entry, description="other's words")
        assert other.sync().ok
        r = a.sync()
        assert r.attention == 1, r
        server = {x["id"]: x for x in msp.server_rows("time_entry")}[entry]
        assert (server["description"], server["billable"]) == ("other's words", True)
    finally:
        for d in msp.devices:
            d.close()
        msp.server.stop()
