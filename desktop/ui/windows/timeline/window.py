"""The daily Timeline window: a day of the user (or, for managers, of a team
they lead; admins: any team), hour by hour.

* Day navigation: previous / today / next and a date picker; "Show" picks
  the user's own day or a team.
* Hover a block: customer › project › task and ticket, description, hours,
  billable. Click one of your own entries: its edit form (Log time, filled
  in); the core refuses what is locked, inline.
* On your own lane, drag across empty time to log that span (Log time opens
  with from/to filled; the drag stops at the neighbouring entries), or drag a
  block's edge to move its start or end — saved through
  :meth:`~desktop.core.services.tracking.TrackingService.edit`; a submitted,
  approved or exported week refuses, and the window shows the reason.
* The data is the core's (:meth:`~desktop.core.services.reports.ReportsService.timeline`),
  read off the GUI thread and again when something changed; a running
  timer's block grows every second and the day is re-read every 30 s while
  one runs (so the totals stay the core's).
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto, permissions
from desktop.core.app import Punchclock
from desktop.core.errors import PunchclockError
from desktop.core.timeutil import work_date
from desktop.ui.dialogs.log_time import LogTimeDialog
from desktop.ui.palette import Palette
from desktop.ui.state import TrackerState
from desktop.ui.widgets import ErrorLabel
from desktop.ui.windows.timeline.legend import legend_html
from desktop.ui.windows.timeline.model import Block, DayAxis, Lane
from desktop.ui.windows.timeline.view import TimelinePlot

RELOAD_TICKS = 30
OWN = ""


class TimelineWindow(QWidget):
    def __init__(self, state: TrackerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Timeline — Punchclock")
        self.state = state
        self.profile = state.snapshot.profile
        tz = self.profile.timezone if self.profile else "UTC"
        self.tz = tz
        self.day = work_date(state.now(), tz)
        self.team: str | None = None
        self.colours = Palette()
        self.days: list[dto.TimelineDay] = []
        self.dialogs: list[LogTimeDialog] = []
        self.loads = 0
        self._ticks = 0
        self._loaded_key: tuple[date, str | None] | None = None

        self.prev_button = QPushButton("◀ &Previous")
        self.today_button = QPushButton("&Today")
        self.next_button = QPushButton("&Next ▶")
        self.date_edit = QDateEdit(self._qdate(self.day))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd yyyy-MM-dd")
        self.show_combo = QComboBox()
        self.show_combo.addItem("My day", OWN)
        for name in self._teams():
            self.show_combo.addItem(f"Team {name}", name)
        self.show_combo.setVisible(self.show_combo.count() > 1)
        self.plot = TimelinePlot(self)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.error = ErrorLabel()

        bar = QHBoxLayout()
        for w in (self.prev_button, self.today_button, self.next_button, self.date_edit):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.show_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.error)
        layout.addWidget(self.status)

        self.prev_button.clicked.connect(lambda: self.go(self.day - timedelta(days=1)))
        self.next_button.clicked.connect(lambda: self.go(self.day + timedelta(days=1)))
        self.today_button.clicked.connect(lambda: self.go(work_date(state.now(), self.tz)))
        self.date_edit.dateChanged.connect(self._picked)
        self.show_combo.currentIndexChanged.connect(self._show_changed)
        self.plot.hover_changed.connect(self.status.setText)
        self.plot.entry_clicked.connect(self.open_entry)
        self.plot.span_dragged.connect(self.dragged)
        state.changed.connect(self.reload)
        state.heartbeat.connect(self._heartbeat)
        self.resize(1100, 420)
        self.reload()

    @staticmethod
    def _qdate(day: date) -> QDate:
        return QDate(day.year, day.month, day.day)

    def _teams(self) -> list[str]:
        p = self.profile
        if p is None or p.role == permissions.TECHNICIAN:
            return []
        teams = self.state.app.directory.teams()
        return [t.name for t in teams if p.role == permissions.ADMIN or t.id in p.managed_team_ids]

    # ------------------------------------------------------------ loading

    def go(self, day: date) -> None:
        self.date_edit.setDate(self._qdate(day))  # → _picked → reload

    def _picked(self, q: QDate) -> None:
        day = date(q.year(), q.month(), q.day())
        if day != self.day:
            self.day = day
            self.reload()

    def _show_changed(self) -> None:
        self.team = self.show_combo.currentData() or None
        self.reload()

    def show_team(self, name: str | None) -> None:
        index = self.show_combo.findData(name or OWN)
        if index >= 0:
            self.show_combo.setCurrentIndex(index)

    def reload(self) -> None:
        day, team = self.day, self.team

        def job(a: Punchclock) -> tuple[Any, ...]:
            days = a.reports.timeline(day, team=team)
            customers = [
                (c.name, c.is_internal) for c in a.directory.customers(include_inactive=True)
            ]
            return day, team, days, customers

        self.state.runner.run(lambda: job(self.state.app), self._loaded, self._failed)

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, PunchclockError):
            raise exc
        self.error.show_message(exc.message)

    def _loaded(self, result: tuple[Any, ...]) -> None:
        day, team, days, customers = result
        if (day, team) != (self.day, self.team):
            return  # the user moved on while this was read
        self.loads += 1
        self.days = days
        self.colours = Palette(customers)
        key = (day, team)
        editor = self.profile.id if self.profile else None
        self.plot.show_days(
            days,
            DayAxis(day, self.tz),
            self.colours,
            editor,
            keep_range=key == self._loaded_key,
        )
        self._loaded_key = key
        self.legend.setText(legend_html(days, self.colours))

    def _heartbeat(self) -> None:
        self.plot.tick(self.state.now())
        if self.plot.running is not None:
            self._ticks += 1
            if self._ticks >= RELOAD_TICKS:
                self._ticks = 0
                self.reload()

    # -------------------------------------------------------------- edits

    def open_entry(self, lane: Lane, block: Block) -> LogTimeDialog | None:
        """The entry's edit form, when the user may change it."""
        self.error.clear_message()
        if not lane.editable:
            self.status.setText(f"Only {lane.day.user_name} can change this entry.")
            return None
        if block.running:
            self.status.setText("That is the running timer: stop it first to change its times.")
            return None
        try:
            entry = self.state.app.tracking.get(None, block.entry_id)
        except PunchclockError as exc:
            self.error.show_message(exc.message)
            return None
        dialog = LogTimeDialog(self.state, self, title="Edit entry")
        dialog.edit_entry(entry)
        return self._show(dialog)

    def _show(self, dialog: LogTimeDialog) -> LogTimeDialog:
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _r, d=dialog: self._closed(d))
        dialog.show()
        return dialog

    def _closed(self, dialog: LogTimeDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
        self.reload()

    def dragged(self, lane: Lane, block: Block | None, edge: str, x0: float, x1: float) -> None:
        if block is None:
            self.log_span(x0, x1)
        else:
            self.move_edge(block, edge, x1 if edge == "end" else x0)

    def log_span(self, x0: float, x1: float) -> LogTimeDialog:
        """Log time with the date and from/to filled (whole minutes inside the gap)."""
        axis = self.plot.axis
        x0, x1 = math.ceil(x0 / 60) * 60, math.floor(x1 / 60) * 60
        dialog = LogTimeDialog(self.state, self)
        dialog.date.setDate(self._qdate(self.day))
        dialog.start_time.setText(axis.wall(x0).strftime("%H:%M"))
        dialog.end_time.setText(axis.wall(x1).strftime("%H:%M"))
        dialog.hours.clear()
        return self._show(dialog)

    def move_edge(self, block: Block, edge: str, x: float) -> None:
        """Save the new start or end through the core; a refusal says why."""
        self.error.clear_message()
        at = self.plot.axis.wall(x)
        entry_id = block.entry_id

        def save(a: Punchclock) -> dto.SavedEntry:
            if edge == "start":
                return a.tracking.edit(None, entry_id, start=at)
            return a.tracking.edit(None, entry_id, end=at)

        def done(saved: dto.SavedEntry) -> None:
            self.status.setText(" ".join(("Saved.", *saved.warnings)))
            self.reload()

        def refused(exc: PunchclockError) -> None:
            self.error.show_message(exc.message)
            self.reload()

        self.state.run(save, done, refused)
