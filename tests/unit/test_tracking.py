"""Timer and manual-entry rules of the tracking service."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from desktop.core.errors import NotFound, ValidationError
from desktop.core.model import Outbox, TimeEntry

BERLIN_0900 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
BERLIN_1030 = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
WED = date(2026, 11, 25)


def test_start_on_task_then_stop_gives_one_entry_with_task_project_customer(app, clock):
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    started = app.tracking.start(None, task="#4521", at=BERLIN_0900).entry
    running = app.tracking.running()
    assert running is not None and running.id == started.id
    assert running.elapsed_s(clock()) == 3600  # status before the stop
    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    done = app.tracking.stop(None, at=BERLIN_1030).entry
    assert done.duration_s == 5400
    assert (done.customer, done.project, done.task, done.task_ref) == (
        "ACME",
        "Server migration",
        "Migrate DC01",
        "4521",
    )
    assert done.work_date == WED and done.source == "timer"
    assert app.tracking.running() is None


def test_start_while_running_switches_at_the_same_instant(app, clock):
    app.tracking.start(None, customer="ACME", at=BERLIN_0900)
    switch_at = datetime(2026, 11, 25, 10, 15, tzinfo=UTC)
    saved = app.tracking.start(None, customer="Globex", at=switch_at)
    assert saved.stopped is not None
    assert saved.stopped.ended_at == switch_at == saved.entry.started_at
    assert saved.stopped.duration_s == 2 * 3600 + 15 * 60
    assert app.tracking.running().customer == "Globex"


def test_project_infers_customer_and_billable_defaults(app):
    e = app.tracking.start(None, project="Server migration").entry
    assert e.customer == "ACME" and e.billable is True
    e = app.tracking.start(None, customer="Northwind").entry
    assert e.billable is False  # internal customer defaults to non-billable


def test_future_start_and_stop_before_start_are_refused(app, clock):
    with pytest.raises(ValidationError, match="future"):
        app.tracking.start(None, customer="ACME", at=datetime(2026, 11, 25, 13, tzinfo=UTC))
    app.tracking.start(None, customer="ACME", at=BERLIN_1030)
    with pytest.raises(ValidationError, match="before it started"):
        app.tracking.stop(None, at=BERLIN_0900)
    with pytest.raises(ValidationError, match="future"):
        app.tracking.stop(None, at=datetime(2026, 11, 25, 13, tzinfo=UTC))


def test_stop_without_running_timer(app):
    with pytest.raises(NotFound, match="no timer is running"):
        app.tracking.stop(None)


def test_unknown_and_mismatched_targets_are_refused(app):
    with pytest.raises(NotFound):
        app.tracking.start(None, customer="Initech")
    with pytest.raises(ValidationError, match="another customer"):
        app.tracking.start(None, customer="Globex", project="Server migration")
    with pytest.raises(ValidationError, match="belongs to ACME"):
        app.tracking.start(None, customer="Globex", task="4521")
    with pytest.raises(ValidationError, match="which customer"):
        app.tracking.start(None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"duration_s": 0}, "more than zero"),
        ({"duration_s": -60}, "more than zero"),
        ({"start": time(11, 0), "end": time(10, 0)}, "not after the start"),
        ({"start": time(10, 0), "end": time(10, 0)}, "not after the start"),
        ({"duration_s": 3600, "description": "x" * 2001}, "2000"),
        ({"duration_s": 3600, "description": "bad\x07bell"}, "control"),
        ({"start": time(10, 0)}, "both a from and a to"),
        ({}, "give the hours"),
    ],
)
def test_bad_manual_entries_are_refused_and_change_nothing(app, kwargs, message):
    before = _outbox_count(app)
    args = {"day": WED, "customer": "ACME", "description": "Patched the file server"} | kwargs
    with pytest.raises(ValidationError, match=message):
        app.tracking.log(None, **args)
    assert app.tracking.entries(None, start=WED, end=WED) == []
    assert _outbox_count(app) == before


def test_a_day_can_not_pass_24_hours(app):
    app.tracking.log(None, day=WED, customer="ACME", duration_s=20 * 3600, description="long")
    with pytest.raises(ValidationError, match="24:00"):
        app.tracking.log(
            None, day=WED, customer="ACME", duration_s=4 * 3600 + 60, description="too long"
        )
    app.tracking.log(None, day=WED, customer="ACME", duration_s=4 * 3600, description="exact")
    assert app.tracking.day_total_s(None, WED) == 24 * 3600


def test_overlaps_warn_but_touching_boundaries_do_not(app):
    first = app.tracking.log(
        None,
        day=WED,
        customer="ACME",
        start=time(9),
        end=time(10),
        description="first migration step",
    ).entry
    touching = app.tracking.log(
        None,
        day=WED,
        customer="ACME",
        start=time(10),
        end=time(11),
        description="touching the first one",
    )
    assert touching.warnings == ()
    overlapping = app.tracking.log(
        None,
        day=WED,
        customer="Globex",
        start=time(9, 30),
        end=time(10, 30),
        description="overlapping the other two",
    )
    assert len(overlapping.warnings) == 2
    assert first.id[:8] in overlapping.warnings[0]


def test_billable_flag_resolution_task_then_project_then_customer(app):
    me = app.directory.profile()
    app.directory.add_project(me.id, "ACME", "Warranty work", billable=False)
    app.directory.add_task(me.id, customer="ACME", project="Warranty work", title="RMA", ref="77")
    app.directory.add_task(
        me.id,
        customer="ACME",
        project="Warranty work",
        title="Billable extra",
        ref="78",
        billable=True,
    )
    log = app.tracking.log
    assert log(None, day=WED, customer="ACME", duration_s=60, description="a").entry.billable
    assert not log(
        None, day=WED, project="Warranty work", duration_s=60, description="b"
    ).entry.billable
    assert not log(None, day=WED, task="77", duration_s=60, description="c").entry.billable
    assert log(None, day=WED, task="78", duration_s=60, description="d").entry.billable
    assert not log(
        None, day=WED, task="78", duration_s=60, description="e", billable=False
    ).entry.billable


def test_edit_and_delete(app):
    e = app.tracking.log(
        None, day=WED, customer="ACME", start=time(9), end=time(10), description="first"
    ).entry
    changed = app.tracking.edit(None, e.id, duration_s=5400, description="patched").entry
    assert changed.duration_s == 5400 and changed.description == "patched"
    assert changed.ended_at - changed.started_at == (BERLIN_1030 - BERLIN_0900)
    moved = app.tracking.edit(None, e.id, project="Server migration").entry
    assert moved.project == "Server migration" and moved.customer == "ACME"
    with pytest.raises(ValidationError, match="another customer"):
        app.tracking.edit(None, e.id, customer="Globex", project="Server migration")
    app.tracking.delete(None, e.id[:8])
    assert app.tracking.entries(None, start=WED, end=WED) == []
    with app.db.read() as s:  # a tombstone, not a hard delete
        row = s.get(TimeEntry, e.id)
        assert row is not None and row.deleted_at is not None
    with pytest.raises(NotFound):
        app.tracking.edit(None, e.id, description="back from the dead")


def test_only_the_owner_changes_an_entry(app):
    me = app.directory.profile()
    bob = app.directory.add_user(me.id, "bob@example.com", name="Bob")
    e = app.tracking.log(
        bob.id, day=WED, customer="ACME", duration_s=600, description="bob's"
    ).entry
    with pytest.raises(Exception, match="owner"):
        app.tracking.edit(me.id, e.id, description="mine now")


def test_each_mutation_writes_exactly_one_outbox_row(app):
    before = _outbox_count(app)
    e = app.tracking.log(None, day=WED, customer="ACME", duration_s=600, description="a").entry
    assert _outbox_count(app) == before + 1
    app.tracking.edit(None, e.id, description="b")
    assert _outbox_count(app) == before + 2
    app.tracking.delete(None, e.id)
    assert _outbox_count(app) == before + 3
    app.tracking.start(None, customer="ACME", at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    app.tracking.start(None, customer="Globex")  # switch: the stop and the start
    assert _outbox_count(app) == before + 6
    with app.db.read() as s:
        ops = [(o.entity, o.op) for o in s.scalars(select(Outbox).order_by(Outbox.seq))][-6:]
    assert ops == [
        ("time_entry", "create"),
        ("time_entry", "update"),
        ("time_entry", "delete"),
        ("time_entry", "create"),
        ("time_entry", "update"),
        ("time_entry", "create"),
    ]


def test_work_date_is_the_local_date_at_start(app, clock):
    # 23:30 UTC on the 25th is 00:30 on the 26th in Berlin.
    clock.set(datetime(2026, 11, 26, 1, 0, tzinfo=UTC))
    e = app.tracking.start(
        None, customer="ACME", at=datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    ).entry
    assert e.work_date == date(2026, 11, 26)


def _outbox_count(app) -> int:
    with app.db.read() as s:
        return s.scalar(select(func.count()).select_from(Outbox))


# ----------------------------------------------- entry-time description policy


def test_billable_entry_without_description_is_refused_everywhere_with_one_message(app):
    from desktop.core.rules import EMPTY_BILLABLE

    with pytest.raises(ValidationError) as refused:
        app.tracking.log(None, day=WED, customer="ACME", duration_s=600, description="  ")
    assert refused.value.message == EMPTY_BILLABLE
    assert app.tracking.entries(None, start=WED, end=WED) == []
    # non-billable time needs none
    e = app.tracking.log(
        None, day=WED, customer="ACME", duration_s=600, description="", billable=False
    ).entry
    assert e.description == "" and not e.billable
    # turning it billable without a description is refused too, and changes nothing
    with pytest.raises(ValidationError, match="needs a description"):
        app.tracking.edit(None, e.id, billable=True)
    assert app.tracking.get(None, e.id).billable is False


def test_short_or_vague_description_saves_with_a_warning(app):
    saved = app.tracking.log(None, day=WED, customer="ACME", duration_s=600, description="stuff")
    assert saved.entry.description == "stuff"
    assert saved.warnings == (
        'Wed 2026-11-25: "stuff" is too vague for billable time; say what was done and why',
    )
    saved = app.tracking.edit(None, saved.entry.id, description="fixed it")
    assert saved.warnings == (
        'Wed 2026-11-25: "fixed it" is too short; billable time needs at least 15 characters',
    )
    saved = app.tracking.edit(None, saved.entry.id, description="replaced the failed RAID disk")
    assert saved.warnings == ()


def test_a_timer_may_run_without_description_and_its_stop_warns(app, clock):
    from desktop.core.rules import EMPTY_BILLABLE

    started = app.tracking.start(None, customer="ACME", at=BERLIN_0900)
    assert started.warnings == ()
    stopped = app.tracking.stop(None)
    assert stopped.entry.duration_s == 4 * 3600  # 08:00 to 12:00 UTC
    assert stopped.warnings == (EMPTY_BILLABLE,)


def test_policy_without_minimum_asks_for_no_description(app):
    me = app.directory.profile()
    app.company.set_policy(me.id, min_description=0)
    saved = app.tracking.log(None, day=WED, customer="ACME", duration_s=600, description="")
    assert saved.warnings == ()


# ------------------------------------------------------------------ switching


def test_switch_within_the_first_minute_drops_the_timer(app, clock):
    first = app.tracking.start(
        None, customer="ACME", at=datetime(2026, 11, 25, 11, 59, 1, tzinfo=UTC)
    )
    saved = app.tracking.start(None, customer="Globex")  # 59 s later
    assert saved.stopped is None
    assert saved.dropped is not None and saved.dropped.id == first.entry.id
    assert [e.customer for e in app.tracking.entries(None, start=WED, end=WED)] == ["Globex"]
    assert all(
        e.duration_s > 0 or e.running for e in app.tracking.entries(None, start=WED, end=WED)
    )


def test_switch_after_a_minute_keeps_the_timer(app, clock):
    app.tracking.start(None, customer="ACME", at=datetime(2026, 11, 25, 11, 59, 0, tzinfo=UTC))
    saved = app.tracking.start(None, customer="Globex")  # 60 s later
    assert saved.dropped is None and saved.stopped is not None
    assert saved.stopped.duration_s == 60


def test_stop_within_the_first_minute_drops_the_timer(app, clock):
    first = app.tracking.start(
        None, customer="ACME", at=datetime(2026, 11, 25, 11, 59, 30, tzinfo=UTC)
    )
    saved = app.tracking.stop(None)
    assert saved.dropped is not None and saved.dropped.id == first.entry.id
    assert app.tracking.entries(None, start=WED, end=WED) == []
    assert app.tracking.running() is None
    with app.db.read() as s:
        ops = [o.op for o in s.scalars(select(Outbox).order_by(Outbox.seq))][-2:]
    assert ops == ["create", "delete"]


def test_recent_combinations_remember_their_last_description(app, clock):
    app.tracking.log(
        None, day=WED, customer="ACME", duration_s=600, description="patched the file servers"
    )
    app.tracking.log(None, day=WED, customer="ACME", duration_s=600, description="", billable=False)
    app.tracking.log(
        None, day=WED, task="#4521", duration_s=600, description="migrated the domain controller"
    )
    recent = {c.task_ref or c.customer: c.description for c in app.tracking.recent()}
    assert recent == {"4521": "migrated the domain controller", "ACME": "patched the file servers"}


def test_today_lists_the_days_entries_with_locks_notes_and_totals(app, clock):
    me = app.directory.profile()
    app.tracking.log(
        None,
        day=date(2026, 11, 23),
        customer="ACME",
        duration_s=7200,
        description="patched the file servers",
    )  # Monday, same week
    app.tracking.log(
        None, day=WED, task="#4521", start=time(8), end=time(9, 30), description="stuff"
    )
    app.tracking.start(
        None, customer="Globex", billable=False, at=datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    )
    today = app.tracking.today()
    assert today.day == WED and today.week == "2026-W48"
    assert [(i.entry.label, i.locked) for i in today.entries] == [
        ("ACME › Server migration › #4521 Migrate DC01", None),
        ("Globex", None),
    ]
    assert "too vague" in today.entries[0].note and today.entries[1].note is None
    assert today.scheduled_s == me.work_schedule_s[2]
    assert (today.day_closed_s, today.week_closed_s) == (5400, 12600)
    assert (today.day_s(clock()), today.week_s(clock())) == (5400 + 3600, 12600 + 3600)
    app.tracking.stop(None)
    app.tracking.edit(None, today.entries[0].entry.id, description="moved the FSMO roles to DC02")
    app.timesheets.submit(None, WED)
    locked = app.tracking.today()
    assert {i.locked for i in locked.entries} == {
        "week 2026-W48 is submitted; its entries can't be changed"
    }


def test_the_grid_applies_the_same_rule_and_reuses_the_rows_description(app):
    from desktop.core.rules import EMPTY_BILLABLE

    mon = date(2026, 11, 23)
    with pytest.raises(ValidationError) as refused:
        app.grid.set_cell(
            None, mon, customer="Globex", project=None, task=None, day_index=0, duration_s=3600
        )
    assert refused.value.message == EMPTY_BILLABLE
    app.grid.set_cell(
        None,
        mon,
        customer="Globex",
        project=None,
        task=None,
        day_index=0,
        duration_s=3600,
        description="firewall rules review",
    )
    # the next cell of the row takes the row's last description
    app.grid.set_cell(
        None, mon, customer="Globex", project=None, task=None, day_index=1, duration_s=1800
    )
    texts = [e.description for e in app.tracking.entries(None, start=mon, end=WED)]
    assert texts == ["firewall rules review", "firewall rules review"]
    assert app.grid.description_warning("", True, mon) == EMPTY_BILLABLE
