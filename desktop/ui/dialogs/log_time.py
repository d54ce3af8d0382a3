"""Log time by hand: date, customer/project/task, hours or from–to, description.

Hours accept every spelling the core reads (1.5, 1,5, 1:30, 90m, 1h30m); a
from–to range uses HH:MM. Whatever the core refuses is shown inline, in its
own words, and nothing is written. "Save & new" keeps the date and customer.

The same form edits a change the server refused (the Needs attention window):
:meth:`LogTimeDialog.prefill` fills it from the entry's values and ``submit``
replaces the plain "log" with what that window does with the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, time
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto
from desktop.core.app import Punchclock
from desktop.core.durations import format_duration, parse_duration
from desktop.core.errors import PunchclockError, ValidationError
from desktop.core.timeutil import parse_clock_time, work_date
from desktop.ui.picker import TargetPicker
from desktop.ui.state import TrackerState
from desktop.ui.widgets import ErrorLabel

Submit = Callable[[Punchclock, dict[str, Any]], dto.SavedEntry]


class LogTimeDialog(QDialog):
    def __init__(self, state: TrackerState, parent: QWidget | None = None, *,
                 submit: Submit | None = None, title: str = "Log time") -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} — Punchclock")
        self.state = state
        self.submit = submit
        self.saved: list[dto.SavedEntry] = []
        self._billable_touched = False

        profile = state.snapshot.profile
        today = work_date(state.now(), profile.timezone) if profile else date.today()
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("ddd yyyy-MM-dd")
        self.picker = TargetPicker(state.app)
        self.hours = QLineEdit(placeholderText="1.5, 1:30, 90m or 1h30m")
        self.start_time = QLineEdit(placeholderText="09:00")
        self.end_time = QLineEdit(placeholderText="10:30")
        for edit in (self.start_time, self.end_time):
            edit.setMaximumWidth(70)
        self.description = QLineEdit(placeholderText="What did you do?")
        self.billable = QCheckBox("Billable")
        self.error = ErrorLabel()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()

        span = QHBoxLayout()
        span.addWidget(QLabel("or from"))
        span.addWidget(self.start_time)
        span.addWidget(QLabel("to"))
        span.addWidget(self.end_time)
        span.addStretch(1)
        form = QFormLayout()
        form.addRow("&Date", self.date)
        form.addRow(self.picker)
        form.addRow("&Hours", self.hours)
        form.addRow("", span)
        form.addRow("D&escription", self.description)
        form.addRow("", self.billable)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_new_button: QPushButton = buttons.addButton(
            "Save && &new", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self.save(close=True))
        self.save_new_button.clicked.connect(lambda: self.save(close=False))
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(buttons)

        self.picker.changed.connect(self._follow_default_billable)
        self.billable.clicked.connect(self._mark_billable_touched)
        self._follow_default_billable()

    def _mark_billable_touched(self) -> None:
        self._billable_touched = True

    def _follow_default_billable(self) -> None:
        if not self._billable_touched:
            self.billable.setChecked(self.picker.default_billable())

    def prefill(self, data: Mapping[str, Any]) -> None:
        """Fill the form from an entry's stored values (``row_data`` shape)."""
        if data.get("work_date"):
            day = date.fromisoformat(str(data["work_date"]))
            self.date.setDate(QDate(day.year, day.month, day.day))
        self.picker.select(data.get("customer_id"), data.get("project_id"), data.get("task_id"))
        if data.get("duration_s") is not None:
            self.hours.setText(format_duration(int(data["duration_s"])))
        self.description.setText(str(data.get("description") or ""))
        if data.get("billable") is not None:
            self._billable_touched = True
            self.billable.setChecked(bool(data["billable"]))

    # ----------------------------------------------------------- reading

    def request(self) -> dict[str, Any]:
        """The form as ``TrackingService.log`` arguments; ValidationError if unreadable."""
        if self.picker.customer_id() is None:
            raise ValidationError("choose the customer the time is for")
        q = self.date.date()
        start_text, end_text = self.start_time.text().strip(), self.end_time.text().strip()
        hours_text = self.hours.text().strip()
        start: time | None = parse_clock_time(start_text) if start_text else None
        end: time | None = parse_clock_time(end_text) if end_text else None
        if (start is None) != (end is None):
            raise ValidationError("give both a from and a to time, or hours")
        if start is not None and hours_text:
            raise ValidationError("give hours or a from/to range, not both")
        duration = None if start is not None else parse_duration(hours_text)
        return {
            "day": date(q.year(), q.month(), q.day()),
            "customer": self.picker.customer_id(),
            "project": self.picker.project_id(),
            "task": self.picker.task_id(),
            "duration_s": duration,
            "start": start,
            "end": end,
            "description": self.description.text(),
            "billable": self.billable.isChecked(),
        }

    # ----------------------------------------------------------- writing

    def save(self, *, close: bool) -> None:
        self.error.clear_message()
        try:
            kwargs = self.request()
        except PunchclockError as exc:
            self.error.show_message(exc.message)
            return
        self._set_busy(True)
        submit = self.submit
        self.state.run(lambda a: submit(a, kwargs) if submit else a.tracking.log(None, **kwargs),
                       on_done=lambda saved: self._saved(saved, close),
                       on_error=self._refused)

    def _refused(self, exc: PunchclockError) -> None:
        self._set_busy(False)
        self.error.show_message(exc.message)

    def _saved(self, saved: dto.SavedEntry, close: bool) -> None:
        self._set_busy(False)
        self.saved.append(saved)
        if close and not saved.warnings:
            self.accept()
            return
        lines = [f"Logged {format_duration(saved.entry.duration_s)} on {saved.entry.path}."]
        lines += [f"Note: {w}" for w in saved.warnings]
        self.notice.setText("\n".join(lines))
        self.notice.show()
        if close:
            # Overlaps are allowed but worth seeing: the dialog stays until closed.
            self.save_button.setText("&Close")
            self.save_button.clicked.disconnect()
            self.save_button.clicked.connect(self.accept)
            return
        for edit in (self.hours, self.start_time, self.end_time, self.description):
            edit.clear()
        self.hours.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.save_new_button.setEnabled(not busy)
