"""The timesheet window's dialogs: Add row (the tray popup's fuzzy search),
the entries behind one cell (edit, delete), and the problems a submit found
(each with "Go to")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto, fuzzy
from desktop.core.durations import format_duration, parse_duration
from desktop.core.errors import Problem, PunchclockError
from desktop.ui.qtcompat import emit
from desktop.ui.widgets import ErrorLabel
from desktop.ui.windows.entries import EntryListModel


def _target_row(t: fuzzy.Target) -> dto.GridRow:
    cells = tuple(dto.GridCell(0, ()) for _ in range(7))
    return dto.GridRow(t.customer_id, t.customer, t.project_id, t.project, t.task_id, t.task,
                       t.task_ref, cells, 0, 0)


class AddRowDialog(QDialog):
    """Type a few letters of a customer, project, task or #ticket; Enter adds."""

    def __init__(self, candidates: list[fuzzy.Target], recent: list[fuzzy.Target],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add row — Punchclock")
        self.candidates, self.recent = candidates, recent
        self.chosen: dto.GridRow | None = None
        self.search = QLineEdit(placeholderText="Customer, project, task or #ticket")
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = buttons.addButton("&Add row", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept_selected)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(buttons)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self.accept_selected)
        self.results.itemActivated.connect(lambda _i: self.accept_selected())
        self.filter("")

    def sizeHint(self) -> QSize:
        return QSize(520, 380)

    def filter(self, text: str) -> None:
        self.results.clear()
        for target in fuzzy.search(text, self.candidates, self.recent):
            item = QListWidgetItem(target.path)
            item.setToolTip(target.path)
            item.setData(Qt.ItemDataRole.UserRole, target)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def accept_selected(self) -> None:
        item = self.results.currentItem()
        if item is None:
            return
        self.chosen = _target_row(item.data(Qt.ItemDataRole.UserRole))
        self.accept()


class CellEntriesDialog(QDialog):
    """The entries behind one cell: time, hours, description, billable, the
    rejection reason and problems; edit the selected one, or delete it."""

    save_requested = Signal(str, dict)  # entry id, changes for TrackingService.edit
    delete_requested = Signal(str)

    def __init__(self, title: str, entries: Sequence[dto.Entry], problems: Sequence[Problem],
                 locked: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} — Punchclock")
        self.model = EntryListModel(self)
        self.model.load(entries, problems)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.resizeColumnsToContents()
        self.hours = QLineEdit()
        self.description = QLineEdit()
        self.billable = QCheckBox("&Billable")
        self.error = ErrorLabel()
        self.lock = QLabel(locked or "")
        self.lock.setWordWrap(True)
        self.lock.setVisible(bool(locked))
        form = QFormLayout()
        form.addRow("&Hours", self.hours)
        form.addRow("&Description", self.description)
        form.addRow("", self.billable)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        role = QDialogButtonBox.ButtonRole.ActionRole
        self.save_button: QPushButton = buttons.addButton("&Save entry", role)
        self.delete_button: QPushButton = buttons.addButton("De&lete entry", role)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.lock)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        for w in (self.hours, self.description, self.billable, self.save_button,
                  self.delete_button):
            w.setEnabled(locked is None)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._show())
        if entries:
            self.table.selectRow(0)
        self._show()

    def sizeHint(self) -> QSize:
        return QSize(900, 360)

    def current(self) -> dto.Entry | None:
        return self.model.entry(self.table.currentIndex().row())

    def _show(self) -> None:
        e = self.current()
        self.hours.setText(format_duration(e.duration_s) if e else "")
        self.description.setText(e.description if e else "")
        self.billable.setChecked(bool(e and e.billable))

    def save(self) -> None:
        e = self.current()
        if e is None:
            return
        try:
            seconds = parse_duration(self.hours.text())
        except PunchclockError as exc:
            self.error.show_message(exc.message)
            return
        changes: dict[str, Any] = {}
        if seconds != e.duration_s:
            changes["duration_s"] = seconds
        if self.description.text().strip() != e.description:
            changes["description"] = self.description.text()
        if self.billable.isChecked() != e.billable:
            changes["billable"] = self.billable.isChecked()
        if changes:
            self.error.clear_message()
            emit(self.save_requested, e.id, changes)

    def delete(self) -> None:
        e = self.current()
        if e is not None:
            emit(self.delete_requested, e.id)

    def reload(self, entries: Sequence[dto.Entry], problems: Sequence[Problem]) -> None:
        row = self.table.currentIndex().row()
        self.model.load(entries, problems)
        if not entries:
            self.accept()
            return
        self.table.selectRow(min(max(row, 0), len(entries) - 1))
        self._show()


class ProblemsDialog(QDialog):
    """Why the week can't be submitted: every problem, each with Go to."""

    def __init__(self, message: str, problems: Sequence[Problem],
                 go_to: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Not submitted — Punchclock")
        self.go_to = go_to
        self.problems = list(problems)
        intro = QLabel(f"{message[:1].upper()}{message[1:]}. Nothing was submitted; fix these "
                       "and submit again.")
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        for p in self.problems:
            item = QListWidgetItem(p.message)
            item.setToolTip(p.message)
            item.setData(Qt.ItemDataRole.UserRole, p.entry_id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.go_button = buttons.addButton("&Go to", QDialogButtonBox.ButtonRole.ActionRole)
        self.go_button.clicked.connect(self.go)
        self.list.itemActivated.connect(lambda _i: self.go())
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def sizeHint(self) -> QSize:
        return QSize(640, 320)

    def go(self) -> None:
        item = self.list.currentItem()
        entry_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        if entry_id:
            self.go_to(str(entry_id))
