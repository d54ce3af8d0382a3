"""The tray menu and tooltip (offscreen: the QSystemTrayIcon exists, unshown)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from desktop.ui.tray.menu import LOCAL_ONLY, TrayIcon, WindowEntry, tooltip_text


def texts(tray: TrayIcon) -> list[str]:
    return [a.text() for a in tray.menu.actions() if a.text()]


def test_menu_without_timer(qtbot: Any, state: Any) -> None:
    tray = TrayIcon(state)
    items = texts(tray)
    assert items[0] == "No timer running"
    assert "&Start timer…" in items and "&Log time…" in items
    assert items[-2:] == ["Se&ttings…", "&Quit"]
    # Windows that don't exist yet are absent, not dead.
    for missing in ("Timesheet", "Timeline", "Approvals", "Reports", "Sync &now"):
        assert not any(missing in t for t in items)
    status = next(a for a in tray.menu.actions() if a.text() == LOCAL_ONLY)
    assert not status.isEnabled()


def test_running_timer_stop_and_recent(qtbot: Any, state: Any, app: Any, clock: Any,
                                       settle: Any) -> None:
    app.tracking.start(None, customer="Globex", at=clock.now - timedelta(hours=2))
    app.tracking.start(None, task="4521", at=clock.now - timedelta(minutes=83))
    state.refresh()
    tray = TrayIcon(state)
    items = texts(tray)
    assert items[0] == "▶ ACME › Server migration › #4521 Migrate DC01 — 1:23"
    assert items[1] == "S&top timer"
    recent = [a for a in tray.menu.actions() if a.isCheckable()]
    assert [a.text() for a in recent] == ["ACME › Server migration › #4521 Migrate DC01", "Globex"]
    assert recent[0].isChecked() and not recent[1].isChecked()
    recent[1].trigger()  # one click switches
    settle()
    assert app.tracking.running().customer == "Globex"
    stop = next(a for a in tray.menu.actions() if a.text() == "S&top timer")
    stop.trigger()
    settle()
    assert app.tracking.running() is None
    assert texts(tray)[0] == "No timer running"


def test_at_most_five_recent(qtbot: Any, state: Any, app: Any, clock: Any) -> None:
    me = app.directory.profile()
    for i in range(7):
        app.directory.add_task(me.id, customer="Globex", title=f"Ticket {i}", ref=f"90{i}")
        app.tracking.log(None, day=clock.now.date(), task=f"90{i}", duration_s=600,
                         description="worked the ticket queue")
    state.refresh()
    tray = TrayIcon(state)
    assert len([a for a in tray.menu.actions() if a.isCheckable()]) == 5


def test_tooltip_format(qtbot: Any, state: Any, app: Any, clock: Any) -> None:
    app.tracking.log(None, day=clock.now.date(), customer="Globex", duration_s=3 * 3600 + 47 * 60,
                     description="quarterly network review")
    app.tracking.start(None, task="4521", at=clock.now - timedelta(minutes=83))
    state.refresh()
    assert tooltip_text(state) == "ACME › Server migration › #4521 Migrate DC01 — 1:23 (today 5:10)"
    tray = TrayIcon(state)
    assert tray.icon.toolTip() == "ACME › Server migration › #4521 Migrate DC01 — 1:23 (today 5:10)"
    clock.advance(minutes=1)
    state.heartbeat.emit()
    assert tray.icon.toolTip() == "ACME › Server migration › #4521 Migrate DC01 — 1:24 (today 5:11)"


def test_icon_changes_with_running_state(qtbot: Any, state: Any, app: Any) -> None:
    tray = TrayIcon(state)
    idle_key = tray.icon.icon().cacheKey()
    app.tracking.start(None, customer="Globex")
    state.refresh()
    assert tray.icon.icon().cacheKey() != idle_key
    assert not tray.icon.icon().pixmap(16, 16).isNull()


def test_windows_are_listed_by_role(qtbot: Any, state: Any) -> None:
    tray = TrayIcon(state)
    opened: list[str] = []
    tray.windows = [
        WindowEntry("Timesheet", lambda: opened.append("sheet")),
        WindowEntry("Approvals", lambda: opened.append("approvals"), roles=("manager", "admin")),
        WindowEntry("Board", lambda: opened.append("board"), roles=("technician",)),
    ]
    tray.rebuild_menu()
    items = texts(tray)
    assert "Timesheet" in items and "Approvals" in items  # the profile is an admin
    assert "Board" not in items
    next(a for a in tray.menu.actions() if a.text() == "Approvals").trigger()
    assert opened == ["approvals"]


def test_clicks_and_menu_signals(qtbot: Any, state: Any) -> None:
    from PySide6.QtWidgets import QSystemTrayIcon

    tray = TrayIcon(state)
    with qtbot.waitSignal(tray.popup_requested):
        tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    for label, signal in (("&Log time…", tray.log_time_requested),
                          ("Se&ttings…", tray.settings_requested),
                          ("&Quit", tray.quit_requested),
                          ("&Start timer…", tray.popup_requested)):
        with qtbot.waitSignal(signal):
            next(a for a in tray.menu.actions() if a.text() == label).trigger()
