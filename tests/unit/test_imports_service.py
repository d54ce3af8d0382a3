"""ImportService: one transaction, idempotent, dry run writes nothing, a bad
row in the middle stops everything unless partial, locked weeks skipped,
names created (or mapped), tickets, permissions, outbox rows."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.core.app import Punchclock
from desktop.core.errors import Forbidden, ValidationError
from desktop.core.model import ImportKey, Outbox, TimeEntry
from desktop.core.services.imports import load_map

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
WEEK = (date(2026, 11, 23), date(2026, 11, 29))


def text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8-sig")


def entries(app: Punchclock, who: str | None = None):
    uid = app.directory.user(who).id if who else None
    return sorted(
        app.tracking.entries(uid, start=WEEK[0], end=WEEK[1]),
        key=lambda e: (e.work_date, e.started_at or e.ended_at or e.work_date),
    )


def count(app: Punchclock, model) -> int:
    with app.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_toggl_import_creates_names_entries_and_outbox_rows(msp: Punchclock):
    before = count(msp, Outbox)
    report = msp.imports.run(None, "toggl", text("toggl.csv"))
    assert (report.rows, report.added, report.duplicates, report.refused) == (3, 3, 0, ())
    got = entries(msp)
    assert [(e.customer, e.project, e.task_ref, e.duration_s, e.billable) for e in got] == [
        ("ACME Corp", "Server migration", "4521", 5400, True),
        ("Internal", None, None, 900, False),
        ("Globex", "Helpdesk", None, 2700, True),
    ]
    assert got[0].started_at.isoformat() == "2026-11-23T09:00:00+00:00"
    assert got[2].work_date == date(2026, 11, 24) and got[2].task == "Printer queue"
    assert {e.source for e in got} == {"manual"}
    # 3 entries + ACME, its project, the #4521 task, Internal, Globex, Helpdesk, Printer queue
    assert count(msp, Outbox) - before == 3 + 7
    assert count(msp, ImportKey) == 3


def test_a_second_import_adds_nothing(msp: Punchclock):
    msp.imports.run(None, "toggl", text("toggl.csv"))
    outbox = count(msp, Outbox)
    again = msp.imports.run(None, "toggl", text("toggl.csv"))
    assert (again.added, again.duplicates) == (0, 3)
    assert len(entries(msp)) == 3 and count(msp, Outbox) == outbox


def test_a_deleted_imported_entry_does_not_come_back(msp: Punchclock):
    msp.imports.run(None, "watson", text("watson_frames.json"))
    first = entries(msp)[0]
    msp.tracking.delete(None, first.id)
    assert msp.imports.run(None, "watson", text("watson_frames.json")).added == 0
    assert len(entries(msp)) == 1


def test_dry_run_writes_nothing_and_proposes_the_mapping(msp: Punchclock):
    before = (count(msp, Outbox), count(msp, TimeEntry), len(msp.directory.customers()))
    report = msp.imports.run(None, "toggl", text("toggl.csv"), dry_run=True)
    assert report.dry_run and report.added == 3 and report.added_s == 5400 + 900 + 2700
    assert (count(msp, Outbox), count(msp, TimeEntry), len(msp.directory.customers())) == before
    assert count(msp, ImportKey) == 0
    labels = {
        (m.source.label, m.target.label if m.target else None, m.new, m.rows)
        for m in report.mapping
    }
    assert labels == {
        (
            "ACME Corp › Server migration",
            "ACME Corp › Server migration",
            ("customer", "project", "task"),
            1,
        ),
        ("Internal", "Internal", ("customer",), 1),
        (
            "Globex › Helpdesk › Printer queue",
            "Globex › Helpdesk › Printer queue",
            ("customer", "project", "task"),
            1,
        ),
    }
    # and a real run after the dry run still adds everything
    assert msp.imports.run(None, "toggl", text("toggl.csv")).added == 3


def _with_bad_middle_row() -> str:
    lines = text("toggl.csv").splitlines()
    lines.insert(2, lines[1].replace("10:30:00", "ten thirty"))
    return "\n".join(lines) + "\n"


def test_one_bad_row_in_the_middle_imports_nothing_and_names_the_row(msp: Punchclock):
    before = (count(msp, Outbox), count(msp, TimeEntry), len(msp.directory.customers()))
    with pytest.raises(ValidationError) as caught:
        msp.imports.run(None, "toggl", _with_bad_middle_row())
    assert "nothing imported: 1 of 4 rows refused" in caught.value.message
    assert [p.message for p in caught.value.problems] == [
        'line 3: can\'t read end time "ten thirty"; expected 14:05, 14:05:30 or 2:05 PM'
    ]
    assert (count(msp, Outbox), count(msp, TimeEntry), len(msp.directory.customers())) == before


def test_partial_writes_the_good_rows_and_lists_the_bad(msp: Punchclock):
    report = msp.imports.run(None, "toggl", _with_bad_middle_row(), partial=True)
    assert report.added == 3 and [r.line for r in report.refused] == [3]
    assert len(entries(msp)) == 3


def test_rows_in_a_locked_week_are_reported_and_skipped(msp: Punchclock):
    tech = msp.directory.user("tech@msp.test").id
    boss = msp.directory.user("boss@msp.test").id
    msp.timesheets.submit(tech, date(2026, 11, 23))
    report = msp.imports.run(None, "harvest", text("harvest.csv"), user="tech@msp.test")
    assert report.added == 0 and [x.line for x in report.locked] == [2, 3]
    assert "submitted" in report.locked[0].reason and report.refused == ()
    msp.timesheets.approve(boss, "tech@msp.test", date(2026, 11, 23))
    assert entries(msp, "tech@msp.test") == []


def test_a_day_over_24_hours_and_a_future_entry_are_refused(msp: Punchclock):
    msp.directory.add_customer(None, "Existing")
    msp.tracking.log(
        None,
        day=date(2026, 11, 23),
        customer="Existing",
        duration_s=23 * 3600,
        description="long day",
    )
    lines = text("harvest.csv").splitlines()
    lines.append(lines[1].replace("2026-11-23", "2026-12-01").replace(",1.5,", ",1,"))
    with pytest.raises(ValidationError) as caught:
        msp.imports.run(None, "harvest", "\n".join(lines) + "\n")
    reasons = [p.message for p in caught.value.problems]
    assert reasons[0].startswith("line 2: 2026-11-23 would total 24:30")
    assert reasons[1] == "line 4: the entry ends in the future"


def test_a_map_file_renames_and_drops_paths(msp: Punchclock):
    msp.directory.add_customer(None, "ACME Corporation")
    plan = msp.imports.run(None, "timewarrior", text("timew_export.json"), dry_run=True)
    doc = json.loads(
        json.dumps(
            {"mapping": [{"from": _path(m.source), "to": _path(m.target)} for m in plan.mapping]}
        )
    )
    for item in doc["mapping"]:
        if item["from"]["customer"] == "ACME Corp":
            item["to"]["customer"] = "acme corporation"
        else:
            item["to"] = None
    report = msp.imports.run(
        None,
        "timewarrior",
        text("timew_export.json"),
        mapping=load_map(json.dumps(doc)),
        partial=True,
    )
    assert report.added == 1 and [r.line for r in report.refused] == [3]
    assert "mapped to nothing" in report.refused[0].reason
    (e,) = entries(msp)
    assert (e.customer, e.project, e.task_ref) == ("ACME Corporation", "Server migration", "4521")


def _path(p):
    return None if p is None else {"customer": p.customer, "project": p.project, "task": p.task}


def test_a_known_ticket_finds_its_task(msp: Punchclock):
    msp.directory.add_customer(None, "ACME Corp")
    task = msp.directory.add_task(
        None, customer="ACME Corp", title="Migrate the server", ref="4521"
    )
    msp.imports.run(None, "kimai", text("kimai.csv"))
    first = entries(msp)[0]
    assert first.task_id == task.id and first.project is None


def test_technicians_cant_create_customers_but_can_import_onto_known_ones(msp: Punchclock):
    tech = msp.directory.user("tech@msp.test").id
    with pytest.raises(ValidationError) as caught:
        msp.imports.run(tech, "watson", text("watson_frames.json"))
    assert "only managers and admins add customers" in caught.value.problems[0].message
    msp.directory.add_customer(None, "Globex")
    report = msp.imports.run(tech, "watson", text("watson_frames.json"), partial=True)
    assert report.added == 1 and len(report.refused) == 1


def test_only_admins_import_for_someone_else(msp: Punchclock):
    tech = msp.directory.user("tech@msp.test").id
    with pytest.raises(Forbidden):
        msp.imports.run(tech, "watson", text("watson_frames.json"), user="boss@msp.test")
    report = msp.imports.run(None, "watson", text("watson_frames.json"), user="tech@msp.test")
    assert report.user == "tech@msp.test" and len(entries(msp, "tech@msp.test")) == 2


def test_wall_clock_times_are_the_users_timezone(msp: Punchclock):
    msp.preferences.update_profile(None, timezone="America/New_York")
    msp.imports.run(None, "toggl", text("toggl_12h.csv"))
    first = entries(msp)[0]
    assert first.started_at.isoformat() == "2026-11-23T18:05:00+00:00"  # 1:05 PM EST


def test_a_bad_map_file_is_one_clear_error():
    with pytest.raises(ValidationError, match="not JSON"):
        load_map("{")
    with pytest.raises(ValidationError, match='"from"'):
        load_map('[{"to": null}]')


def test_imported_outbox_rows_carry_what_the_stored_rows_hold(msp: Punchclock):
    """Bulk-written entries queue the same payload :func:`outbox.record` would
    make of the stored row, names before the entries that use them."""
    from desktop.core import outbox
    from desktop.core.model import Customer, Project, Task

    msp.imports.run(None, "toggl", text("toggl.csv"))
    kinds = {"customer": Customer, "project": Project, "task": Task, "time_entry": TimeEntry}
    with msp.db.read() as s:
        items = list(s.scalars(select(Outbox).where(Outbox.entity.in_(kinds)).order_by(Outbox.seq)))
        seen: set[str] = set()
        for item in items:
            row = s.get(kinds[item.entity], item.entity_id)
            assert item.payload == {"data": outbox.row_data(row)}, item.entity
            assert item.op == "create" and item.base_version == 0 and item.state == "pending"
            if item.entity == "time_entry":
                assert {row.customer_id, row.project_id, row.task_id} - {None} <= seen
            seen.add(item.entity_id)


def test_a_known_ticket_of_another_named_customer_refuses_the_row(msp: Punchclock):
    msp.directory.add_customer(None, "ACME Corp")
    msp.directory.add_customer(None, "Globex")
    msp.directory.add_task(None, customer="Globex", title="Printer", ref="4521")
    report = msp.imports.run(None, "kimai", text("kimai.csv"), partial=True)
    assert [(r.line, r.reason) for r in report.refused] == [
        (2, 'ticket #4521 is task "Printer" of another customer')
    ]
    assert report.added == 1
