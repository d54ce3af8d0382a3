"""Settings (profile, reminders, idle, start at login) and the first-run welcome."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from desktop.ui.dialogs.settings import SettingsDialog
from desktop.ui.dialogs.welcome import WelcomeDialog


@pytest.fixture
def settings(qtbot: Any, state: Any) -> SettingsDialog:
    dlg = SettingsDialog(state, "X11 screensaver extension")
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("workday_start", "9am", "as a time of day"),
        ("workday_end", "08:00", "must end after it starts"),
        ("end_of_week_time", "24:00", "as a time of day"),
        ("name", "   ", "name can't be empty"),
        ("timezone", "Mars/Olympus", "unknown timezone"),
    ],
)
def test_bad_values_are_refused_inline_and_nothing_is_saved(
        qtbot: Any, settings: SettingsDialog, app: Any, settle: Any, field: str, value: str,
        message: str) -> None:
    widget = getattr(settings, field)
    if field == "timezone":
        widget.setCurrentText(value)
    else:
        widget.setText(value)
    settings.target.setValue(90)
    settings.save_button.click()
    settle()
    assert settings.isVisible()
    assert message in settings.error.text()
    assert app.directory.profile().utilization_target == 75
    assert app.preferences.settings().workday_start == "09:00"


def test_saving_changes_profile_and_settings(qtbot: Any, settings: SettingsDialog, app: Any,
                                            tmp_path: Path) -> None:
    settings.name.setText("Ann Q. Tech")
    settings.hours[4].setValue(6)  # Friday
    settings.hours[5].setValue(2.5)  # Saturday
    settings.target.setValue(85)
    settings.timezone.setCurrentText("America/New_York")
    settings.first_weekday.setCurrentIndex(6)
    settings.remind_not_tracking.setChecked(False)
    settings.long_timer_h.setValue(10)
    settings.workday_start.setText("8:00")
    settings.idle_threshold.setValue(5)
    settings.start_at_login.setChecked(True)
    with qtbot.waitSignal(settings.accepted):
        settings.save_button.click()
    me = app.directory.profile()
    assert me.name == "Ann Q. Tech"
    assert me.work_schedule_s == (28800, 28800, 28800, 28800, 21600, 9000, 0)
    assert (me.utilization_target, me.timezone, me.first_weekday) == (85, "America/New_York", 6)
    s = app.preferences.settings()
    assert (s.remind_not_tracking, s.long_timer_h, s.workday_start, s.idle_threshold_min,
            s.start_at_login) == (False, 10, "08:00", 5, True)
    autostart = Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / "punchclock.desktop"
    assert "Exec=" in autostart.read_text() and "-m desktop" in autostart.read_text()


def test_profile_edit_goes_to_the_outbox(qtbot: Any, settings: SettingsDialog, app: Any) -> None:
    from sqlalchemy import select

    from desktop.core.model import Outbox

    settings.target.setValue(60)
    with qtbot.waitSignal(settings.accepted):
        settings.save_button.click()
    with app.db.read() as s:
        last = s.scalars(select(Outbox).order_by(Outbox.seq.desc())).first()
        assert (last.entity, last.op) == ("user", "update")
        assert last.payload["fields"] == ["updated_at", "utilization_target"]


def test_idle_source_is_named_or_its_absence_explained(qtbot: Any, state: Any) -> None:
    dlg = SettingsDialog(state, None)
    qtbot.addWidget(dlg)
    assert "No idle source works" in dlg.idle_source.text()
    assert str(state.app.db.path) == dlg.data_file.text()


def test_turning_start_at_login_off_removes_the_file(qtbot: Any, settings: SettingsDialog,
                                                     state: Any) -> None:
    from desktop.ui.platform import autostart

    autostart.set_enabled(True)
    dlg = SettingsDialog(state, None)
    qtbot.addWidget(dlg)
    assert dlg.start_at_login.isChecked()
    dlg.start_at_login.setChecked(False)
    with qtbot.waitSignal(dlg.accepted):
        dlg.save_button.click()
    assert not autostart.is_enabled()


# ---------------------------------------------------------------- welcome


@pytest.fixture
def empty_state(qtbot: Any, tmp_path: Path, clock: Any) -> Any:
    from desktop.core.app import Punchclock
    from desktop.core.db import open_database
    from desktop.ui.state import TrackerState

    pc = Punchclock(open_database(tmp_path / "fresh"), clock=clock)
    st = TrackerState(pc)
    st.refresh()
    yield st
    st.runner.wait(10000)
    pc.close()


def welcome(qtbot: Any, st: Any) -> WelcomeDialog:
    dlg = WelcomeDialog(st)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


@pytest.mark.parametrize(
    ("name", "email", "hours", "message"),
    [
        ("Ann", "not-an-email", "8", "is not an email address"),
        ("", "ann@example.com", "8", "name can't be empty"),
        ("Ann", "ann@example.com", "lots", "hours per day: can't read"),
        ("Ann", "ann@example.com", "30", "more than 24 hours"),
    ],
)
def test_welcome_refuses_bad_input(qtbot: Any, empty_state: Any, name: str, email: str,
                                   hours: str, message: str) -> None:
    dlg = welcome(qtbot, empty_state)
    dlg.name.setText(name)
    dlg.email.setText(email)
    dlg.hours.setText(hours)

    def rows() -> list[int]:
        return [w.mapTo(dlg, w.rect().topLeft()).y()
                for w in (dlg.name, dlg.email, dlg.hours, dlg.timezone, dlg.start_button)]

    before = rows()
    dlg.start_button.click()
    qtbot.waitUntil(lambda: dlg.error.isVisible())
    assert message in dlg.error.text()
    assert empty_state.app.directory.profile() is None
    assert rows() == before  # the error line had its space already: nothing jumps


def test_welcome_creates_the_profile(qtbot: Any, empty_state: Any) -> None:
    dlg = welcome(qtbot, empty_state)
    dlg.name.setText("Bo Field")
    dlg.email.setText("bo@example.com")
    dlg.hours.setText("7:30")
    dlg.timezone.setCurrentText("Europe/Vienna")
    with qtbot.waitSignal(dlg.accepted):
        dlg.start_button.click()
    me = empty_state.app.directory.profile()
    assert (me.name, me.email, me.timezone) == ("Bo Field", "bo@example.com", "Europe/Vienna")
    assert me.work_schedule_s[:5] == (27000,) * 5
    assert empty_state.snapshot.profile == me


def test_welcome_loads_the_demo(qtbot: Any, empty_state: Any) -> None:
    dlg = welcome(qtbot, empty_state)
    with qtbot.waitSignal(dlg.accepted, timeout=30000):
        dlg.demo_button.click()
    assert empty_state.app.directory.profile() is not None
    assert len(empty_state.app.directory.customers()) > 3
    assert empty_state.snapshot.recent
