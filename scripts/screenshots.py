"""Offscreen screenshots of the tray app's windows into test-output/ (``make screenshots``).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from desktop.core.app import Punchclock
from desktop.ui.idle_dialog import IdleDialog
from desktop.ui.log_dialog import LogTimeDialog
from desktop.ui.popup import TimerPopup
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.state import TrackerState
from desktop.ui.welcome import WelcomeDialog

OUT = Path(__file__).resolve().parents[1] / "test-output"


def shot(widget: QWidget, name: str) -> None:
    widget.show()
    widget.adjustSize()
    QApplication.processEvents()
    path = OUT / name
    widget.grab().save(str(path))
    print(path)


def main() -> int:
    qt = QApplication(sys.argv)
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        core = Punchclock.open(Path(tmp) / "data")
        me = core.directory.init_profile(name="Ann Tech", email="ann@example.com",
                                         timezone="Europe/Berlin")
        d = core.directory
        d.add_customer(me.id, "ACME")
        d.add_project(me.id, "ACME", "Server migration")
        d.add_task(me.id, customer="ACME", project="Server migration", title="Migrate DC01",
                   ref="4521")
        d.add_customer(me.id, "Globex")
        d.add_customer(me.id, "Northwind (internal)", internal=True)
        now = core.clock()
        core.tracking.start(None, customer="Globex", at=now - timedelta(hours=3))
        core.tracking.start(None, task="4521", description="Cutover rehearsal",
                            at=now - timedelta(minutes=83))
        state = TrackerState(core)
        state.refresh()

        popup = TimerPopup(state)
        shot(popup, "popup.png")
        popup.search.setText("mig")
        shot(popup, "popup-search.png")

        log = LogTimeDialog(state)
        log.picker.customer.setCurrentIndex(1)
        log.hours.setText("0:90")
        log.save(close=True)
        shot(log, "log-dialog-error.png")

        running = state.snapshot.running
        assert running is not None
        idle = IdleDialog(state, running, now - timedelta(minutes=40), now)
        idle._show_picker()
        shot(idle, "idle-dialog.png")

        shot(SettingsDialog(state, "X11 screensaver extension"), "settings.png")
        welcome = WelcomeDialog(state)
        welcome.email.setText("not an email")
        shot(welcome, "welcome.png")
        state.runner.wait()
        core.close()
    del qt
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
