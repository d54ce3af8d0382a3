"""The timesheet's side panel and its grid table.

* :class:`CellPanel` shows the current cell: its row and day, the description
  and billable flag of the entry behind it (or of the entry a new value will
  make), the description policy's warning (from the core, while typing) and the
  rejection reasons of its entries.
* :class:`GridTable` adds the grid's keys to a table view: Delete clears,
  Ctrl+C / Ctrl+V copy and paste hours, Enter / F2 on a cell that is not
  edited in place (several entries, locked) opens its entries.
* :func:`copy_text` / :func:`paste_cells` turn a range into tab-separated hours
  and back (hours only, read by the core's parser).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from desktop.core import dto
from desktop.core.durations import format_duration, parse_cell_duration
from desktop.ui.qtcompat import emit

Cell = tuple[int, int]  # view row, view column


class CellPanel(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Cell", parent)
        self.cell_label = QLabel()
        self.cell_label.setWordWrap(True)
        self.description = QLineEdit(placeholderText="What was done, and why")
        self.billable = QCheckBox("&Billable")
        self.billable.setChecked(True)
        self.policy_label = QLabel()
        self.policy_label.setWordWrap(True)
        self.policy_label.setStyleSheet("color: #8a5300;")
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.reason_label.setStyleSheet("color: #b3261e;")
        self.save_button = QPushButton("Save &description")
        self.entries_button = QPushButton("&Entries…")
        form = QFormLayout(self)
        form.addRow(self.cell_label)
        form.addRow("Descr&iption", self.description)
        form.addRow("", self.billable)
        form.addRow(self.policy_label)
        form.addRow(self.reason_label)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.entries_button)
        form.addRow(row)
        self.setFixedWidth(280)

    def show_cell(self, title: str | None, entries: Sequence[dto.Entry], editable: bool,
                  problems: Sequence[str]) -> None:
        single = entries[0] if len(entries) == 1 else None
        self.cell_label.setText(title or "Choose a day of a row.")
        self.cell_label.setToolTip(title or "")
        text = single.description if single else ""
        self.description.blockSignals(True)
        self.description.setText(text)
        self.description.setCursorPosition(0)  # a long text shows its start
        self.description.setToolTip(text)
        self.description.blockSignals(False)
        self.billable.blockSignals(True)
        self.billable.setChecked(single.billable if single else True)
        self.billable.blockSignals(False)
        reasons = [f"Rejected: {e.rejection_reason}" for e in entries if e.rejection_reason]
        self.reason_label.setText("\n".join(reasons))
        self.reason_label.setVisible(bool(reasons))
        self.description.setEnabled(editable)
        self.billable.setEnabled(editable)
        self.save_button.setEnabled(editable and single is not None)
        self.entries_button.setEnabled(bool(entries))
        self.set_policy("\n".join(problems))

    def set_policy(self, text: str) -> None:
        self.policy_label.setText(text)
        self.policy_label.setVisible(bool(text))


class GridTable(QTableView):
    clear_requested = Signal()
    copy_requested = Signal()
    paste_requested = Signal()
    open_requested = Signal(QModelIndex)
    refused_typing = Signal(QModelIndex)  # typed into a cell that is not edited in place

    def keyPressEvent(self, event: QKeyEvent) -> None:
        editing = self.state() == QAbstractItemView.State.EditingState
        in_place = bool(self.model().flags(self.currentIndex()) & Qt.ItemFlag.ItemIsEditable)
        if event.matches(QKeySequence.StandardKey.Copy):
            emit(self.copy_requested)
        elif event.matches(QKeySequence.StandardKey.Paste):
            emit(self.paste_requested)
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not editing:
            emit(self.clear_requested)
        elif (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2)
              and not editing and not in_place):
            emit(self.open_requested, self.currentIndex())
        elif not editing and not in_place and event.text().strip() and not (
                event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                     | Qt.KeyboardModifier.AltModifier)):
            emit(self.refused_typing, self.currentIndex())
        else:
            super().keyPressEvent(event)


def copy_text(cells: Sequence[Cell], seconds: Callable[[int, int], int]) -> str:
    """The selected range as lines of tab-separated H:MM (empty for nothing)."""
    if not cells:
        return ""
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    lines = []
    for r in rows:
        values = [seconds(r, c) for c in cols]
        lines.append("\t".join(format_duration(v) if v else "" for v in values))
    return "\n".join(lines)


def paste_cells(text: str, at: Cell) -> list[tuple[Cell, int]]:
    """Each value of a tab-separated range placed from ``at``, read as a cell's
    hours (raises the parser's ValidationError for a value it can't read)."""
    out = []
    for dr, line in enumerate(text.rstrip("\n").split("\n")):
        for dc, value in enumerate(line.rstrip("\r").split("\t")):
            out.append(((at[0] + dr, at[1] + dc), parse_cell_duration(value)))
    return out
