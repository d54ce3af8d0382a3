"""The "Needs attention" window: local changes the server refused or that
conflicted, with the server's reason, and what to do with each.

* **Retry** queues the local value again on top of the server's copy
  (:func:`sync.client.attention.retry`) and syncs now.
* **Edit…** (time entries) opens the Log time form filled with the refused
  value; saving applies the corrected value as a new change — an edit of the
  entry as the server has it, or, for an entry the server never accepted, a
  new entry — and drops the refused one. The core's rules apply (an approved
  week stays locked, and says so inline).
* **Discard…** drops the local value after a confirmation.

Every action is a local write run off the GUI thread (``TrackerState.run``);
afterwards the list and the tray's status line are read again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto
from desktop.core.app import Punchclock
from desktop.core.durations import format_duration
from desktop.core.errors import PunchclockError
from desktop.ui.dialogs.log_time import LogTimeDialog
from desktop.ui.sync_link import SyncLink
from desktop.ui.widgets import ErrorLabel
from sync.client import attention
from sync.client.attention import Item

COLUMNS = ("What", "Your change", "Server's reason", "When")
ITEM_ROLE = Qt.ItemDataRole.UserRole
EDITABLE = ("create", "update")
NOISE = ("updated_at", "rejection_reason", "version")

Index = QModelIndex | QPersistentModelIndex


def _when(at: datetime) -> str:
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone().strftime("%Y-%m-%d %H:%M")


def describe(item: Item) -> str:
    """The local change in words: a time entry by its day, hours and text."""
    if item.entity != "time_entry" or item.op == "action":
        return item.summary[:1].upper() + item.summary[1:]
    d = item.data
    verb = {"create": "New entry", "update": "Edit", "delete": "Delete"}.get(item.op, item.op)
    hours = format_duration(int(d["duration_s"])) if d.get("duration_s") is not None else ""
    text = f"{verb} {d.get('work_date', '')}"
    if hours:
        text += f", {hours} h"
    if d.get("description"):
        text += f": {d['description']}"
    fields = [f for f in item.fields or () if f not in NOISE]
    if item.op == "update" and fields:
        text += f" (changed: {', '.join(f.replace('_', ' ') for f in fields)})"
    return text


def _reason(message: str) -> str:
    text = message.strip()
    return text[:1].upper() + text[1:]


class AttentionModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[Item] = []

    def reload(self, items: list[Item]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        if role == ITEM_ROLE:
            return item
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(item, index.column())
        return None

    @staticmethod
    def _text(item: Item, column: int) -> str:
        if column == 0:
            return item.entity.replace("_", " ").capitalize()
        if column == 1:
            return describe(item)
        if column == 2:
            return _reason(item.message)
        return _when(item.created_at)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return None


class AttentionWindow(QDialog):
    def __init__(self, link: SyncLink, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Needs attention — Punchclock")
        self.link = link
        self.state = link.state
        self.model = AttentionModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.error = ErrorLabel()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        buttons = QDialogButtonBox()
        role = QDialogButtonBox.ButtonRole.ActionRole
        self.retry_button: QPushButton = buttons.addButton("&Retry", role)
        self.edit_button: QPushButton = buttons.addButton("&Edit…", role)
        self.discard_button: QPushButton = buttons.addButton("&Discard…", role)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.retry_button.clicked.connect(self.retry)
        self.edit_button.clicked.connect(self.edit)
        self.discard_button.clicked.connect(self.discard)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(buttons)
        self.resize(self.sizeHint())
        self._busy = False
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        link.round_finished.connect(self.reload)
        link.changed.connect(self._maybe_reload)
        self.reload()

    def sizeHint(self) -> QSize:
        return QSize(900, 340)

    # ---------------------------------------------------------------- view

    def reload(self, *_args: object) -> None:
        chosen = self.selected()
        self.model.reload(attention.items(self.state.app.db))
        rows = [i.id for i in self.model.items]
        n = len(rows)
        self.intro.setText(
            f"{n} change{'s' if n != 1 else ''} the server did not accept. Your values are "
            "kept here until you retry, edit or discard them." if n
            else "Nothing needs attention: every change was accepted.")
        row = rows.index(chosen.id) if chosen is not None and chosen.id in rows else 0
        if n:
            self.table.selectRow(row)
        self.table.resizeColumnToContents(0)
        self.table.setColumnWidth(1, min(360, max(200, self.table.sizeHintForColumn(1))))
        self.table.resizeColumnToContents(3)
        self.table.resizeRowsToContents()
        for r in range(n):  # a little air around wrapped text
            self.table.setRowHeight(r, self.table.rowHeight(r) + 6)
        self._update_buttons()

    def _maybe_reload(self) -> None:
        if self.link.attention != len(self.model.items) and not self._busy:
            self.reload()

    def selected(self) -> Item | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.model.data(rows[0], ITEM_ROLE)
        return item if isinstance(item, Item) else None

    def _update_buttons(self, *_args: object) -> None:
        item = self.selected()
        ok = item is not None and not self._busy
        self.retry_button.setEnabled(ok)
        self.discard_button.setEnabled(ok)
        self.edit_button.setEnabled(ok and item is not None and item.entity == "time_entry"
                                    and item.op in EDITABLE)

    # ------------------------------------------------------------- actions

    def retry(self) -> None:
        item = self.selected()
        if item is None:
            return
        self._run(lambda a: attention.retry(a.db, item.id, now=a.clock()),
                  f"Queued again: {describe(item)}. Syncing…", sync=True)

    def discard(self) -> None:
        item = self.selected()
        if item is None:
            return
        answer = QMessageBox.question(
            self, "Discard this change?",
            f"Discard your change “{describe(item)}”?\n\nThe server's version stays; "
            "your local value is dropped and can't be recovered.",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Discard:
            return
        self._run(lambda a: attention.discard(a.db, item.id), f"Discarded: {describe(item)}.")

    def edit(self) -> LogTimeDialog | None:
        item = self.selected()
        if item is None or item.entity != "time_entry" or item.op not in EDITABLE:
            return None

        def submit(app: Punchclock, values: dict[str, Any]) -> dto.SavedEntry:
            saved = _apply_edit(app, item, values)
            attention.discard(app.db, item.id)  # superseded by the corrected change
            return saved

        dialog = LogTimeDialog(self.state, self, submit=submit, title="Edit and retry")
        dialog.prefill(item.data)
        dialog.save_new_button.hide()
        dialog.save_button.setText("&Save and retry")
        dialog.accepted.connect(lambda: self._done(f"Saved and queued: {describe(item)}.", True))
        dialog.setModal(True)
        dialog.show()
        return dialog

    def _run(self, fn: Any, message: str, *, sync: bool = False) -> None:
        self._busy = True
        self.error.clear_message()
        self._update_buttons()
        self.state.run(fn, on_done=lambda _r: self._done(message, sync), on_error=self._failed)

    def _done(self, message: str, sync: bool) -> None:
        self._busy = False
        self.notice.setText(message)
        self.reload()
        self.link.refresh()
        if sync:
            self.link.sync_now()

    def _failed(self, exc: PunchclockError) -> None:
        self._busy = False
        self.reload()
        self.error.show_message(exc.message)


def _apply_edit(app: Punchclock, item: Item, values: dict[str, Any]) -> dto.SavedEntry:
    """The corrected value as a new local change (see the module rule)."""
    if values.get("start") is None:
        values = {k: v for k, v in values.items() if k not in ("start", "end")}
    if values.get("duration_s") is None:
        values = {k: v for k, v in values.items() if k != "duration_s"}
    if not item.on_server:  # the server never accepted it: log the corrected one instead
        return app.tracking.log(None, **values)
    return app.tracking.edit(None, item.entity_id, **values)
