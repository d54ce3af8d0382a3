"""Idle detection (fake source and clocks) and the four choices of the idle dialog."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from desktop.ui.dialogs.idle import IdleDialog
from desktop.ui.platform.idle import IdleDetector

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class FakeIdle:
    name = "fake"

    def __init__(self) -> None:
        self.value: float | None = 0.0

    def idle_seconds(self) -> float | None:
        return self.value


class Clocks:
    def __init__(self) -> None:
        self.wall = T0
        self.mono = 1000.0

    def tick(self, seconds: float, *, asleep: bool = False) -> None:
        self.wall += timedelta(seconds=seconds)
        if not asleep:  # the monotonic clock stops while the machine sleeps
            self.mono += seconds


def detector(source: Any, threshold_s: int = 600) -> tuple[IdleDetector, Clocks]:
    clocks = Clocks()
    det = IdleDetector(source, threshold_s, wall=lambda: clocks.wall, mono=lambda: clocks.mono)
    return det, clocks


def test_idle_span_is_reported_when_the_user_returns() -> None:
    src = FakeIdle()
    det, clocks = detector(src)
    assert det.poll() is None
    for _ in range(15):  # 15 minutes without input
        clocks.tick(60)
        src.value = (clocks.wall - T0).total_seconds()
        assert det.poll() is None
    assert det.away_since == T0
    clocks.tick(1)
    src.value = 0.5  # a key was pressed
    span = det.poll()
    assert span is not None and span.reason == "idle"
    assert span.start == T0
    assert span.end == clocks.wall - timedelta(seconds=0.5)
    assert det.poll() is None  # reported once


def test_short_idle_is_ignored() -> None:
    src = FakeIdle()
    det, clocks = detector(src)
    det.poll()
    clocks.tick(300)
    src.value = 300
    assert det.poll() is None
    clocks.tick(1)
    src.value = 0
    assert det.poll() is None and det.away_since is None


def test_sleep_is_detected_from_the_clock_jump_without_a_source() -> None:
    det, clocks = detector(None)
    det.poll()
    before = clocks.wall
    clocks.tick(3600, asleep=True)
    span = det.poll()
    assert span is not None and span.reason == "sleep"
    assert (span.start, span.end) == (before, clocks.wall)


def test_a_short_sleep_is_ignored_and_so_is_a_normal_tick() -> None:
    det, clocks = detector(None)
    det.poll()
    clocks.tick(1)
    assert det.poll() is None
    clocks.tick(120, asleep=True)
    assert det.poll() is None


def test_a_failing_source_reading_waits_for_the_next_tick() -> None:
    src = FakeIdle()
    det, clocks = detector(src)
    det.poll()
    clocks.tick(900)
    src.value = 900
    det.poll()
    clocks.tick(1)
    src.value = None
    assert det.poll() is None and det.away_since is not None


# ------------------------------------------------------------ the dialog


@pytest.fixture
def running(app: Any, clock: Any, state: Any) -> Any:
    """A timer on #4521 from 11:00 to now (13:00 Berlin = 12:00 UTC); away 11:20–12:00."""
    app.tracking.start(None, task="4521", description="cutover",
                       at=clock.now - timedelta(hours=1))
    state.refresh()
    return state.snapshot.running


def open_dialog(qtbot: Any, state: Any, entry: Any, clock: Any) -> IdleDialog:
    dlg = IdleDialog(state, entry, clock.now - timedelta(minutes=40), clock.now)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def all_entries(app: Any) -> list[Any]:
    rows = app.tracking.entries(None, start=date(2026, 11, 1), end=date(2026, 11, 30))
    return sorted(rows, key=lambda e: (e.started_at, e.customer))


def span(e: Any) -> tuple[str, str | None, int]:
    return (e.started_at.strftime("%H:%M"),
            e.ended_at.strftime("%H:%M") if e.ended_at else None, e.duration_s)


def test_message_names_the_span_and_the_work(qtbot: Any, state: Any, running: Any,
                                             clock: Any) -> None:
    dlg = open_dialog(qtbot, state, running, clock)
    text = dlg.message.text()
    assert "12:20 to 13:00 (0:40)" in text  # Berlin time
    assert "ACME › Server migration › #4521" in text


def test_keep(qtbot: Any, state: Any, app: Any, running: Any, clock: Any) -> None:
    dlg = open_dialog(qtbot, state, running, clock)
    with qtbot.waitSignal(dlg.accepted):
        dlg.keep_button.click()
    [entry] = all_entries(app)
    assert entry.running and entry.started_at == clock.now - timedelta(hours=1)


def test_discard_idle_time(qtbot: Any, state: Any, app: Any, running: Any, clock: Any) -> None:
    dlg = open_dialog(qtbot, state, running, clock)
    with qtbot.waitSignal(dlg.accepted):
        dlg.discard_button.click()
    [entry] = all_entries(app)
    assert span(entry) == ("11:00", "11:20", 20 * 60)
    assert app.tracking.running() is None


def test_discard_and_continue(qtbot: Any, state: Any, app: Any, running: Any,
                              clock: Any) -> None:
    dlg = open_dialog(qtbot, state, running, clock)
    with qtbot.waitSignal(dlg.accepted):
        dlg.continue_button.click()
    first, again = all_entries(app)
    assert span(first) == ("11:00", "11:20", 1200)
    assert span(again) == ("12:00", None, 0) and again.running
    assert (again.task_ref, again.description, again.billable) == ("4521", "cutover", True)
    assert state.snapshot.running.id == again.id


def test_assign_to_another_customer(qtbot: Any, state: Any, app: Any, running: Any,
                                    clock: Any) -> None:
    dlg = open_dialog(qtbot, state, running, clock)
    dlg.assign_button.click()
    assert dlg.picker.isVisible()
    dlg.assign_ok.click()  # no customer chosen yet
    assert "choose the customer" in dlg.error.text()
    dlg.picker.customer.setCurrentIndex(dlg.picker.customer.findText("Globex"))
    with qtbot.waitSignal(dlg.accepted):
        dlg.assign_ok.click()
    first, idle, again = all_entries(app)
    assert span(first) == ("11:00", "11:20", 1200) and first.task_ref == "4521"
    assert span(idle) == ("11:20", "12:00", 2400)
    assert (idle.customer, idle.source, idle.billable) == ("Globex", "idle-split", True)
    assert span(again) == ("12:00", None, 0) and again.task_ref == "4521"


def test_idle_start_before_the_timer_start_is_clamped(qtbot: Any, state: Any, app: Any,
                                                      running: Any, clock: Any) -> None:
    dlg = IdleDialog(state, running, clock.now - timedelta(hours=3), clock.now)
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.accepted):
        dlg.discard_button.click()
    [entry] = all_entries(app)
    assert span(entry) == ("11:00", "11:00", 0)


def test_refusal_is_shown_inline(qtbot: Any, state: Any, app: Any, running: Any,
                                 clock: Any) -> None:
    dlg = open_dialog(qtbot, state, running, clock)
    app.tracking.stop(None)  # stopped elsewhere (the CLI) meanwhile
    dlg.discard_button.click()
    qtbot.waitUntil(lambda: dlg.error.isVisible())
    assert "no timer is running" in dlg.error.text()
    assert dlg.discard_button.isEnabled()
