"""A list of time entries as a table model, shared by the timesheet's cell detail
and the approvals window: date, customer, project / task, ticket, time, hours,
billable, description, with each entry's problems and rejection reason inline
(from the core's week problems — nothing is judged here).

Entries can be checked (the reviewer ticks entries to give each its own
reason); a checked entry's reason is edited in the Reason column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop.core import dto
from desktop.core.durations import format_duration
from desktop.core.errors import Problem

Index = QModelIndex | QPersistentModelIndex
ENTRY_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
WARN = QColor("#fff3cd")
REJECTED = QColor("#fde0dc")

DATE, CUSTOMER, WORK, TICKET, TIME, HOURS, BILLABLE, DESCRIPTION, NOTES, REASON = range(10)
HEADERS = ("Date", "Customer", "Project / task", "Ticket", "Time", "Hours", "Billable",
           "Description", "Warnings", "Reason for this entry")


def _clock(e: dto.Entry) -> str:
    if e.started_at is None:
        return ""
    start = e.started_at.astimezone().strftime("%H:%M")
    end = "…" if e.ended_at is None else e.ended_at.astimezone().strftime("%H:%M")
    return f"{start}–{end}"


class EntryListModel(QAbstractTableModel):
    def __init__(self, parent: Any = None, *, checkable: bool = False) -> None:
        super().__init__(parent)
        self.checkable = checkable
        self.entries: list[dto.Entry] = []
        self.problems: dict[str, list[str]] = {}
        self.checked: dict[str, str] = {}  # entry id → its own reason

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else (len(HEADERS) if self.checkable else len(HEADERS) - 1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def load(self, entries: Sequence[dto.Entry], problems: Sequence[Problem] = ()) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.problems = {}
        for p in problems:
            if p.entry_id:
                self.problems.setdefault(p.entry_id, []).append(p.message)
        self.checked = {k: v for k, v in self.checked.items()
                        if any(e.id == k for e in self.entries)}
        self.endResetModel()

    def entry(self, row: int) -> dto.Entry | None:
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _text(self, e: dto.Entry, col: int) -> str:
        if col == DATE:
            return e.work_date.strftime("%a %Y-%m-%d")
        if col == CUSTOMER:
            return e.customer
        if col == WORK:
            return " › ".join(x for x in (e.project, e.task) if x)
        if col == TICKET:
            return f"#{e.task_ref}" if e.task_ref else ""
        if col == TIME:
            return _clock(e)
        if col == HOURS:
            return format_duration(e.duration_s) + (" ▶" if e.running else "")
        if col == BILLABLE:
            return "billable" if e.billable else "non-billable"
        if col == DESCRIPTION:
            return e.description
        if col == NOTES:
            notes = list(self.problems.get(e.id, []))
            if e.rejection_reason:
                notes.insert(0, f"Rejected: {e.rejection_reason}")
            return "; ".join(notes)
        return self.checked.get(e.id, "")

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.checkable and index.column() == DATE:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        if self.checkable and index.column() == REASON:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        e = self.entry(index.row()) if index.isValid() else None
        if e is None or not 0 <= index.column() < self.columnCount():
            return None
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(e, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._text(e, col) or None
        if role == Qt.ItemDataRole.CheckStateRole and self.checkable and col == DATE:
            return Qt.CheckState.Checked if e.id in self.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.BackgroundRole:
            if e.rejection_reason or e.id in self.checked:
                return QBrush(REJECTED)
            if e.id in self.problems:
                return QBrush(WARN)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == HOURS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ENTRY_ROLE:
            return e
        if role == SORT_ROLE:
            if col == HOURS:
                return e.duration_s
            if col == DATE:
                return (e.work_date.isoformat(), e.started_at.isoformat() if e.started_at else "")
            return self._text(e, col).lower()
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        e = self.entry(index.row()) if index.isValid() else None
        if e is None or not self.checkable:
            return False
        col = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == DATE:
            state = value.value if isinstance(value, Qt.CheckState) else value
            if state == Qt.CheckState.Checked.value:
                self.checked.setdefault(e.id, "")
            else:
                self.checked.pop(e.id, None)
        elif role == Qt.ItemDataRole.EditRole and col == REASON:
            text = str(value or "")
            if text:
                self.checked[e.id] = text
            else:
                self.checked.pop(e.id, None)
        else:
            return False
        self.dataChanged.emit(self.index(index.row(), 0),
                              self.index(index.row(), self.columnCount() - 1))
        return True

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < self.columnCount()):
            return HEADERS[section]
        return None
