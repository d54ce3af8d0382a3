"""Team changes reach every device (a real server on 127.0.0.1): when a
technician moves team, or a team gets another manager, each manager's laptop
converges to exactly what its user may now read — the new manager receives
the member's past entries, weeks, audit events and rates; the old one's copies
are withdrawn ("gone from view"), which removes them locally without queueing
a delete, and the server keeps every row."""

from __future__ import annotations

from datetime import date
from typing import Any

from client_world import LAST_WEEK, MANAGER, TIA, TOM, TWO_WEEKS_AGO, Device, Msp, fill_week
from sqlalchemy import select

from desktop.core.model import SYNCED_ENTITIES
from desktop.core.timeutil import utcnow
from sync.client import attention
from sync.server import admin, policy
from sync.server.db.models import ENTITY_TABLES
from sync.server.rows import RowWriter, get_row

SAM = "sam@msp.test"
# the entities whose readers depend on role and team (sync.server.views.SCOPED)
SCOPED = ("time_entry", "timesheet", "timesheet_event", "rate", "holiday")


def _rate(msp: Msp, email: str, kind: str, amount: int) -> str:
    return msp.server.add_row(
        "rate",
        {"user_id": msp.ids[email], "kind": kind, "amount_minor": amount, "currency": "EUR",
         "effective_from": date(2026, 1, 1)},
    )  # fmt: skip


def _local(d: Device) -> set[tuple[str, str]]:
    """The live rows of the reader-scoped entities the device holds."""
    out: set[tuple[str, str]] = set()
    with d.app.db.read() as s:
        for entity in SCOPED:
            model: Any = SYNCED_ENTITIES[entity]
            live = select(model.id).where(model.deleted_at.is_(None))
            out.update((entity, i) for i in s.scalars(live))
    return out


def _may_read(msp: Msp, email: str) -> set[tuple[str, str]]:
    """The live scoped rows the server's read policy lets ``email`` read."""
    out: set[tuple[str, str]] = set()
    with msp.server.db.read() as conn:
        who = policy.load_principal(conn, msp.ids[email])
        assert who is not None
        for entity in SCOPED:
            t = ENTITY_TABLES[entity]
            live = select(t.c.id).where(t.c.deleted_at.is_(None), policy.visible(entity, who))
            out.update((entity, str(k)) for k in conn.scalars(live))
    return out


def _of(rows: set[tuple[str, str]], msp: Msp, email: str) -> set[tuple[str, str]]:
    """The rows among ``rows`` that belong to ``email`` (entries, weeks, events, rates)."""
    mine: set[tuple[str, str]] = set()
    for entity, t in (("time_entry", "time_entry"), ("timesheet", "timesheet"), ("rate", "rate")):
        for r in msp.server_rows(t):
            if r["user_id"] == msp.ids[email]:
                mine.add((entity, r["id"]))
    sheets = {k for e, k in mine if e == "timesheet"}
    mine.update(
        ("timesheet_event", r["id"]) for r in msp.server_rows("timesheet_event")
        if r["timesheet_id"] in sheets
    )  # fmt: skip
    return rows & mine


def _world(msp: Msp) -> tuple[Device, Device, Device]:
    msp.ids[SAM] = msp.server.add_user(SAM, "Sam Manager", "manager", "correct horse battery")
    msp.server.add_team("Depot", SAM)
    for kind, amount in (("billing", 12000), ("cost", 4500)):
        _rate(msp, TOM, kind, amount)
    tom = msp.laptop("tom", TOM)
    fill_week(tom, TWO_WEEKS_AGO)
    fill_week(tom, LAST_WEEK, days=3)
    tom.app.timesheets.submit(tom.me, TWO_WEEKS_AGO)
    assert tom.sync().ok
    tia = msp.laptop("tia", TIA)
    fill_week(tia, LAST_WEEK, days=2)
    assert tia.sync().ok
    mia, sam = msp.laptop("mia", MANAGER), msp.laptop("sam", SAM)
    mia.app.timesheets.approve(mia.me, TOM, TWO_WEEKS_AGO)
    assert mia.sync().ok and tom.sync().ok
    return tom, mia, sam


def _converged(msp: Msp, *devices: tuple[Device, str]) -> None:
    for d, email in devices:
        assert _local(d) == _may_read(msp, email), d.name
        assert d.outbox() == [], d.name  # nothing withdrawn was queued as a delete


