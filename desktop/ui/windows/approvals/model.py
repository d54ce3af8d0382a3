"""The approvals window's table models: the sheets to review, a sheet's history,
and the Not submitted chase list — plain views of the core's dataclasses
(:class:`~desktop.core.dto.SheetSummary`, ``SheetEvent``, ``OverdueWeek``).
The warnings, utilization and the actions allowed come from the core; sorting
and the technician filter are proxies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from desktop.core import dto
from desktop.core.durations import format_duration

Index = QModelIndex | QPersistentModelIndex
ITEM_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
WARN = QColor("#fff3cd")
T = TypeVar("T")


def when(at: datetime | None) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M") if at else ""


def span(seconds: int) -> str:
    """How long overdue: "3 d 4 h", "5 h"."""
    days, rest = divmod(max(0, seconds), 86400)
    return f"{days} d {rest // 3600} h" if days else f"{rest // 3600} h"


Column = tuple[str, Callable[[Any], str], Callable[[Any], Any]]  # header, text, sort key


class RowsModel(QAbstractTableModel, Generic[T]):
    """A read-only table of dataclasses, one column per (header, text, sort key)."""

    columns: Sequence[Column] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[T] = []

    def load(self, items: Sequence[T]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def item(self, row: int) -> T | None:
        return self.items[row] if 0 <= row < len(self.items) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item(index.row()) if index.isValid() else None
        if item is None or not 0 <= index.column() < len(self.columns):
            return None
        _header, text, key = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(item, index.column()) or text(item) or None
        if role == ITEM_ROLE:
            return item
        if role == SORT_ROLE:
            return key(item)
        if role == Qt.ItemDataRole.TextAlignmentRole and self.numeric(index.column()):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.background(item)
        return None

    def tooltip(self, item: T, column: int) -> str | None:
        return None

    def background(self, item: T) -> QBrush | None:
        return None

    def numeric(self, column: int) -> bool:
        return False

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.columns)):
            return self.columns[section][0]
        return None


def _utilization(s: dto.SheetSummary) -> str:
    if s.utilization_pct is None:
        return "—"
    return f"{s.utilization_pct}% of {s.target_pct}%"


class SheetListModel(RowsModel[dto.SheetSummary]):
    columns = (
        ("Technician", lambda s: s.name, lambda s: s.name.lower()),
        ("Week", lambda s: s.sheet.week, lambda s: s.sheet.week_start.isoformat()),
        ("Status", lambda s: s.sheet.status, lambda s: s.sheet.status),
        ("Total", lambda s: format_duration(s.total_s), lambda s: s.total_s),
        ("Billable", lambda s: format_duration(s.billable_s), lambda s: s.billable_s),
        ("Non-billable", lambda s: format_duration(s.non_billable_s),
         lambda s: s.non_billable_s),
        ("Utilization", _utilization,
         lambda s: -1 if s.utilization_pct is None else s.utilization_pct),
        ("Scheduled", lambda s: format_duration(s.scheduled_s), lambda s: s.scheduled_s),
        ("Warnings", lambda s: "; ".join(s.flags), lambda s: len(s.flags)),
        ("Submitted", lambda s: when(s.sheet.submitted_at),
         lambda s: when(s.sheet.submitted_at)),
    )
    NUMERIC = frozenset({3, 4, 5, 6, 7})

    def numeric(self, column: int) -> bool:
        return column in self.NUMERIC

    def background(self, item: dto.SheetSummary) -> QBrush | None:
        return QBrush(WARN) if item.flags else None

    def tooltip(self, item: dto.SheetSummary, column: int) -> str | None:
        if column == 0:
            return f"{item.name} <{item.sheet.user}>" + (f" · {item.team}" if item.team else "")
        if column == 8 and item.flags:
            return "\n".join(item.flags)
        if column == 2 and item.sheet.note:
            return f"{item.sheet.status}: {item.sheet.note}"
        return None


class HistoryModel(RowsModel[dto.SheetEvent]):
    columns = (
        ("When", lambda e: when(e.at), lambda e: e.at.isoformat()),
        ("Action", lambda e: e.action, lambda e: e.action),
        ("Status", lambda e: f"{e.from_status} → {e.to_status}", lambda e: e.to_status),
        ("By", lambda e: e.actor, lambda e: e.actor),
        ("Comment", lambda e: e.comment or "", lambda e: e.comment or ""),
    )


class OverdueModel(RowsModel[dto.OverdueWeek]):
    columns = (
        ("Technician", lambda o: o.user_name, lambda o: o.user_name.lower()),
        ("Team", lambda o: o.team_name or "", lambda o: o.team_name or ""),
        ("Week", lambda o: _week(o), lambda o: o.week_start.isoformat()),
        ("Status", lambda o: o.status, lambda o: o.status),
        ("Logged so far", lambda o: format_duration(o.logged_s), lambda o: o.logged_s),
        ("Scheduled", lambda o: format_duration(o.scheduled_s), lambda o: o.scheduled_s),
        ("Overdue by", lambda o: span(o.overdue_s), lambda o: o.overdue_s),
        ("Deadline", lambda o: when(o.deadline), lambda o: o.deadline.isoformat()),
    )

    def numeric(self, column: int) -> bool:
        return column in (4, 5, 6)

    def tooltip(self, item: dto.OverdueWeek, column: int) -> str | None:
        return f"{item.user_name} <{item.user_email}>" if column == 0 else None


def _week(o: dto.OverdueWeek) -> str:
    from desktop.core.timeutil import format_week

    return format_week(o.week_start)


class SheetProxy(QSortFilterProxyModel):
    """Sorting by each column's key, and the technician filter (a user id)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.user_id: str | None = None

    def set_user(self, user_id: str | None) -> None:
        self.beginFilterChange()
        self.user_id = user_id
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self.user_id is None:
            return True
        item = self.sourceModel().index(source_row, 0, source_parent).data(ITEM_ROLE)
        owner = getattr(getattr(item, "sheet", None), "user_id", None) or \
            getattr(item, "user_id", None)
        return owner == self.user_id
