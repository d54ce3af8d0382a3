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
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.core.app import APP_NAME, Punchclock, default_data_dir
    from desktop.core.errors import PunchclockError
    from desktop.ui.platform import crash
    from desktop.ui.platform.single_instance import SHOW, SingleInstance, open_message
    from desktop.ui.tray.controller import TRAY_WAIT_S, TrayApp

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

    try:
        core = Punchclock.open(folder)
    except PunchclockError as exc:
        log.error("can't open the store: %s", exc.message)
        QMessageBox.critical(None, APP_NAME, f"Punchclock can't start: {exc.message}")
        instance.release()
        return EXIT_FAILED

    wait = float(os.environ.get(TRAY_WAIT_ENV, TRAY_WAIT_S))
    tray_app = TrayApp(core, tray_wait_s=wait)
    instance.activated.connect(tray_app.show_popup)
    instance.opened.connect(tray_app.open_window)
    if serve_cli is not None:
        instance.cli_handler = lambda request: serve_cli(core, folder, request)
    tray_app.start()
    if window:
        tray_app.open_window(window)
    log.info("Punchclock started on %s (log %s)", core.db.path, log_file)
    try:
        code = qt_app.exec()
    finally:
        tray_app.shutdown()
        core.close()
        instance.release()
    return int(code)