def test_moving_a_technician_moves_his_history_between_managers(msp: Msp) -> None:
    tom, mia, sam = _world(msp)
    toms_rows = _of(_local(mia), msp, TOM)
    assert len({k for e, k in toms_rows if e == "time_entry"}) == 8
    assert {e for e, _ in toms_rows} == {"time_entry", "timesheet", "timesheet_event", "rate"}
    assert _of(_local(sam), msp, TOM) == set()

    admin.set_user_team(msp.server.db, TOM, "Depot")
    assert mia.sync().ok and sam.sync().ok and tom.sync().ok

    assert _of(_local(sam), msp, TOM) == toms_rows  # his past, his weeks, events and rates
    assert _of(_local(mia), msp, TOM) == set()
    assert _of(_local(mia), msp, TIA) != set()  # Tia stays with Mia
    _converged(msp, (mia, MANAGER), (sam, SAM), (tom, TOM))
    # The withdrawal deleted nothing on the server, and a second round changes nothing.
    assert all(r["deleted_at"] is None for r in msp.server_rows("time_entry"))
    before = (_local(mia), _local(sam))
    assert mia.sync().ok and sam.sync().ok
    assert (_local(mia), _local(sam)) == before

    # And back again: Mia gets him back, Sam's copies go.
    admin.set_user_team(msp.server.db, TOM, "Field")
    assert mia.sync().ok and sam.sync().ok
    assert _of(_local(mia), msp, TOM) == toms_rows
    assert _of(_local(sam), msp, TOM) == set()
    _converged(msp, (mia, MANAGER), (sam, SAM))


def test_a_new_manager_of_a_team_gets_its_members_data(msp: Msp) -> None:
    tom, mia, sam = _world(msp)
    field = _of(_local(mia), msp, TOM) | _of(_local(mia), msp, TIA)
    msp.server.set_manager("Field", SAM)
    assert mia.sync().ok and sam.sync().ok
    assert _of(_local(sam), msp, TOM) | _of(_local(sam), msp, TIA) == field
    assert _of(_local(mia), msp, TOM) | _of(_local(mia), msp, TIA) == set()
    _converged(msp, (mia, MANAGER), (sam, SAM), (tom, TOM))


def test_team_changes_page_through_small_pulls(msp: Msp) -> None:
    """The feed's pages never skip a shown or withdrawn row, however small."""
    _tom, mia, sam = _world(msp)
    toms_rows = _of(_local(mia), msp, TOM)
    admin.set_user_team(msp.server.db, TOM, "Depot")
    assert mia.sync(pull_limit=2).ok and sam.sync(pull_limit=3).ok
    assert _of(_local(sam), msp, TOM) == toms_rows
    assert _of(_local(mia), msp, TOM) == set()
    _converged(msp, (mia, MANAGER), (sam, SAM))


def test_a_manager_made_a_technician_keeps_only_his_own(msp: Msp) -> None:
    tom, mia, _sam = _world(msp)
    with msp.server.db.write() as conn:
        row = get_row(conn, "user", msp.ids[MANAGER])
        assert row is not None
        RowWriter(conn, utcnow()).save("user", row, {"role": "technician"})
    assert mia.sync().ok
    assert _of(_local(mia), msp, TOM) | _of(_local(mia), msp, TIA) == set()
    _converged(msp, (mia, MANAGER))
    # a user's own rows are never withdrawn from him
    assert _of(_local(tom), msp, TOM) != set()


def test_an_approval_pending_when_the_member_moves_is_refused_and_withdrawn(msp: Msp) -> None:
    """Mia approves Tom's week offline; meanwhile Tom moved to Sam's team. Her
    approval comes back as attention, the week stays submitted on the server,
    and her copy of Tom's data is withdrawn all the same."""
    tom, mia, sam = _world(msp)
    tom.app.timesheets.submit(tom.me, LAST_WEEK)
    assert tom.sync().ok and mia.sync().ok
    admin.set_user_team(msp.server.db, TOM, "Depot")
    mia.app.timesheets.approve(mia.me, TOM, LAST_WEEK)
    report = mia.sync()
    assert report.attention == 1, report
    [item] = attention.items(mia.app.db)
    assert item.op == "action"
    assert _of(_local(mia), msp, TOM) == set()
    statuses = {r["week_start"]: r["status"] for r in msp.server_rows("timesheet")
                if r["user_id"] == msp.ids[TOM]}  # fmt: skip
    assert statuses[LAST_WEEK] == "submitted"
    attention.discard(mia.app.db, item.id)
    _converged(msp, (mia, MANAGER))
    assert sam.sync().ok
    _converged(msp, (sam, SAM))
