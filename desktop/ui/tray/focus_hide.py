"""The tray popup hides when it loses focus — the user clicked elsewhere —
except while a dialog of its own is open (an entry's edit form, Log time from
its button, "Create task…"), and never as the stand-alone window of a desktop
without a tray.

Qt says "deactivated" before it knows who is active next, so the check runs
once the event loop has settled. A click on the tray icon deactivates the
popup first and then toggles it: :meth:`FocusHide.just_hid` lets the toggle
tell "the click that hid it" from "a click to open it".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

TOGGLE_GRACE_S = 0.4


class FocusHide(QObject):
    def __init__(self, popup: QWidget, *, enabled: Callable[[], bool],
                 own_dialogs: Callable[[], Sequence[QWidget]]) -> None:
        super().__init__(popup)
        self.popup = popup
        self.enabled = enabled
        self.own_dialogs = own_dialogs
        self._hidden_at = 0.0
        popup.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.popup and event.type() == QEvent.Type.WindowDeactivate:
            QTimer.singleShot(0, self.check)
        return False

    def check(self) -> None:
        """Hide the popup unless it (or a dialog of its own) is still in front."""
        popup = self.popup
        if not popup.isVisible() or not self.enabled() or popup.isActiveWindow():
            return
        if any(d.isVisible() for d in self.own_dialogs()):
            return
        popup.hide()
        self._hidden_at = time.monotonic()
        log.info("popup hidden: it lost the focus")

    def just_hid(self) -> bool:
        """Whether the popup hid on focus loss a moment ago."""
        return time.monotonic() - self._hidden_at < TOGGLE_GRACE_S
