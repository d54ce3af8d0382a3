"""The Manage window's tables: customers, projects and tasks as
:meth:`DirectoryService.manage_lists` gives them (each row a
:class:`~desktop.core.dto.DirectoryItem`: the item, its entry count, what the
reader may do). Archived rows are greyed and hidden unless asked for; the
filter is a proxy over every column's text."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QApplication

from desktop.core import dto
from desktop.ui.windows.approvals.model import ITEM_ROLE, SORT_ROLE, Index, RowsModel

ARCHIVED = "Archived"


def _status(i: dto.DirectoryItem) -> str:
    return "Active" if i.active else ARCHIVED


def _billable(value: bool | None, inherited: str) -> str:
    return inherited if value is None else ("Billable" if value else "Non-billable")


def rounding_text(c: dto.Customer) -> str:
    """ "6 min, at least 15 min", "none"."""
    parts = []
    if c.round_increment_min:
        parts.append(f"{c.round_increment_min} min")
    if c.round_minimum_min:
        parts.append(f"at least {c.round_minimum_min} min")
    return ", ".join(parts) or "none"


def _c(i: dto.DirectoryItem) -> dto.Customer:
    assert isinstance(i.item, dto.Customer)
    return i.item


def _p(i: dto.DirectoryItem) -> dto.Project:
    assert isinstance(i.item, dto.Project)
    return i.item


def _t(i: dto.DirectoryItem) -> dto.Task:
    assert isinstance(i.item, dto.Task)
    return i.item


class DirectoryModel(RowsModel[dto.DirectoryItem]):
    """Rows of one kind; archived rows in the palette's disabled text colour."""

    ENTRIES_COLUMN = -1

    def numeric(self, column: int) -> bool:
        return column == self.ENTRIES_COLUMN % len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            item = self.item(index.row()) if index.isValid() else None
            if item is not None and not item.active:
                grey = QApplication.palette().color(QPalette.ColorGroup.Disabled,
                                                    QPalette.ColorRole.Text)
                return QBrush(QColor(grey))
            return None
        return super().data(index, role)

    def row_of(self, item_id: str) -> int:
        return next((n for n, i in enumerate(self.items) if i.item.id == item_id), -1)


class CustomerModel(DirectoryModel):
    columns = (
        ("Customer", lambda i: _c(i).name, lambda i: _c(i).name.lower()),
        ("Kind", lambda i: "Internal" if _c(i).is_internal else "Client",
         lambda i: _c(i).is_internal),
        ("Default", lambda i: _billable(_c(i).default_billable, ""),
         lambda i: _c(i).default_billable),
        ("Rounding", lambda i: rounding_text(_c(i)),
         lambda i: (_c(i).round_increment_min, _c(i).round_minimum_min)),
        ("Status", _status, lambda i: i.active),
        ("Entries", lambda i: str(i.entries), lambda i: i.entries),
    )


class ProjectModel(DirectoryModel):
    columns = (
        ("Customer", lambda i: _p(i).customer, lambda i: _p(i).customer.lower()),
        ("Project", lambda i: _p(i).name, lambda i: _p(i).name.lower()),
        ("Default", lambda i: _billable(_p(i).default_billable, "As the customer"),
         lambda i: str(_p(i).default_billable)),
        ("Status", _status, lambda i: i.active),
        ("Entries", lambda i: str(i.entries), lambda i: i.entries),
    )


class TaskModel(DirectoryModel):
    columns = (
        ("Customer", lambda i: _t(i).customer, lambda i: _t(i).customer.lower()),
        ("Project", lambda i: _t(i).project or "", lambda i: (_t(i).project or "").lower()),
        ("Ticket", lambda i: f"#{_t(i).external_ref}" if _t(i).external_ref else "",
         lambda i: _t(i).external_ref or ""),
        ("Task", lambda i: _t(i).title, lambda i: _t(i).title.lower()),
        ("Status", _status, lambda i: i.active),
        ("Entries", lambda i: str(i.entries), lambda i: i.entries),
    )

    def tooltip(self, item: dto.DirectoryItem, column: int) -> str | None:
        if column == 3:
            t = _t(item)
            return " › ".join(x for x in (t.customer, t.project, t.label) if x)
        return None


class DirectoryProxy(QSortFilterProxyModel):
    """Sorting by each column's key; the words typed must all appear in the
    row's text; archived rows only when ``show_archived``."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.words: list[str] = []
        self.show_archived = False

    def set_filter(self, text: str | None = None, show_archived: bool | None = None) -> None:
        self.beginFilterChange()
        if text is not None:
            self.words = text.lower().split()
        if show_archived is not None:
            self.show_archived = show_archived
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        item: dto.DirectoryItem | None = model.index(source_row, 0, source_parent).data(ITEM_ROLE)
        if item is None:
            return False
        if not item.active and not self.show_archived:
            return False
        if not self.words:
            return True
        text = " ".join(
            str(model.index(source_row, c, source_parent).data() or "")
            for c in range(model.columnCount())
        ).lower()
        return all(w in text for w in self.words)
