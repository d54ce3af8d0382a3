"""GridService and TimesheetService: the grid, the workflow with its audit trail,
locks."""

from __future__ import annotations

import sqlite3
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from desktop.core.app import Punchclock
from desktop.core.errors import Conflict, Forbidden, Locked, ValidationError
from desktop.core.model import Outbox, TimesheetEvent
from desktop.core.workflow import content_hash

MON = date(2026, 11, 23)
WED = date(2026, 11, 25)


@pytest.fixture
def pc(msp: Punchclock) -> Punchclock:
    """``msp`` plus Oz Other (other@msp.test), manager of the team Desk, and ACME ›
    Server migration."""
    admin = uid(msp, "admin@msp.test")
    msp.directory.add_user(admin, "other@msp.test", name="Oz Other", role="manager")
    msp.directory.add_team(admin, "Desk", manager="other@msp.test")
    msp.directory.add_customer(admin, "ACME")
    msp.directory.add_project(admin, "ACME", "Server migration")
    return msp


def uid(pc: Punchclock, email: str) -> str:
    return pc.directory.user(email).id


def dump(db_path: Path) -> list[str]:
    con = sqlite3.connect(db_path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def good_week(pc: Punchclock) -> list[str]:
    tech = uid(pc, "tech@msp.test")
    a = pc.tracking.log(
        tech,
        day=MON,
        customer="ACME",
        duration_s=3 * 3600,
        description="migrated mailboxes to the new server",
    )
    b = pc.tracking.log(
        tech,
        day=WED,
        project="Server migration",
        start=time(9),
        end=time(11),
        description="moved FSMO roles and checked replication",
    )
    return [a.entry.id, b.entry.id]


def test_grid_rows_cells_and_totals(pc: Punchclock) -> None:
    tech = uid(pc, "tech@msp.test")
    ids = good_week(pc)
    extra = pc.tracking.log(
        tech,
        day=MON,
        customer="ACME",
        duration_s=1800,
        description="phone call about printer",
        billable=False,
    )
    grid = pc.grid.week(tech, WED)
    assert grid.sheet.status == "draft" and grid.sheet.week_start == MON
    assert [r.path for r in grid.rows] == ["ACME", "ACME › Server migration"]
    acme, migration = grid.rows
    assert acme.cells[0].seconds == 3 * 3600 + 1800
    assert set(acme.cells[0].entry_ids) == {ids[0], extra.entry.id}
    assert migration.cells[2].seconds == 7200 and migration.cells[2].entry_ids == (ids[1],)
    assert grid.day_totals_s == (3 * 3600 + 1800, 0, 7200, 0, 0, 0, 0)
    assert grid.total_s == 5 * 3600 + 1800
    assert (grid.billable_s, grid.non_billable_s) == (5 * 3600, 1800)


def test_set_cell_creates_edits_clears_and_refuses_several(pc: Punchclock) -> None:
    tech = uid(pc, "tech@msp.test")
    grid = pc.grid.set_cell(
        tech,
        WED,
        customer="ACME",
        project="Server migration",
        task=None,
        day_index=1,
        duration_s=9000,
        description="cutover planning with the client",
    )
    cell = grid.rows[0].cells[1]
    assert cell.seconds == 9000 and len(cell.entry_ids) == 1
    assert pc.tracking.get(tech, cell.entry_ids[0]).source == "grid"
    grid = pc.grid.set_cell(
        tech,
        WED,
        customer="ACME",
        project="Server migration",
        task=None,
        day_index=1,
        duration_s=3600,
    )
    assert grid.rows[0].cells[1] == type(cell)(3600, cell.entry_ids)
    grid = pc.grid.set_cell(
        tech, WED, customer="ACME", project="Server migration", task=None, day_index=1, duration_s=0
    )
    assert grid.rows == ()
    for _ in range(2):
        pc.tracking.log(tech, day=MON, customer="ACME", duration_s=600, description="x" * 20)
    with pytest.raises(ValidationError) as err:
        pc.grid.set_cell(
            tech, WED, customer="ACME", project=None, task=None, day_index=0, duration_s=3600
        )
    assert "2 entries" in err.value.message and len(err.value.problems) == 2


@pytest.mark.parametrize("write", ["log", "edit"])
def test_set_cell_refuses_when_the_cell_changed_meanwhile(
    pc: Punchclock, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    tech = uid(pc, "tech@msp.test")
    if write == "edit":
        pc.tracking.log(tech, day=WED, customer="ACME", duration_s=1200, description="y" * 20)
    original = getattr(pc.grid.tracking, write)

    def racing(*args: object, **kw: object) -> object:
        # another process adds time to the cell between set_cell's read and its write
        pc.tracking.log(tech, day=WED, customer="ACME", duration_s=600, description="x" * 20)
        return original(*args, **kw)

    monkeypatch.setattr(pc.grid.tracking, write, racing)
    with pytest.raises(Conflict, match="changed meanwhile"):
        pc.grid.set_cell(
            tech, WED, customer="ACME", project=None, task=None, day_index=2, duration_s=3600
        )
    cell = pc.grid.week(tech, WED).rows[0].cells[2]
    assert cell.seconds == (1800 if write == "edit" else 600)  # set_cell wrote nothing


def test_vague_and_overlap_refuse_submit_listing_every_problem(pc: Punchclock) -> None:
    tech = uid(pc, "tech@msp.test")
    vague = pc.tracking.log(
        tech, day=WED, customer="ACME", duration_s=4 * 3600, description="client stuff, 4 h"
    ).entry.id
    first = pc.tracking.log(
        tech,
        day=WED,
        customer="ACME",
        start=time(9),
        end=time(11),
        description="patched the file server FS01",
    ).entry.id
    second = pc.tracking.log(
        tech,
        day=WED,
        customer="ACME",
        start=time(10),
        end=time(12),
        description="checked the backup jobs on NAS02",
    ).entry.id
    with pytest.raises(ValidationError) as err:
        pc.timesheets.submit(tech, WED)
    found = {(p.entry_id, p.code) for p in err.value.problems}
    assert found == {(vague, "vague_description"), (first, "overlap"), (second, "overlap")}
    assert pc.grid.week(tech, WED).sheet.status == "draft"
    pc.tracking.edit(tech, vague, description="rebuilt the print server queue for sales")
    pc.tracking.edit(tech, second, start=time(11), end=time(12))
    assert pc.timesheets.submit(tech, WED).status == "submitted"


def test_reject_with_entry_reasons_fix_resubmit_approve_history(pc: Punchclock) -> None:
    tech, boss = uid(pc, "tech@msp.test"), uid(pc, "boss@msp.test")
    ids = good_week(pc)
    pc.timesheets.submit(tech, WED)
    sheet = pc.timesheets.reject(
        boss,
        "tech@msp.test",
        WED,
        "two entries need work",
        {ids[0][:8]: "which mailboxes?", ids[1]: "wrong project"},
    )
    assert sheet.status == "rejected" and sheet.note == "two entries need work"
    entries = {e.id: e for e in pc.tracking.entries(tech, start=MON, end=WED)}
    assert entries[ids[0]].rejection_reason == "which mailboxes?"
    assert entries[ids[1]].rejection_reason == "wrong project"
    pc.tracking.edit(tech, ids[0], description="migrated the 12 sales mailboxes to EX02")
    assert pc.tracking.get(tech, ids[0]).rejection_reason is None
    assert pc.tracking.get(tech, ids[1]).rejection_reason == "wrong project"
    pc.timesheets.submit(tech, WED)
    assert pc.timesheets.approve(boss, "tech@msp.test", WED).status == "approved"
    history = pc.timesheets.history(tech, WED)
    assert [(h.action, h.from_status, h.to_status, h.actor) for h in history] == [
        ("submit", "draft", "submitted", "tech@msp.test"),
        ("reject", "submitted", "rejected", "boss@msp.test"),
        ("submit", "rejected", "submitted", "tech@msp.test"),
        ("approve", "submitted", "approved", "boss@msp.test"),
    ]
    assert history[1].comment == "two entries need work"
    assert history[0].content_hash != history[2].content_hash  # the fix changed the content


def test_event_hash_is_the_week_content(pc: Punchclock) -> None:
    tech = uid(pc, "tech@msp.test")
    good_week(pc)
    pc.timesheets.submit(tech, WED)
    entries = pc.tracking.entries(tech, start=MON, end=WED)
    expected = content_hash(
        [
            {
                "id": e.id,
                "customer_id": e.customer_id,
                "project_id": e.project_id,
                "task_id": e.task_id,
                "work_date": e.work_date,
                "started_at": e.started_at,
                "ended_at": e.ended_at,
                "duration_s": e.duration_s,
                "description": e.description,
                "billable": e.billable,
            }
            for e in entries
        ]
    )
    assert pc.timesheets.history(tech, WED)[0].content_hash == expected


def test_reject_with_unknown_entry_changes_nothing(pc: Punchclock, tmp_path: Path) -> None:
    tech, boss = uid(pc, "tech@msp.test"), uid(pc, "boss@msp.test")
    good_week(pc)
    pc.timesheets.submit(tech, WED)
    before = dump(pc.db.path)
    with pytest.raises(ValidationError):
        pc.timesheets.reject(boss, "tech@msp.test", WED, "no", {"deadbeef": "?"})
    assert dump(pc.db.path) == before


@pytest.mark.parametrize("decision", ["submitted", "approved"])
def test_locked_week_refuses_every_entry_change(pc: Punchclock, decision: str) -> None:
    tech, boss = uid(pc, "tech@msp.test"), uid(pc, "boss@msp.test")
    ids = good_week(pc)
    pc.timesheets.submit(tech, WED)
    if decision == "approved":
        pc.timesheets.approve(boss, "tech@msp.test", WED)
    before = dump(pc.db.path)
    attempts = [
        lambda: pc.tracking.edit(tech, ids[0], duration_s=60),
        lambda: pc.tracking.delete(tech, ids[0]),
        lambda: pc.tracking.log(
            tech, day=WED, customer="ACME", duration_s=60, description="one more thing for the day"
        ),
        lambda: pc.grid.set_cell(
            tech, WED, customer="ACME", project=None, task=None, day_index=4, duration_s=60
        ),
    ]
    for attempt in attempts:
        with pytest.raises(Locked) as err:
            attempt()
        assert f"week 2026-W48 is {decision}" in err.value.message
    assert dump(pc.db.path) == before


def test_return_reopen_recall_and_refusals(pc: Punchclock) -> None:
    tech, boss, admin = (uid(pc, e) for e in ("tech@msp.test", "boss@msp.test", "admin@msp.test"))
    other = uid(pc, "other@msp.test")
    good_week(pc)
    pc.timesheets.submit(tech, WED)
    assert pc.timesheets.recall(tech, WED).status == "draft"
    pc.timesheets.submit(tech, WED)
    with pytest.raises(Forbidden):
        pc.timesheets.approve(other, "tech@msp.test", WED)  # another team's manager
    with pytest.raises(Forbidden):
        pc.timesheets.approve(tech, "tech@msp.test", WED)
    with pytest.raises(ValidationError):
        pc.timesheets.return_for_revision(boss, "tech@msp.test", WED, "  ")
    sheet = pc.timesheets.return_for_revision(boss, "tech@msp.test", WED, "split Monday")
    assert (sheet.status, sheet.note, sheet.decided_by) == (
        "returned",
        "split Monday",
        "boss@msp.test",
    )
    pc.timesheets.submit(tech, WED)
    pc.timesheets.approve(admin, "tech@msp.test", WED)
    with pytest.raises(Forbidden):
        pc.timesheets.reopen(boss, "tech@msp.test", WED, "typo")
    with pytest.raises(Conflict):
        pc.timesheets.recall(tech, WED)
    assert pc.timesheets.reopen(admin, "tech@msp.test", WED, "typo").status == "returned"


def test_manager_cannot_approve_own_week(pc: Punchclock) -> None:
    boss = uid(pc, "boss@msp.test")
    pc.timesheets.submit(boss, WED)
    with pytest.raises(Forbidden):
        pc.timesheets.approve(boss, "boss@msp.test", WED)


def test_transition_writes_sheet_event_and_outbox_in_one_go(pc: Punchclock) -> None:
    tech = uid(pc, "tech@msp.test")
    good_week(pc)
    with pc.db.read() as s:
        before = s.query(Outbox).count()
    pc.timesheets.submit(tech, WED)
    with pc.db.read() as s:
        rows = s.query(Outbox).order_by(Outbox.seq).all()[before:]
    # ONE action mutation: the server re-derives the sheet and its audit event.
    assert [(r.entity, r.op) for r in rows] == [("timesheet", "action")]
    assert rows[0].payload["data"] == {
        "action": "submit",
        "user_id": tech,
        "week_start": "2026-11-23",
        "comment": None,
        "entry_reasons": {},
    }
    with pc.db.read() as s:
        assert s.query(TimesheetEvent).count() == 1


def test_reject_queues_one_action_with_entry_reasons(pc: Punchclock) -> None:
    tech, boss = uid(pc, "tech@msp.test"), uid(pc, "boss@msp.test")
    good_week(pc)
    pc.timesheets.submit(tech, WED)
    entry = pc.tracking.entries(tech, start=MON, end=MON + timedelta(days=6))[0]
    with pc.db.read() as s:
        before = s.query(Outbox).count()
    pc.timesheets.reject(boss, "tech@msp.test", WED, "fix it", {entry.id[:8]: "which ticket?"})
    with pc.db.read() as s:
        rows = s.query(Outbox).order_by(Outbox.seq).all()[before:]
    assert [(r.entity, r.op) for r in rows] == [("timesheet", "action")]
    data = rows[0].payload["data"]
    assert (data["action"], data["comment"]) == ("reject", "fix it")
    assert data["entry_reasons"] == {entry.id: "which ticket?"}
    assert rows[0].payload["undo"]["reasons"] == {entry.id: None}
    assert pc.tracking.get(tech, entry.id).rejection_reason == "which ticket?"


def test_approvals_list_by_role(pc: Punchclock) -> None:
    tech, boss, admin, other = (
        uid(pc, e) for e in ("tech@msp.test", "boss@msp.test", "admin@msp.test", "other@msp.test")
    )
    pc.tracking.log(tech, day=MON, customer="ACME", duration_s=3600, description="stuff")
    pc.tracking.log(
        tech,
        day=WED,
        customer="ACME",
        duration_s=7200,
        description="offboarded two users from AD",
        billable=False,
    )
    pc.tracking.log(
        boss,
        day=WED,
        customer="ACME",
        duration_s=3600,
        description="quarterly review with the client",
    )
    assert pc.timesheets.approvals(boss) == []
    drafts = pc.timesheets.approvals(boss, day=WED, status="draft")
    assert [(d.sheet.user, d.total_s, d.billable_s, d.warnings) for d in drafts] == [
        ("tech@msp.test", 3 * 3600, 3600, 1)
    ]
    pc.timesheets.submit(boss, WED)
    assert [d.sheet.user for d in pc.timesheets.approvals(admin)] == ["boss@msp.test"]
    assert pc.timesheets.approvals(other, status="all") == []
    everyone = pc.timesheets.approvals(admin, status="all")
    assert {d.sheet.user for d in everyone} == {"tech@msp.test", "boss@msp.test"}
    assert everyone[0].sheet.submitted_at is None or everyone[0].sheet.status == "submitted"
    with pytest.raises(Forbidden):
        pc.timesheets.approvals(tech)
    with pytest.raises(ValidationError):
        pc.timesheets.approvals(admin, status="maybe")


def test_week_of_someone_else_needs_read_permission(pc: Punchclock) -> None:
    tech, boss, other = (uid(pc, e) for e in ("tech@msp.test", "boss@msp.test", "other@msp.test"))
    good_week(pc)
    assert pc.grid.week(boss, WED, user="tech@msp.test").total_s == 5 * 3600
    with pytest.raises(Exception, match="may see"):
        pc.grid.week(other, WED, user="tech@msp.test")
    with pytest.raises(Exception, match="may see"):
        pc.timesheets.history(tech, WED, user="boss@msp.test")
