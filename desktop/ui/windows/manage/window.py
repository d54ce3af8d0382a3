"""The Manage window: customers, projects and tasks ("Manage…" in the tray menu).

* Three tabs — Customers, Projects, Tasks — each a table of
  :meth:`DirectoryService.manage_lists` (archived rows only with "Show
  archived"; a filter box over every column), with Add…, Change…,
  Archive / Unarchive and Delete.
* What a button does is the core's decision per row (``can_edit``,
  ``can_delete`` of :class:`~desktop.core.dto.DirectoryItem`): managers and
  admins add and change customers and projects; everyone adds tasks, and
  changes the ones they opened while nobody else logged time on them. A row
  any entry refers to is never deleted — Delete is disabled and says
  "archive it instead".
* Writes go through the core off the GUI thread; the window reloads when the
  directory changes anywhere (:class:`~desktop.ui.directory_watch.DirectoryWatch`
  calls :meth:`reload`) and after its own writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto
from desktop.core.app import Punchclock
from desktop.core.errors import PunchclockError
from desktop.ui.qtcompat import emit
from desktop.ui.state import TrackerState
from desktop.ui.widgets import ErrorLabel, data_table, restore_size, save_size
from desktop.ui.windows.approvals.model import ITEM_ROLE
from desktop.ui.windows.manage.dialogs import CustomerDialog, ProjectDialog, TaskDialog
from desktop.ui.windows.manage.model import (
    CustomerModel,
    DirectoryModel,
    DirectoryProxy,
    ProjectModel,
    TaskModel,
)

KINDS = ("customer", "project", "task")
MIN_COLUMN_CAP = 200


@dataclass
class Tab:
    """One kind's table, its filter and buttons."""

    kind: str
    model: DirectoryModel
    proxy: DirectoryProxy
    view: QTableView
    search: QLineEdit
    archived: QCheckBox
    add: QPushButton
    edit: QPushButton
    archive: QPushButton
    delete: QPushButton
    stretch: int


