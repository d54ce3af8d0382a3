"""Today in the timer popup: the day's entries under the timer, with their
totals against the scheduled hours and the week's total.

Each row shows the time span (or the hours of an untimed entry), the target as
"#5566 Teams phone rollout" for a task (else project or customer), the
description, and "$" when billable; the full text, the description policy's
note and why a locked entry can't change are its tooltip. Clicking a row opens
the Log time form filled in (an edit); ▶ continues it (a new timer on the same
target with the same description and billable); ✕ deletes it with an undo bar
for ``UNDO_MS``: the entry is only hidden until then, and deleted when the bar
goes (so an undo never has to bring a tombstone back, which sync forbids). A
locked entry (its week submitted or approved, or exported) says why instead.
The data come from :meth:`TrackingService.today` — plain dataclasses.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto
from desktop.core.durations import format_duration
from desktop.core.errors import PunchclockError
from desktop.core.timeutil import zone
from desktop.ui.state import TrackerState

SPAN, HOURS, WHAT, BILLABLE, CONTINUE, DELETE = range(6)
UNDO_MS = 5000
MAX_ROWS = 8  # rows shown before the list scrolls (vertically only)

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()


def target_text(e: dto.Entry) -> str:
    """What an entry is on, shortest first: the task, else project, else customer."""
    if e.task:
        return dto.task_label(e.task, e.task_ref)
    return e.project or e.customer


def span_text(e: dto.Entry, tz: str) -> str:
    if e.started_at is None:
        return ""
    z = zone(tz)
    start = e.started_at.astimezone(z).strftime("%H:%M")
    end = e.ended_at.astimezone(z).strftime("%H:%M") if e.ended_at else "now"
    return f"{start}–{end}"


def what_text(e: dto.Entry) -> str:
    return f"{target_text(e)} — {e.description}" if e.description else target_text(e)


class TodayModel(QAbstractTableModel):
    """Today's entries (those waiting for their delete to be final left out)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[dto.TodayEntry] = []
        self.tz = "UTC"
        self.now = datetime.min
        self.hidden: set[str] = set()
        self._all: tuple[dto.TodayEntry, ...] = ()

    def set_today(self, today: dto.Today | None, tz: str, now: datetime) -> None:
        self._all = today.entries if today else ()
        self.tz, self.now = tz, now
        self._reset()

    def hide_entry(self, entry_id: str) -> None:
        self.hidden.add(entry_id)
        self._reset()

    def show_entry(self, entry_id: str) -> None:
        self.hidden.discard(entry_id)
        self._reset()

    def _reset(self) -> None:
        self.beginResetModel()
        self.items = [i for i in self._all if i.entry.id not in self.hidden]
        self.endResetModel()

    def tick(self, now: datetime) -> None:
        """The running entry's hours grow: repaint just that cell."""
        self.now = now
        for row, item in enumerate(self.items):
            if item.entry.running:
                cell = self.index(row, HOURS)
                self.dataChanged.emit(cell, cell, [Qt.ItemDataRole.DisplayRole])

    # ------------------------------------------------------------ model

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else DELETE + 1

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            # short: the columns size to their contents (the header is hidden)
            return ("Time", "Hours", "Entry", "$", "▶", "✕")[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return ("Time", "Hours", "Entry", "Billable", "Continue", "Delete")[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        e, col = item.entry, index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item, col)
        if role == Qt.ItemDataRole.ForegroundRole:
            if item.locked:
                return QColor("#757575")
            if col == WHAT and item.note:
                return QColor("#8a5a00")
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (HOURS, BILLABLE, CONTINUE, DELETE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return e.id
        return None

    def _display(self, item: dto.TodayEntry, col: int) -> str:
        e = item.entry
        if col == SPAN:
            return span_text(e, self.tz)
        if col == HOURS:
            return format_duration(e.elapsed_s(self.now))
        if col == WHAT:
            return what_text(e)
        if col == BILLABLE:
            return "$" if e.billable else ""
        if col == CONTINUE:
            return "" if e.running else "▶"
        return "" if item.locked or e.running else "✕"

    def _tooltip(self, item: dto.TodayEntry, col: int) -> str:
        e = item.entry
        if col == CONTINUE:
            return "" if e.running else f"Continue {e.label}"
        if col == DELETE:
            return item.locked or ("" if e.running else "Delete this entry (you can undo)")
        if col == BILLABLE:
            return "Billable" if e.billable else "Not billable"
        lines = [e.label, e.description or "(no description)"]
        lines += [x for x in (item.note, item.locked) if x]
        return "\n".join(lines)


class TodayTable(QTableView):
    """The list of today's entries: no header, no grid, never a horizontal
    scroll bar (the entry column elides; its tooltip has the full text)."""

    def __init__(self, model: TodayModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("todayEntries")
        self.setModel(model)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMouseTracking(True)
        self.verticalHeader().hide()
        self.horizontalHeader().hide()
        header = self.horizontalHeader()
        for col in (SPAN, HOURS, BILLABLE, CONTINUE, DELETE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(WHAT, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        model.modelReset.connect(self._fit_height)
        self._fit_height()

    def _fit_height(self) -> None:
        rows = min(max(self.model().rowCount(), 1), MAX_ROWS)
        self.setFixedHeight(rows * self.verticalHeader().defaultSectionSize() + 2)

    def content_width(self) -> int:
        """The width every column needs to show its text whole. Measured from
        the texts (the rows need not be laid out yet): a cell's text plus the
        item's padding, and for the columns sized to their contents at least
        the size their (hidden) header section asks for."""
        model, fm, header = self.model(), self.fontMetrics(), self.horizontalHeader()
        if not model.rowCount():
            return 0
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self)
        pad = 2 * margin + 8
        total = 2 * self.frameWidth()
        for col in range(model.columnCount()):
            width = max(fm.horizontalAdvance(str(model.index(row, col).data() or "")) + pad
                        for row in range(model.rowCount()))
            total += width if col == WHAT else max(width, header.sectionSizeHint(col))
        return total


class UndoBar(QFrame):
    """ "Deleted 1:30 #5566 Teams phone rollout — Undo", for ``UNDO_MS``."""

    undo = Signal()
    expired = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.button = QPushButton("&Undo")
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(UNDO_MS)
        self.timer.timeout.connect(self._expire)
        self.button.clicked.connect(self._undo)
        self.hide()

    def offer(self, text: str) -> None:
        self.label.setText(text)
        self.label.setToolTip(text)
        self.show()
        self.timer.start()

    def _undo(self) -> None:
        self.timer.stop()
        self.hide()
        self.undo.emit()

    def _expire(self) -> None:
        self.hide()
        self.expired.emit()

    def finish_now(self) -> None:
        """Make a pending delete final at once (another delete, or the app quits)."""
        if self.timer.isActive():
            self.timer.stop()
            self._expire()


def totals_text(today: dto.Today | None, now: datetime) -> str:
    """ "Today 5:10 of 8:00 · Week 21:40" """
    if today is None:
        return "Today 0:00"
    of = f" of {format_duration(today.scheduled_s)}" if today.scheduled_s else ""
    day, week = format_duration(today.day_s(now)), format_duration(today.week_s(now))
    return f"Today {day}{of} · Week {week}"


class TodayPanel(QWidget):
    """The totals line, today's entries and the undo bar; the popup wires its
    requests (edit, continue) and shows what it says."""

    edit_requested = Signal(object)  # dto.Entry
    continue_requested = Signal(object)  # dto.Entry
    said = Signal(str)  # a notice for the popup
    refused = Signal(str)  # an error line for the popup

    def __init__(self, state: TrackerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.today: dto.Today | None = None
        self.pending: dto.Entry | None = None
        self.totals = QLabel("Today 0:00")
        self.totals.setObjectName("todayTotals")
        self.model = TodayModel(self)
        self.table = TodayTable(self.model)
        self.undo_bar = UndoBar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.totals)
        layout.addWidget(self.table)
        layout.addWidget(self.undo_bar)
        self.table.clicked.connect(self._clicked)
        self.undo_bar.undo.connect(self._undo)
        self.undo_bar.expired.connect(self._delete_for_good)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._flush)

    def show_today(self, today: dto.Today | None, tz: str, now: datetime) -> None:
        self.today = today
        self.model.set_today(today, tz, now)
        self.table.setVisible(self.model.rowCount() > 0)
        self.tick(now)

    def tick(self, now: datetime) -> None:
        self.totals.setText(totals_text(self.today, now))
        self.model.tick(now)

    # ------------------------------------------------------------ actions

    def _clicked(self, index: QModelIndex) -> None:
        item = self.model.items[index.row()]
        e = item.entry
        if index.column() == CONTINUE and not e.running:
            self.continue_requested.emit(e)
        elif item.locked:
            self.refused.emit(item.locked)
        elif e.running:
            self.said.emit("That is the running timer: its description is above; "
                           "stop it to change its times.")
        elif index.column() == DELETE:
            self.delete(e)
        else:
            self.edit_requested.emit(e)

    def delete(self, entry: dto.Entry) -> None:
        """Hide the entry and offer an undo; it is deleted when the offer ends."""
        self.undo_bar.finish_now()
        self.pending = entry
        self.model.hide_entry(entry.id)
        self.undo_bar.offer(f"Deleted {format_duration(entry.duration_s)} {target_text(entry)}")

    def _undo(self) -> None:
        if self.pending is not None:
            self.model.show_entry(self.pending.id)
            self.said.emit(f"Kept {what_text(self.pending)}.")
            self.pending = None

    def _delete_for_good(self) -> None:
        entry, self.pending = self.pending, None
        if entry is None:
            return

        def refused(exc: PunchclockError) -> None:
            self.model.show_entry(entry.id)
            self.refused.emit(exc.message)

        self.state.run(lambda a: a.tracking.delete(None, entry.id), on_error=refused)

    def _flush(self) -> None:
        # quitting inside the undo window: the delete the user asked for happens now
        entry, self.pending = self.pending, None
        if entry is not None:
            self.undo_bar.timer.stop()
            # its week locked meanwhile: the entry stays, as the core decided
            with contextlib.suppress(PunchclockError):
                self.state.app.tracking.delete(None, entry.id)
