"""Timeline…, Reports… and Export… in the tray menu for the roles that may
use them, each opening its window (one, kept between openings)."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.ui.tray.controller import TrayApp


@pytest.fixture
def tray_app(qtbot: Any, app: Any) -> Any:
    ta = TrayApp(app, tray_wait_s=60, idle_source=False)
    yield ta
    ta.state.runner.wait(5000)
    ta.shutdown()


def labels(ta: TrayApp) -> list[str]:
    return [a.text() for a in ta.tray.menu.actions() if a.text()]


def trigger(ta: TrayApp, text: str) -> None:
    next(a for a in ta.tray.menu.actions() if a.text() == text).trigger()


def test_admin_gets_all_three(qtbot: Any, tray_app: Any) -> None:
    tray_app.state.refresh()
    tray_app.tray.rebuild_menu()
    assert {"Ti&meline…", "&Reports…", "E&xport…"} <= set(labels(tray_app))
    trigger(tray_app, "Ti&meline…")
    assert tray_app.timeline is not None and tray_app.timeline.isVisible()
    first = tray_app.timeline
    trigger(tray_app, "Ti&meline…")
    assert tray_app.timeline is first
    trigger(tray_app, "&Reports…")
    assert tray_app.reports_window is not None and tray_app.reports_window.profitability
    trigger(tray_app, "E&xport…")
    assert tray_app.export_dialog is not None and tray_app.export_dialog.isVisible()
    qtbot.waitUntil(lambda: not tray_app.state.runner.busy, timeout=10000)


def test_technician_gets_timeline_and_own_reports_but_no_export(
    qtbot: Any, tray_app: Any, app: Any
) -> None:
    admin = app.directory.profile().id
    app.directory.add_user(admin, "tia@msp.test", name="Tia Tech")
    app.directory.init_profile(name="Tia Tech", email="tia@msp.test")
    tray_app.state.refresh()
    tray_app.tray.rebuild_menu()
    shown = set(labels(tray_app))
    assert {"Ti&meline…", "&Reports…"} <= shown and "E&xport…" not in shown
    assert tray_app.open_export() is None  # whatever asks
    trigger(tray_app, "&Reports…")
    assert tray_app.reports_window is not None and tray_app.reports_window.profitability is None
    qtbot.waitUntil(lambda: not tray_app.state.runner.busy, timeout=10000)