class ManageWindow(QWidget):
    loaded = Signal()

    def __init__(self, state: TrackerState, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("manageWindow")
        self.setWindowTitle("Customers, projects and tasks — Punchclock")
        self.state = state
        self.lists: dto.DirectoryLists | None = None
        self.dialog: QDialog | None = None
        self.error = ErrorLabel()
        self.notice = QLabel()
        self.tabs = QTabWidget()
        self.tab: dict[str, Tab] = {}
        for kind, model, label, stretch in (
            ("customer", CustomerModel(self), "&Customers", 0),
            ("project", ProjectModel(self), "&Projects", 1),
            ("task", TaskModel(self), "&Tasks", 3),
        ):
            self.tab[kind] = self._build_tab(kind, model, label, stretch)
        self.tabs.currentChanged.connect(lambda _i: self._update_buttons())
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        self.resize(self.sizeHint())
        restore_size(self, "manage")
        self.reload()

    def sizeHint(self) -> QSize:
        return QSize(1000, 620)

    def _build_tab(self, kind: str, model: DirectoryModel, label: str, stretch: int) -> Tab:
        proxy = DirectoryProxy(self)
        proxy.setSourceModel(model)
        view = data_table(proxy, stretch=stretch, sortable=True)
        view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        search = QLineEdit(placeholderText=f"Filter {kind}s")
        search.setClearButtonEnabled(True)
        archived = QCheckBox("Show a&rchived")
        noun = kind.capitalize()
        tab = Tab(kind, model, proxy, view, search, archived,
                  QPushButton(f"&New {kind}…"), QPushButton(f"C&hange {kind}…"),
                  QPushButton("Ar&chive"), QPushButton("&Delete"), stretch)
        search.textChanged.connect(lambda text: proxy.set_filter(text=text))
        archived.toggled.connect(lambda on: proxy.set_filter(show_archived=on))
        view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        view.doubleClicked.connect(lambda _i: self.edit_selected())
        tab.add.clicked.connect(self.add_new)
        tab.edit.clicked.connect(self.edit_selected)
        tab.archive.clicked.connect(self.toggle_archived)
        tab.delete.clicked.connect(self.delete_selected)
        top = QHBoxLayout()
        top.addWidget(search, 1)
        top.addWidget(archived)
        buttons = QHBoxLayout()
        buttons.addWidget(tab.add)
        buttons.addStretch(1)
        for b in (tab.edit, tab.archive, tab.delete):
            buttons.addWidget(b)
        page = QWidget()
        page.setAccessibleName(f"{noun}s")
        box = QVBoxLayout(page)
        box.addLayout(top)
        box.addWidget(view, 1)
        box.addLayout(buttons)
        self.tabs.addTab(page, label)
        return tab

    # ---------------------------------------------------------------- data

    def reload(self) -> None:
        """Read the three lists again, keeping each tab's selection."""
        try:
            lists = self.state.app.directory.manage_lists(None)
        except PunchclockError as exc:
            self.error.show_message(exc.message)
            return
        self.lists = lists
        for tab, rows in ((self.tab["customer"], lists.customers),
                          (self.tab["project"], lists.projects),
                          (self.tab["task"], lists.tasks)):
            chosen = self._selected(tab)
            first = not tab.model.items
            tab.model.load(rows)
            if first:
                self._size_columns(tab)
            if chosen is not None:
                self.select(tab.kind, chosen.item.id)
        for kind in ("customer", "project"):
            self.tab[kind].add.setVisible(lists.can_manage_customers)
        self.tab["task"].add.setVisible(lists.can_create_task)
        self._update_buttons()
        emit(self.loaded)

    @staticmethod
    def _size_columns(tab: Tab) -> None:
        """Columns fit their contents up to a third of the table (longer names
        elide, the full text in the tooltip); the stretch column takes the rest."""
        tab.view.resizeColumnsToContents()
        widest = max(MIN_COLUMN_CAP, tab.view.viewport().width() // 3)
        for column in range(tab.model.columnCount()):
            if column != tab.stretch and tab.view.columnWidth(column) > widest:
                tab.view.setColumnWidth(column, widest)

    @property
    def current(self) -> Tab:
        return self.tab[KINDS[self.tabs.currentIndex()]]

    def show_kind(self, kind: str) -> None:
        self.tabs.setCurrentIndex(KINDS.index(kind))

    def _selected(self, tab: Tab) -> dto.DirectoryItem | None:
        rows = tab.view.selectionModel().selectedRows()
        item = rows[0].data(ITEM_ROLE) if rows else None
        return item if isinstance(item, dto.DirectoryItem) else None

    def selected(self) -> dto.DirectoryItem | None:
        return self._selected(self.current)

    def select(self, kind: str, item_id: str) -> None:
        """Select (and show) the row of ``item_id`` in the ``kind`` tab."""
        tab = self.tab[kind]
        row = tab.model.row_of(item_id)
        if row < 0:
            return
        index = tab.proxy.mapFromSource(tab.model.index(row, 0))
        if index.isValid():
            tab.view.selectRow(index.row())
            tab.view.scrollTo(index)

    def _update_buttons(self) -> None:
        tab, item = self.current, self.selected()
        tab.edit.setEnabled(item is not None and item.can_edit)
        tab.archive.setEnabled(item is not None and item.can_edit)
        tab.archive.setText("Unar&chive" if item is not None and not item.active else "Ar&chive")
        tab.delete.setEnabled(item is not None and item.can_delete)
        why = ""
        if item is not None and item.entries and item.can_edit:
            why = (f"{item.entries} time {'entry refers' if item.entries == 1 else 'entries refer'}"
                   " to it: archive it instead of deleting it")
        elif item is not None and not item.can_edit:
            why = "you can't change this one" + (
                "" if tab.kind == "task" else ": managers and admins change customers and projects")
        tab.delete.setToolTip(why)
        self.notice.setText(why)

    # ------------------------------------------------------------- actions

    def add_new(self) -> QDialog:
        kind = self.current.kind
        chosen = self._selected(self.tab["customer"])
        customer_id = chosen.item.id if chosen is not None else None
        dialog: QDialog
        if kind == "customer":
            dialog = CustomerDialog(self.state, parent=self)
        elif kind == "project":
            dialog = ProjectDialog(self.state, customer_id=customer_id, parent=self)
        else:
            dialog = TaskDialog(self.state, customer_id=customer_id, parent=self)
        return self._open(dialog, kind)

    def edit_selected(self) -> QDialog | None:
        item = self.selected()
        if item is None or not item.can_edit:
            return None
        it = item.item
        dialog: QDialog
        if isinstance(it, dto.Customer):
            dialog = CustomerDialog(self.state, it, parent=self)
        elif isinstance(it, dto.Project):
            dialog = ProjectDialog(self.state, it, parent=self)
        else:
            dialog = TaskDialog(self.state, it, parent=self)
        return self._open(dialog, self.current.kind)

    def _open(self, dialog: Any, kind: str) -> QDialog:
        self.dialog = dialog
        dialog.saved.connect(lambda done: self._saved(kind, done))
        dialog.setModal(True)
        dialog.show()
        return dialog  # type: ignore[no-any-return]

    def _saved(self, kind: str, done: Any) -> None:
        self.reload()
        self.select(kind, done.id)
        self.notice.setText(f"Saved {kind} {getattr(done, 'name', None) or done.title}.")

    def toggle_archived(self) -> None:
        item = self.selected()
        if item is None:
            return
        kind, item_id, archive = self.current.kind, item.item.id, item.active
        self._write(lambda app: app.directory.set_archived(None, kind, item_id, archive))

    def delete_selected(self, *, confirm: bool = True) -> None:
        item = self.selected()
        if item is None or not item.can_delete:
            return
        kind, item_id = self.current.kind, item.item.id
        name = getattr(item.item, "name", None) or getattr(item.item, "title", "")
        if confirm and QMessageBox.question(
            self, "Delete", f'Delete {kind} "{name}"? Nothing refers to it yet.'
        ) != QMessageBox.StandardButton.Yes:
            return
        self._write(lambda app: app.directory.delete(None, kind, item_id))

    def _write(self, fn: Callable[[Punchclock], Any]) -> None:
        self.error.clear_message()
        self.state.run(fn, on_done=lambda _r: self.reload(),
                       on_error=lambda e: self.error.show_message(e.message))

    def closeEvent(self, event: QCloseEvent) -> None:
        save_size(self, "manage")
        super().closeEvent(event)
