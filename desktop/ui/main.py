"""``punchclock`` with no command: start the tray application.

Order matters: logging first (so everything after is recorded), then the
single-instance check (a second launch hands over and exits 0 before opening
the database), then the store, then the windows.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.core.app import Punchclock

log = logging.getLogger(__name__)
ServeCli = Callable[["Punchclock", Path, dict[str, Any]], dict[str, Any]]

EXIT_OK = 0
EXIT_FAILED = 1
TRAY_WAIT_ENV = "PUNCHCLOCK_TRAY_WAIT_S"


def run(
    data_dir: Path | None = None, window: str | None = None, serve_cli: ServeCli | None = None
) -> int:
    """Start the tray app; ``window`` ("timesheet 2026-11-23", "approvals") opens
    that window — in the running app when there is one. ``serve_cli`` answers
    the commands the command line hands over (:mod:`desktop.cli.handoff`; the
    command line passes it in, the UI never imports the CLI)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.core.paths import APP_NAME, default_data_dir
    from desktop.ui import qtcompat  # noqa: F401  (before the rest: its import-hook fix)
    from desktop.ui.platform import crash
    from desktop.ui.platform.single_instance import SHOW, SingleInstance, open_message

    log_file = crash.setup_logging()
    crash.install_qt_message_handler()
    # argv[0] names the X11 WM_CLASS and the tray entry: "punchclock", not "__main__.py".
    qt_app = QApplication.instance() or QApplication(["punchclock", *sys.argv[1:]])
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName(APP_NAME)
    qt_app.setApplicationDisplayName(APP_NAME)
    qt_app.setDesktopFileName("punchclock")
    qt_app.setQuitOnLastWindowClosed(False)
    crash.install_excepthook(log_file)

    folder = (data_dir or default_data_dir()).expanduser()
    instance = SingleInstance(folder)
    if not instance.acquire():
        if instance.hand_over(message=open_message(window) if window else SHOW):
            log.info("Punchclock already runs for %s; asked it to show", folder)
            what = f"its {window.split()[0].capitalize()} window" if window else "its timer"
            print(f"Punchclock is already running; opened {what}.", file=sys.stderr)
            return EXIT_OK
        print(f"punchclock: another Punchclock holds {folder} but does not answer",
              file=sys.stderr)
        return EXIT_FAILED

    shown = early_icon(folder)
    started: list[Any] = []  # the core and the tray app, once loaded

    def load() -> None:
        """The rest, once the event loop runs (the icon is already up)."""
        from desktop.core.app import Punchclock
        from desktop.core.errors import PunchclockError
        from desktop.ui.tray.controller import TRAY_WAIT_S, TrayApp

        try:
            core = Punchclock.open(folder)
        except PunchclockError as exc:
            log.error("can't open the store: %s", exc.message)
            if shown is not None:
                shown.hide()
            QMessageBox.critical(None, APP_NAME, f"Punchclock can't start: {exc.message}")
            qt_app.exit(EXIT_FAILED)
            return
        wait = float(os.environ.get(TRAY_WAIT_ENV, TRAY_WAIT_S))
        tray_app = TrayApp(core, tray_wait_s=wait, shown_icon=shown)
        started.extend((core, tray_app))
        instance.activated.connect(tray_app.show_popup)
        instance.opened.connect(tray_app.open_window)
        if serve_cli is not None:
            instance.cli_handler = lambda request: serve_cli(core, folder, request)
        tray_app.start()
        if window:
            tray_app.open_window(window)
        log.info("Punchclock started on %s (log %s)", core.db.path, log_file)

    QTimer.singleShot(0, load)
    try:
        code = qt_app.exec()
    finally:
        if started:
            core, tray_app = started
            tray_app.shutdown()
            core.close()
        instance.release()
    return int(code)


def early_icon(folder: Path) -> Any:
    """The tray icon in its right state (running or idle), shown before the
    core loads: the timer read through :mod:`desktop.core.quickread`. None when
    that read can't answer (a store to migrate, no profile yet) or no tray
    exists yet — the tray app then shows its icon itself."""
    from PySide6.QtWidgets import QSystemTrayIcon

    from desktop.core.quickread import timer_status
    from desktop.core.timeutil import utcnow
    from desktop.ui.tray.icon import tray_icon

    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    quick = timer_status(folder, utcnow())
    if quick is None:
        return None
    running = quick.status.running
    shown = QSystemTrayIcon(tray_icon(running is not None))
    shown.setToolTip(f"{running.label} — Punchclock" if running else "Punchclock")
    shown.show()
    log.info("early tray icon up (%s)", "running" if running else "idle")
    return shown
