"""The reviewer's dialogs: Reject (a reason; tick entries to give each its own
reason) and the note or reason of Return for revision and Reopen. Each hands
its text to the window, which runs the action through the core; a refusal
(an empty reason, an empty per-entry reason…) is shown inline and the dialog
stays open."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto
from desktop.core.errors import Problem
from desktop.ui.qtcompat import emit
from desktop.ui.widgets import ErrorLabel
from desktop.ui.windows.entries import REASON, EntryListModel


class CommentDialog(QDialog):
    """One text (the return note, the reopen reason) and a button."""

    submitted = Signal(str)

    def __init__(self, title: str, intro: str, label: str, button: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} — Punchclock")
        text = QLabel(intro)
        text.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(label)
        self.text.setTabChangesFocus(True)
        self.error = ErrorLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button: QPushButton = buttons.addButton(
            button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(lambda: emit(self.submitted, self.text.toPlainText()))
        buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(text)
        self.layout_.addWidget(self.text)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(buttons)

    def sizeHint(self) -> QSize:
        return QSize(520, 260)

    def refused(self, message: str) -> None:
        self.error.show_message(message)


class RejectDialog(CommentDialog):
    """The reason, and the sheet's entries: tick one and type its own reason."""

    rejected_with = Signal(str, dict)  # reason, entry id → reason

    def __init__(self, summary: dto.SheetSummary, entries: Sequence[dto.Entry],
                 problems: Sequence[Problem], parent: QWidget | None = None) -> None:
        super().__init__(
            "Reject week",
            f"Reject {summary.name}'s week {summary.sheet.week}. They see the reason, and each "
            "ticked entry is marked with its own reason until they change it.",
            "Why is the week rejected? (required)", "&Reject week", parent)
        self.model = EntryListModel(self, checkable=True)
        self.model.load(entries, problems)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        header.setSectionResizeMode(REASON, QHeaderView.ResizeMode.Stretch)
        hint = QLabel("Tick an entry, then type its reason in the last column.")
        self.layout_.insertWidget(2, hint)
        self.layout_.insertWidget(3, self.table, 1)
        self.submitted.connect(lambda text: emit(self.rejected_with, text,
                                                 dict(self.model.checked)))

    def sizeHint(self) -> QSize:
        return QSize(1000, 520)
