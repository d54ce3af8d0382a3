"""The week grid as a Qt table model over :class:`desktop.core.dto.WeekView`.

Rows are the week's customer › project › task combinations (and rows the user
added that have no time yet), then one totals row. Columns: the row's name,
the seven days, the row's total. A cell shows H:MM; the running timer's cell
counts up with :meth:`WeekModel.tick`. Nothing here decides a rule: hours are
read by :func:`desktop.core.durations.parse_cell_duration`, locks, problems and
per-entry reasons come from the week view; an accepted edit is handed to the
window (``cell_edited``), which saves it through the core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.core import dto
from desktop.core.durations import format_duration, parse_cell_duration
from desktop.core.errors import PunchclockError
from desktop.ui.qtcompat import emit

Index = QModelIndex | QPersistentModelIndex
Key = tuple[str, str | None, str | None]  # customer, project, task ids

NAME_COL, FIRST_DAY_COL, TOTAL_COL = 0, 1, 8
COLUMNS = 9
ROW_ROLE = Qt.ItemDataRole.UserRole  # the row's GridRow (None for the totals row)
SECONDS_ROLE = Qt.ItemDataRole.UserRole + 1
ENTRIES_ROLE = Qt.ItemDataRole.UserRole + 2  # the cell's entries
SORT_ROLE = Qt.ItemDataRole.UserRole + 3

OFF_DAY = QColor("#eceff1")  # weekends, holidays, time off
TODAY = QColor("#e3f2fd")
REJECTED = QColor("#fde0dc")
PROBLEM = QColor("#fff3cd")


@dataclass(frozen=True)
class Row:
    key: Key
    grid: dto.GridRow

    @property
    def path(self) -> str:
        return self.grid.path


def row_key(r: dto.GridRow) -> Key:
    return (r.customer_id, r.project_id, r.task_id)


def empty_row(r: dto.GridRow) -> dto.GridRow:
    cells = tuple(dto.GridCell(0, ()) for _ in range(7))
    return dto.GridRow(r.customer_id, r.customer, r.project_id, r.project, r.task_id, r.task,
                       r.task_ref, cells, 0, 0)


class WeekModel(QAbstractTableModel):
    """See the module docstring."""

    cell_edited = Signal(object, int, int, str)  # row key, day index, seconds, typed text
    refused = Signal(str)  # an edit refused before it reached the core

    def __init__(self, clock: Callable[[], datetime], parent: Any = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.view: dto.WeekView | None = None
        self.rows: list[Row] = []
        self.extra: list[dto.GridRow] = []  # rows added by the user, no time yet
        self._entries: dict[str, dto.Entry] = {}
        self._problems: dict[str, list[str]] = {}

    # ------------------------------------------------------------- loading

    def load(self, view: dto.WeekView, extra: list[dto.GridRow] | None = None) -> None:
        """Show ``view``; on a reload of the same week, rows that lost their time
        stay (empty) until removed or the week changes."""
        same_week = (self.view is not None
                     and self.view.grid.sheet.week_start == view.grid.sheet.week_start)
        kept = [empty_row(r.grid) for r in self.rows] if same_week else []
        self.beginResetModel()
        if not same_week:
            self.extra = []
        self.extra = [*self.extra, *(r for r in kept if row_key(r) not in
                                     {row_key(x) for x in self.extra})]
        self.view = view
        self._entries = {e.id: e for e in view.entries}
        self._problems = {}
        for p in view.problems:
            if p.entry_id:
                self._problems.setdefault(p.entry_id, []).append(p.message)
        if extra is not None:
            self.extra = list(extra)
        have = {row_key(r) for r in view.grid.rows}
        self.extra = [r for r in self.extra if row_key(r) not in have]
        self.rows = [Row(row_key(r), r) for r in (*view.grid.rows, *self.extra)]
        self.endResetModel()

    def add_rows(self, rows: list[dto.GridRow]) -> int:
        """Add rows without time (Add row, Copy rows from last week); returns how
        many were new."""
        have = {r.key for r in self.rows}
        new = [empty_row(r) for r in rows if row_key(r) not in have]
        if not new:
            return 0
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        self.extra.extend(new)
        self.rows.extend(Row(row_key(r), r) for r in new)
        self.endInsertRows()
        return len(new)

    def remove_row(self, row: int) -> bool:
        """Remove an empty row (a row with time can't be removed here)."""
        if not 0 <= row < len(self.rows) or self.rows[row].grid.total_s:
            return False
        key = self.rows[row].key
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.rows[row]
        self.extra = [r for r in self.extra if row_key(r) != key]
        self.endRemoveRows()
        return True

    def tick(self) -> None:
        """The running timer's cell, its row total and the totals move on."""
        if self.view is None or not any(e.running for e in self.view.entries):
            return
        for r, row in enumerate(self.rows):
            if any(self._entries[i].running for c in row.grid.cells for i in c.entry_ids):
                self.dataChanged.emit(self.index(r, FIRST_DAY_COL), self.index(r, TOTAL_COL))
        last = len(self.rows)
        self.dataChanged.emit(self.index(last, FIRST_DAY_COL), self.index(last, TOTAL_COL))

    # --------------------------------------------------------------- reads

    def is_total(self, row: int) -> bool:
        """The two rows under the grid: logged per day, then scheduled per day."""
        return row >= len(self.rows)

    def is_scheduled(self, row: int) -> bool:
        return row == len(self.rows) + 1

    def cell_entries(self, row: int, col: int) -> list[dto.Entry]:
        if self.is_total(row) or not FIRST_DAY_COL <= col < TOTAL_COL or row >= len(self.rows):
            return []
        ids = self.rows[row].grid.cells[col - FIRST_DAY_COL].entry_ids
        return [self._entries[i] for i in ids if i in self._entries]

    def seconds(self, row: int, col: int) -> int:
        now = self.clock()
        if self.is_scheduled(row) and self.view is not None:
            if col == TOTAL_COL:
                return self.view.scheduled_s
            return self.view.days[col - FIRST_DAY_COL].scheduled_s if col != NAME_COL else 0
        if self.is_total(row):
            return sum(self.seconds(r, col) for r in range(len(self.rows)))
        if col == TOTAL_COL:
            return sum(self.seconds(row, c) for c in range(FIRST_DAY_COL, TOTAL_COL))
        return sum(e.elapsed_s(now) for e in self.cell_entries(row, col))

    def day(self, col: int) -> dto.DayInfo | None:
        if self.view is None or not FIRST_DAY_COL <= col < TOTAL_COL:
            return None
        return self.view.days[col - FIRST_DAY_COL]

    def locate(self, entry_id: str) -> tuple[int, int] | None:
        """The (row, column) of the cell an entry is behind."""
        for r, row in enumerate(self.rows):
            for d, cell in enumerate(row.grid.cells):
                if entry_id in cell.entry_ids:
                    return r, FIRST_DAY_COL + d
        return None

    # ----------------------------------------------------------- Qt model

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() or self.view is None else len(self.rows) + 2

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMNS

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        r, c = index.row(), index.column()
        if (self.view is not None and self.view.locked is None and not self.is_total(r)
                and FIRST_DAY_COL <= c < TOTAL_COL and len(self.cell_entries(r, c)) <= 1):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.view is None:
            return None
        r, c = index.row(), index.column()
        if not (0 <= r < len(self.rows) + 2 and 0 <= c < COLUMNS):
            return None
        total = self.is_total(r)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, c)
        if role == Qt.ItemDataRole.EditRole:
            seconds = self.seconds(r, c)
            return format_duration(seconds) if seconds and c != NAME_COL else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, c)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if c == NAME_COL:
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(r, c)
        if role == Qt.ItemDataRole.FontRole and (total or c == TOTAL_COL):
            font = QFont()
            font.setBold(True)
            return font
        if role == ROW_ROLE:
            return None if total else self.rows[r].grid
        if role == SECONDS_ROLE:
            return self.seconds(r, c) if c != NAME_COL else None
        if role == ENTRIES_ROLE:
            return self.cell_entries(r, c)
        if role == SORT_ROLE:
            return self._sort_value(r, c)
        return None

    def _display(self, r: int, c: int) -> str:
        if c == NAME_COL:
            if self.is_total(r):
                return "Scheduled" if self.is_scheduled(r) else "Total logged"
            return self.rows[r].path
        seconds = self.seconds(r, c)
        if self.is_total(r):
            return format_duration(seconds)
        entries = self.cell_entries(r, c)
        running = any(e.running for e in entries) or (
            c == TOTAL_COL and any(e.running for e in self._row_entries(r)))
        text = format_duration(seconds) if seconds or running else ""
        if len(entries) > 1:
            text = f"{text} ({len(entries)})"
        return f"▶ {text}" if running and c != TOTAL_COL else text

    def _row_entries(self, r: int) -> list[dto.Entry]:
        return [e for c in range(FIRST_DAY_COL, TOTAL_COL) for e in self.cell_entries(r, c)]

    def _tooltip(self, r: int, c: int) -> str | None:
        if c == NAME_COL:
            return None if self.is_total(r) else self.rows[r].path
        lines: list[str] = []
        day = self.day(c)
        if day is not None and day.off_name:
            lines.append(f"{day.off_name}: {format_duration(day.off_s)} off")
        entries = self.cell_entries(r, c)
        if len(entries) > 1:
            lines.append(f"{len(entries)} entries — Enter or double-click lists them")
        for e in entries:
            if e.rejection_reason:
                lines.append(f"Rejected: {e.rejection_reason}")
            lines.extend(self._problems.get(e.id, []))
            if e.description and len(entries) == 1:
                lines.append(e.description)
        if self.view is not None and self.view.locked and not self.is_total(r) and c != TOTAL_COL:
            lines.append(self.view.locked)
        return "\n".join(lines) or None

    def _background(self, r: int, c: int) -> QBrush | None:
        entries = self.cell_entries(r, c)
        if any(e.rejection_reason for e in entries):
            return QBrush(REJECTED)
        if any(e.id in self._problems for e in entries):
            return QBrush(PROBLEM)
        day = self.day(c)
        if day is None or self.view is None:
            return None
        if day.date == self.view.today:
            return QBrush(TODAY)
        if not day.workday or day.off_s:
            return QBrush(OFF_DAY)
        return None

    def _sort_value(self, r: int, c: int) -> Any:
        if c == NAME_COL:
            return "" if self.is_total(r) else self.rows[r].path.lower()
        return self.seconds(r, c)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index)
                                                     & Qt.ItemFlag.ItemIsEditable):
            return False
        text = str(value or "")
        try:
            seconds = parse_cell_duration(text)
        except PunchclockError as exc:
            emit(self.refused, exc.message)
            return False
        r, c = index.row(), index.column()
        if seconds == self.seconds(r, c):
            return False
        emit(self.cell_edited, self.rows[r].key, c - FIRST_DAY_COL, seconds, text)
        return True

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < COLUMNS:
            return None
        day = self.day(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if section == NAME_COL:
                return "Customer › project › task"
            if section == TOTAL_COL:
                return "Total"
            if day is None:
                return None
            text = day.date.strftime("%a %d")
            return f"{text}\n{day.off_name}" if day.off_name else text
        if role == Qt.ItemDataRole.ToolTipRole and day is not None:
            planned = f"{format_duration(day.scheduled_s)} scheduled"
            off = f"; {day.off_name}: {format_duration(day.off_s)} off" if day.off_name else ""
            return f"{day.date.strftime('%A %d %B %Y')} — {planned}{off}"
        if (role == Qt.ItemDataRole.FontRole and day is not None and self.view is not None
                and day.date == self.view.today):
            font = QFont()
            font.setBold(True)
            return font
        return None


class WeekProxy(QSortFilterProxyModel):
    """Sorts rows by name or hours; the totals row always stays last."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)

    def lessThan(self, left: Index, right: Index) -> bool:
        source = self.sourceModel()
        assert isinstance(source, WeekModel)
        ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
        first, second = source.is_total(left.row()), source.is_total(right.row())
        if first and second:  # Total logged, then Scheduled, in either order
            return (left.row() < right.row()) == ascending
        if first:
            return not ascending
        if second:
            return ascending
        return bool(super().lessThan(left, right))
