"""The windows from the tray: menu entries per role, the submit reminder and a
rejection notification open the week, a second launch opens a window through
the single-instance socket, `punchclock timesheet` where no window can open."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.core.services.reminders import TIMESHEET, Reminder
from desktop.ui.platform.single_instance import SingleInstance, open_message
from desktop.ui.tray.controller import TrayApp
from desktop.ui.windows.timesheet.notify import week_of
from tests.ui.windows.conftest import MON

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def tray_app(qtbot: Any, app: Any) -> Any:
    ta = TrayApp(app, tray_wait_s=60, idle_source=False)
    yield ta
    ta.shutdown()


def labels(ta: TrayApp) -> list[str]:
    return [a.text() for a in ta.tray.menu.actions() if a.text()]


def test_menu_lists_the_windows_each_role_may_use(qtbot: Any, tray_app: Any, team: Any,
                                                  as_user: Any) -> None:
    tray_app.state.refresh()
    tray_app.tray.rebuild_menu()
    assert "T&imesheet…" in labels(tray_app) and "A&pprovals…" in labels(tray_app)  # admin
    as_user(team["tech"])
    tray_app.state.refresh()  # the menu follows the new profile
    assert "T&imesheet…" in labels(tray_app) and "A&pprovals…" not in labels(tray_app)
    action = next(a for a in tray_app.tray.menu.actions() if a.text() == "T&imesheet…")
    action.trigger()
    assert tray_app.timesheet is not None and tray_app.timesheet.isVisible()
    assert tray_app.open_approvals() is None  # a technician can't, whatever asks


def test_submit_reminder_opens_the_timesheet(qtbot: Any, tray_app: Any) -> None:
    tray_app.state.refresh()
    tray_app.reminder_action(Reminder("end_of_week", "k", "Submit your timesheet", "…",
                                      TIMESHEET))
    window = tray_app.timesheet
    assert window is not None and window.isVisible() and window.start == MON


def test_a_rejection_is_announced_once_and_opens_its_week(
        qtbot: Any, tray_app: Any, app: Any, team: Any, as_user: Any) -> None:
    last = MON - timedelta(days=7)
    app.tracking.log(team["tech"], day=last, customer="ACME", duration_s=3600,
                     description="patched the file servers")
    app.timesheets.submit(team["tech"], last)
    as_user(team["tech"])
    tray_app.state.refresh()
    seen: list[Reminder] = []
    tray_app.decisions.decided.connect(seen.append)
    tray_app.decisions.poll()  # what is there at start is not news
    app.timesheets.reject(team["boss"], "tech@msp.test", last, "which ticket?")
    tray_app.decisions.poll()  # the heartbeat's call (the app is not started here)
    assert len(seen) == 1
    assert seen[0].title == "Timesheet 2026-W47 rejected"
    assert seen[0].message == ("boss@msp.test rejected week 2026-W47: which ticket?. "
                               "Click to open the week.")
    assert week_of(seen[0]) == last
    tray_app.decisions.poll()
    assert len(seen) == 1
    tray_app.reminder_action(seen[0])
    assert tray_app.timesheet is not None and tray_app.timesheet.start == last


def test_second_launch_opens_a_window_in_the_running_app(qtbot: Any, tmp_path: Path) -> None:
    first = SingleInstance(tmp_path / "d")
    assert first.acquire()
    second = SingleInstance(tmp_path / "d")
    with qtbot.waitSignal(first.opened, timeout=3000) as got:
        assert second.hand_over(message=open_message("timesheet 2026-11-16"))
    assert got.args == ["timesheet 2026-11-16"]
    first.release()


def test_open_window_requests(qtbot: Any, tray_app: Any, app: Any) -> None:
    tray_app.state.refresh()
    tray_app.open_window("timesheet 2026-11-16")
    assert tray_app.timesheet is not None and tray_app.timesheet.start.isoformat() == \
        "2026-11-16"
    tray_app.open_window("approvals")
    assert tray_app.approvals is not None and tray_app.approvals.isVisible()


def test_cli_timesheet_without_a_display_says_so(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY",
                                                             "WAYLAND_DISPLAY")}
    data = tmp_path / "data"
    init = [sys.executable, "-m", "desktop", "--data-dir", str(data)]
    subprocess.run([*init, "init", "--name", "Ann", "--email", "ann@example.com"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    for args in (["timesheet", "--week", "2026-W48"], ["approvals", "--window"]):
        done = subprocess.run([*init, *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 1
        assert "no window here (no graphical session" in done.stderr
