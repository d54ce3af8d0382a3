"""Logging, Qt messages and the last line of defence (the qutebrowser habits).

* Logs go to a rotating file in the platform's user log folder (and stderr).
* Qt's own warnings are routed into Python logging (logger ``qt``).
* ``sys.excepthook`` logs any uncaught exception and shows a short dialog
  instead of letting the tray die. A "known" error — a ``PunchclockError``, such
  as a full disk or a locked database (``StorageError``) — is shown as its one
  line message, never as a traceback.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.core.errors import PunchclockError
from desktop.core.paths import APP_NAME

log = logging.getLogger("punchclock")
LOG_FILE = "punchclock.log"

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def log_dir() -> Path:
    import platformdirs

    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def setup_logging(folder: Path | None = None, level: int = logging.INFO) -> Path:
    """Rotating file (1 MB × 5) plus stderr for warnings; returns the file."""
    folder = folder or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    root = logging.getLogger()
    root.setLevel(level)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5,
                                                   encoding="utf-8")
    handler.setFormatter(fmt)
    root.addHandler(handler)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(fmt)
    root.addHandler(console)
    return path


def qt_message_handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    where = f" ({context.file}:{context.line})" if context.file else ""
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s%s", message, where)


def install_qt_message_handler() -> None:
    qInstallMessageHandler(qt_message_handler)


class ExceptHook:
    """Log, then tell the user in one short dialog; never re-enter while showing."""

    def __init__(self, log_file: Path | None) -> None:
        self.log_file = log_file
        self._showing = False
        self.shown: list[str] = []

    def message_for(self, exc: BaseException) -> tuple[str, bool]:
        """(text, is_known) — known errors are shown as their own message."""
        if isinstance(exc, PunchclockError):
            return exc.message, True
        where = f"\n\nDetails are in {self.log_file}." if self.log_file else ""
        return (f"Something went wrong: {type(exc).__name__}: {exc}{where}\n\n"
                "Punchclock keeps running; a running timer is safe."), False

    def __call__(self, kind: type[BaseException], exc: BaseException,
                 tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        text, known = self.message_for(exc)
        if known:
            log.warning("refused: %s", text)
        else:
            log.error("uncaught exception:\n%s", "".join(traceback.format_exception(kind, exc,
                                                                                     tb)))
        self.shown.append(text)
        if self._showing or QApplication.instance() is None:
            return
        self._showing = True
        try:
            box = QMessageBox(QMessageBox.Icon.Warning if known else QMessageBox.Icon.Critical,
                              "Punchclock", text)
            box.exec()
        finally:
            self._showing = False


def install_excepthook(log_file: Path | None) -> ExceptHook:
    hook = ExceptHook(log_file)
    sys.excepthook = hook
    return hook
