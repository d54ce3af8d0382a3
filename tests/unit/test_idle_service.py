"""Idle resolution in the core: each choice, the midnight split, and refusals
that leave the running timer untouched."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from desktop.core.errors import ValidationError
from desktop.core.services.idle import ASSIGN, DISCARD, DISCARD_CONTINUE, KEEP

START = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # 09:00 Berlin
IDLE = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
BACK = datetime(2026, 11, 25, 9, 40, tzinfo=UTC)


@pytest.fixture
def timer(app):
    return app.tracking.start(None, task="4521", at=START, description="moving FSMO").entry


def test_keep_changes_nothing(app, timer):
    assert app.idle.resolve(None, KEEP, idle_start=IDLE, back=BACK) == []
    assert app.tracking.running().id == timer.id


def test_discard_stops_at_idle_start(app, timer):
    written = app.idle.resolve(None, DISCARD, idle_start=IDLE, back=BACK)
    assert [w.entry.ended_at for w in written] == [IDLE]
    assert written[0].entry.duration_s == 3600
    assert app.tracking.running() is None


def test_discard_and_continue_restarts_the_same_work_at_return(app, timer):
    written = app.idle.resolve(None, DISCARD_CONTINUE, idle_start=IDLE, back=BACK)
    again = app.tracking.running()
    assert written[-1].entry.id == again.id != timer.id
    assert again.started_at == BACK
    assert (again.task, again.description, again.billable) == (
        timer.task, "moving FSMO", timer.billable)


def test_assign_logs_the_span_elsewhere_and_continues(app, timer):
    written = app.idle.resolve(None, ASSIGN, idle_start=IDLE, back=BACK,
                               other=("Globex", None, None))
    stopped, split, again = (w.entry for w in written)
    assert stopped.duration_s == 3600
    assert (split.customer, split.source, split.started_at, split.ended_at) == (
        "Globex", "idle-split", IDLE, BACK)
    assert split.duration_s == 40 * 60
    assert again.started_at == BACK and again.running


def test_assign_across_midnight_splits_at_local_midnight(app, clock):
    clock.set(datetime(2026, 11, 26, 2, 0, tzinfo=UTC))
    app.tracking.start(None, customer="ACME", at=datetime(2026, 11, 25, 21, 0, tzinfo=UTC))
    idle = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)  # 23:30 Berlin
    back = datetime(2026, 11, 26, 0, 15, tzinfo=UTC)  # 01:15 Berlin
    written = app.idle.resolve(None, ASSIGN, idle_start=idle, back=back,
                               other=("Globex", None, None))
    splits = [w.entry for w in written if w.entry.source == "idle-split"]
    assert [(e.work_date, e.duration_s) for e in splits] == [
        (date(2026, 11, 25), 30 * 60), (date(2026, 11, 26), 75 * 60)]
    assert splits[0].ended_at == splits[1].started_at == datetime(2026, 11, 25, 23, 0,
                                                                  tzinfo=UTC)


def test_a_refused_assignment_leaves_the_timer_running(app, timer):
    with pytest.raises(Exception, match="Initech"):
        app.idle.resolve(None, ASSIGN, idle_start=IDLE, back=BACK,
                         other=("Initech", None, None))
    running = app.tracking.running()
    assert running.id == timer.id and running.started_at == START
    with pytest.raises(ValidationError, match="choose the customer"):
        app.idle.resolve(None, ASSIGN, idle_start=IDLE, back=BACK)
    assert app.tracking.running().id == timer.id
