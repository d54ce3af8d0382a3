"""What to do with time spent away while a timer ran (DESIGN §7).

* **Keep** — the idle time stays on the running timer.
* **Discard idle time** — the timer stops at the moment the user went idle.
* **Discard and continue** — stop at idle start, start again now on the same
  customer/project/task with the same description and billable flag.
* **Assign to another…** — stop at idle start, log the idle span (``idle-split``)
  on the chosen customer/project/task, and continue the original work now.

The idle start is never before the timer's own start. A span that crosses local
midnight is logged as one entry per day.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

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
from desktop.core.errors import PunchclockError, ValidationError
from desktop.core.timeutil import day_bounds_utc, work_date, zone
from desktop.ui.picker import TargetPicker
from desktop.ui.state import TrackerState
from desktop.ui.widgets import ErrorLabel

KEEP = "keep"
DISCARD = "discard"
DISCARD_CONTINUE = "discard_continue"
ASSIGN = "assign"


def resolve_idle(app: Punchclock, choice: str, entry: dto.Entry, idle_start: datetime,
                 back: datetime, other: tuple[str, str | None, str | None] | None = None,
                 ) -> list[dto.SavedEntry]:
    """Apply the user's choice through the tracking service; returns what was written."""
    if choice == KEEP:
        return []
    assert entry.started_at is not None
    start = max(idle_start, entry.started_at).replace(microsecond=0)
    back = back.replace(microsecond=0)
    if choice == ASSIGN and other is None:
        raise ValidationError("choose the customer the idle time goes to")
    written = [app.tracking.stop(None, at=start)]
    if choice == DISCARD:
        return written
    if choice == ASSIGN:
        assert other is not None
        written += _log_span(app, other, start, back)
    if choice in (DISCARD_CONTINUE, ASSIGN):
        written.append(app.tracking.start(
            None, customer=entry.customer_id, project=entry.project_id, task=entry.task_id,
            description=entry.description, billable=entry.billable, at=back))
        return written
    raise ValidationError(f'unknown idle choice "{choice}"')


def _log_span(app: Punchclock, other: tuple[str, str | None, str | None], start: datetime,
              end: datetime) -> list[dto.SavedEntry]:
    tz = app.directory.user().timezone
    customer, project, task = other
    out: list[dto.SavedEntry] = []
    cursor = start
    while cursor < end:
        day = work_date(cursor, tz)
        day_end = day_bounds_utc(day, tz)[1]
        chunk_end = min(end, day_end)
        z = zone(tz)
        t0 = cursor.astimezone(z).time().replace(tzinfo=None)
        t1 = chunk_end.astimezone(z).time().replace(tzinfo=None)
        if chunk_end == day_end:
            t1 = time(23, 59, 59)  # the day's last second: log() takes times within one day
        if t1 > t0:
            out.append(app.tracking.log(None, day=day, customer=customer, project=project,
                                        task=task, start=t0, end=t1, source="idle-split"))
        cursor = chunk_end if chunk_end > cursor else cursor + timedelta(seconds=1)
    return out


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
