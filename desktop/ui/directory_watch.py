"""Tells every open view that customers, projects or tasks changed — here, in
another window, or from the command line.

The tray's heartbeat already asks SQLite once a second whether anything was
committed (``PRAGMA data_version``, no table read); only when it moved does the
watch read the directory's stamp (:meth:`DirectoryService.stamp`: counts and
the latest change, three small aggregates), and only when that moved it emits
``changed``. The Manage window, the popup's search and the Log time pickers
reload on it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop.core.errors import PunchclockError
from desktop.ui.qtcompat import emit
from desktop.ui.state import TrackerState


class DirectoryWatch(QObject):
    changed = Signal()

    def __init__(self, state: TrackerState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._version: int | None = None
        self._stamp: tuple[object, ...] | None = None
        state.heartbeat.connect(self.poll)
        state.written.connect(self.poll)

    def poll(self) -> None:
        app = self.state.app
        try:
            version = app.db.data_version()
            if version == self._version:
                return
            self._version = version
            stamp = app.directory.stamp()
        except PunchclockError:
            return
        if self._stamp is not None and stamp != self._stamp:
            emit(self.changed)
        self._stamp = stamp
