"""Log time by hand: date, customer/project/task, hours or from–to, description.

Hours accept every spelling the core reads (1.5, 1,5, 1:30, 90m, 1h30m); a
from–to range uses HH:MM. Whatever the core refuses is shown inline, in its
own words, and nothing is written. "Save & new" keeps the date and customer.

Nothing surprises: the date field shows the weekday and steps by one day on
Up/Down whatever section is selected; a date after today asks first; a save is
confirmed in place ("Saved 1:30 for ACME on Mon 30 Nov") — Save closes the
dialog a moment later, unless the save came with a warning (a short or vague
description, an overlap), which stays until closed. The description policy is
the core's (:func:`desktop.core.rules.entry_description_check`): billable time
without a description is refused, a short or vague one warns.

The same form edits an entry (:meth:`LogTimeDialog.edit_entry`: the popup's
today list, the timeline) and a change the server refused (the Needs attention
window): :meth:`LogTimeDialog.prefill` fills it from the entry's values and
``submit`` replaces the plain "log" with what that window does with the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, time
from typing import Any

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto
from desktop.core.app import Punchclock
from desktop.core.durations import format_duration, parse_duration
from desktop.core.errors import PunchclockError, ValidationError
from desktop.core.timeutil import parse_clock_time, work_date, zone
from desktop.ui.picker import TargetPicker
from desktop.ui.state import TrackerState
from desktop.ui.widgets import DayEdit, ErrorLabel

Submit = Callable[[Punchclock, dict[str, Any]], dto.SavedEntry]
CONFIRM_MS = 1200  # how long Save's confirmation stays before the dialog closes


def day_text(day: date) -> str:
    """ "Mon 30 Nov" """
    return f"{day:%a} {day.day} {day:%b}"


def saved_text(saved: dto.SavedEntry) -> str:
    """ "Saved 1:30 for ACME Logistics on Mon 30 Nov" """
    e = saved.entry
    return f"Saved {format_duration(e.duration_s)} for {e.label} on {day_text(e.work_date)}"


def edit_values(entry: dto.Entry) -> dict[str, Any]:
    """The form's prefill for an existing entry (``row_data`` shape)."""
    return {
        "work_date": entry.work_date.isoformat(),
        "customer_id": entry.customer_id,
        "project_id": entry.project_id,
        "task_id": entry.task_id,
        "duration_s": None if entry.started_at else entry.duration_s,
        "description": entry.description,
        "billable": entry.billable,
    }


def edit_submit(entry_id: str) -> Submit:
    """The form's submit for an edit: what the form left empty stays as it is."""

    def submit(app: Punchclock, values: dict[str, Any]) -> dto.SavedEntry:
        changes = {k: v for k, v in values.items() if v is not None or k in ("project", "task")}
        return app.tracking.edit(None, entry_id, **changes)

    return submit


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
        self.today = today
        self.confirm_ms = CONFIRM_MS
        self.ask: Callable[[str, str], bool] = self._ask
        self.date = DayEdit(QDate(today.year, today.month, today.day))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("&Date", self.date)
        self.picker = TargetPicker(state.app, self, form=form)
        self.hours = QLineEdit(placeholderText="1.5, 1:30, 90m or 1h30m")
        self.start_time = QLineEdit(placeholderText="09:00")
        self.end_time = QLineEdit(placeholderText="10:30")
        for edit in (self.start_time, self.end_time):
            edit.setMaximumWidth(70)
        self.description = QLineEdit(placeholderText="What did you do?")
        self.billable = QCheckBox("&Billable")
        self.error = ErrorLabel(reserve=True)
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.warning = QLabel()
        self.warning.setObjectName("warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #8a5a00;")
        self.warning.hide()

        span = QHBoxLayout()
        span.setContentsMargins(0, 0, 0, 0)
        span.addWidget(self.start_time)
        span.addWidget(QLabel("to"))
        span.addWidget(self.end_time)
        span.addStretch(1)
        form.addRow("&Hours", self.hours)
        span_label = QLabel("or &from")
        span_label.setBuddy(self.start_time)
        form.addRow(span_label, span)
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
        layout.addWidget(self.warning)
        layout.addStretch(1)
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

    def edit_entry(self, entry: dto.Entry) -> None:
        """Make this the edit form of ``entry``: filled in, and Save changes it."""
        self.submit = edit_submit(entry.id)
        self.prefill(edit_values(entry))
        profile = self.state.snapshot.profile
        if entry.started_at is not None and entry.ended_at is not None and profile:
            z = zone(profile.timezone)
            self.start_time.setText(entry.started_at.astimezone(z).strftime("%H:%M"))
            self.end_time.setText(entry.ended_at.astimezone(z).strftime("%H:%M"))

    def _ask(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question)
        return answer == QMessageBox.StandardButton.Yes

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
        day: date = kwargs["day"]
        if day > self.today and not self.ask(
                "A future date", f"{day_text(day)} {day.year} is after today. "
                "Log time for that day anyway?"):
            self.date.setFocus()
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
        self.notice.setText(f"{saved_text(saved)}.")
        self.notice.show()
        self.warning.setText("\n".join(f"Note: {w}" for w in saved.warnings))
        self.warning.setVisible(bool(saved.warnings))
        if close:
            self.save_button.setText("&Close")
            self.save_button.clicked.disconnect()
            self.save_button.clicked.connect(self.accept)
            self.save_new_button.setEnabled(False)
            if not saved.warnings:
                # confirmed in place, then out of the way
                QTimer.singleShot(self.confirm_ms, self._close_confirmed)
            return
        for edit in (self.hours, self.start_time, self.end_time, self.description):
            edit.clear()
        self.hours.setFocus()

    def _close_confirmed(self) -> None:
        if self.isVisible():
            self.accept()

    def _set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.save_new_button.setEnabled(not busy)
