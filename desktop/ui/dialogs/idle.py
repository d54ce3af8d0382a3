"""What to do with time spent away while a timer ran.

* **Keep** — the idle time stays on the running timer.
* **Discard idle time** — the timer stops at the moment the user went idle.
* **Discard and continue** — stop at idle start, start again now on the same
  customer/project/task with the same description and billable flag.
* **Assign to another…** — stop at idle start, log the idle span (``idle-split``)
  on the chosen customer/project/task, and continue the original work now.

The rules and the single transaction that applies them live in
:mod:`desktop.core.services.idle`; this module is the dialog.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto
from desktop.core.app import Punchclock
from desktop.core.durations import format_duration
from desktop.core.errors import PunchclockError
from desktop.core.services.idle import ASSIGN, DISCARD, DISCARD_CONTINUE, KEEP, OtherTarget
from desktop.core.timeutil import zone
from desktop.ui.picker import TargetPicker
from desktop.ui.state import TrackerState
from desktop.ui.widgets import ErrorLabel


def resolve_idle(app: Punchclock, choice: str, entry: dto.Entry, idle_start: datetime,
                 back: datetime, other: OtherTarget | None = None,
                 ) -> list[dto.SavedEntry]:
    """Apply the user's choice (one transaction in the core); returns what was written."""
    del entry  # the core resolves against the timer that is running now
    return app.idle.resolve(None, choice, idle_start=idle_start, back=back, other=other)


class IdleDialog(QDialog):
    def __init__(self, state: TrackerState, entry: dto.Entry, idle_start: datetime,
                 back: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("You were away — Punchclock")
        self.state, self.entry = state, entry
        assert entry.started_at is not None
        self.idle_start = max(idle_start, entry.started_at)
        self.back = back
        self.result_entries: list[dto.SavedEntry] = []
        tz = state.snapshot.profile.timezone if state.snapshot.profile else "UTC"
        z = zone(tz)
        away = int((back - self.idle_start).total_seconds())
        self.message = QLabel(
            f"You were away from {self.idle_start.astimezone(z):%H:%M} to "
            f"{back.astimezone(z):%H:%M} ({format_duration(away)}) while tracking "
            f"<b>{entry.path}</b>.<br>What should happen to that time?")
        self.message.setWordWrap(True)
        self.keep_button = QPushButton("&Keep it")
        self.discard_button = QPushButton("&Discard idle time")
        self.continue_button = QPushButton("Discard and &continue")
        self.assign_button = QPushButton("&Assign to another…")
        self.keep_button.setToolTip("The time stays on the running timer")
        self.discard_button.setToolTip("Stop the timer when you went idle")
        self.continue_button.setToolTip("Stop when you went idle and start again now")
        self.assign_button.setToolTip("Put the idle time on another customer or task")
        self.picker = TargetPicker(state.app)
        self.picker.hide()
        self.assign_ok = QPushButton("Assign idle &time")
        self.assign_ok.hide()
        self.error = ErrorLabel()

        buttons = QHBoxLayout()
        for b in (self.keep_button, self.discard_button, self.continue_button,
                  self.assign_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addWidget(self.picker)
        layout.addWidget(self.assign_ok)
        layout.addWidget(self.error)

        self.keep_button.clicked.connect(lambda: self.choose(KEEP))
        self.discard_button.clicked.connect(lambda: self.choose(DISCARD))
        self.continue_button.clicked.connect(lambda: self.choose(DISCARD_CONTINUE))
        self.assign_button.clicked.connect(self._show_picker)
        self.assign_ok.clicked.connect(lambda: self.choose(ASSIGN))
        self.keep_button.setDefault(True)

    def _show_picker(self) -> None:
        self.picker.show()
        self.assign_ok.show()
        self.assign_ok.setDefault(True)
        self.picker.customer.setFocus()

    def choose(self, choice: str) -> None:
        self.error.clear_message()
        if choice == KEEP:
            self.accept()
            return
        other = None
        if choice == ASSIGN:
            if self.picker.customer_id() is None:
                self.error.show_message("choose the customer the idle time goes to")
                return
            other = (self.picker.customer_id() or "", self.picker.project_id(),
                     self.picker.task_id())
        entry, start, back = self.entry, self.idle_start, self.back
        for b in (self.keep_button, self.discard_button, self.continue_button, self.assign_ok):
            b.setEnabled(False)
        self.state.run(lambda a: resolve_idle(a, choice, entry, start, back, other),
                       on_done=self._done, on_error=self._refused)

    def _done(self, written: list[dto.SavedEntry]) -> None:
        self.result_entries = written
        self.accept()

    def _refused(self, exc: PunchclockError) -> None:
        for b in (self.keep_button, self.discard_button, self.continue_button, self.assign_ok):
            b.setEnabled(True)
        self.error.show_message(exc.message)
