"""Editing the timesheet grid (a part of :class:`TimesheetWindow`): a cell's
value, its description, Delete, Ctrl+C / Ctrl+V of a range, the entries behind
a cell, and Go to. Every write goes through the core off the GUI thread
(``TrackerState.run``); a refusal is shown inline and the week is read again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    SignalInstance,
)
from PySide6.QtGui import QGuiApplication

from desktop.core.app import Punchclock
from desktop.core.errors import PunchclockError
from desktop.ui.state import TrackerState
from desktop.ui.widgets import ErrorLabel, show_dialog
from desktop.ui.windows.timesheet.dialogs import CellEntriesDialog
from desktop.ui.windows.timesheet.model import FIRST_DAY_COL, NAME_COL, TOTAL_COL, Key, WeekModel
from desktop.ui.windows.timesheet.panel import CellPanel, GridTable, copy_text, paste_cells

Edit = tuple[Key, int, int]  # row, day index, seconds


class CellEditing:
    """The grid's edits; the window provides these attributes."""

    state: TrackerState
    app: Punchclock
    start: date
    model: WeekModel
    proxy: QSortFilterProxyModel
    table: GridTable
    panel: CellPanel
    error: ErrorLabel
    loaded: SignalInstance
    detail: CellEntriesDialog | None

    _writes: int
    # the window's own: read the week again; show an unexpected failure
    reload: Callable[[], None]
    _failed: Callable[[BaseException], None]

    def write(self, fn: Callable[[Punchclock], Any],
              on_error: Callable[[PunchclockError], None] | None = None) -> None:
        """Run a write off the GUI thread, then read the week again; a refusal is
        shown inline (or handed to ``on_error``)."""
        self.error.clear_message()
        self._writes += 1

        def done(_result: Any) -> None:
            self._writes -= 1
            self.reload()

        def failed(exc: PunchclockError) -> None:
            self._writes -= 1
            self.reload()
            (on_error or self._refused)(exc)

        self.state.run(fn, done, failed)

    # ---------------------------------------------------------------- cells

    def _source(self, index: QModelIndex) -> tuple[int, int]:
        src = self.proxy.mapToSource(index)
        return src.row(), src.column()

    def _cell_day(self, col: int) -> date:
        return self.start + timedelta(days=col - FIRST_DAY_COL)

    def _show_cell(self) -> None:
        index = self.table.currentIndex()
        r, c = self._source(index) if index.isValid() else (-1, -1)
        view = self.model.view
        if view is None or not (0 <= r < len(self.model.rows) and FIRST_DAY_COL <= c < TOTAL_COL):
            self.panel.show_cell(None, [], False, [])
            return
        entries = self.model.cell_entries(r, c)
        title = f"{self.model.rows[r].path}\n{self._cell_day(c).strftime('%A %d %B')}"
        problems = [p.message for e in entries for p in view.problems_of(e.id)]
        self.panel.show_cell(title, entries, view.locked is None and len(entries) <= 1, problems)

    def _check_description(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            return
        day = self._cell_day(self._source(index)[1])
        text, billable = self.panel.description.text(), self.panel.billable.isChecked()
        self.state.runner.run(lambda: self.app.grid.description_warning(text, billable, day),
                              lambda w: self.panel.set_policy(w or ""), self._failed)

    def _cell_edited(self, key: Key, day_index: int, seconds: int, _text: str) -> None:
        self.save_cells([(key, day_index, seconds)])

    def save_cells(self, edits: list[Edit]) -> None:
        start, text = self.start, self.panel.description.text()

        def write(app: Any) -> None:
            for (customer, project, task), day_index, seconds in edits:
                app.grid.set_cell(None, start, customer=customer, project=project, task=task,
                                  day_index=day_index, duration_s=seconds, description=text)

        self.write(write)

    def _refused(self, exc: PunchclockError) -> None:
        self.error.show_message(exc.message)

    def save_cell_details(self) -> None:
        entries = self.model.cell_entries(*self._source(self.table.currentIndex()))
        if len(entries) == 1:
            self.edit_entry(entries[0].id, {"description": self.panel.description.text(),
                                            "billable": self.panel.billable.isChecked()})

    def edit_entry(self, entry_id: str, changes: dict[str, Any]) -> None:
        self.write(lambda a: a.tracking.edit(None, entry_id, **changes))

    def delete_entry(self, entry_id: str) -> None:
        self.write(lambda a: a.tracking.delete(None, entry_id))

    def _selected_cells(self) -> list[tuple[int, int]]:
        cells = [self._source(i) for i in self.table.selectionModel().selectedIndexes()]
        return sorted((r, c) for r, c in cells if 0 <= r < len(self.model.rows)
                      and FIRST_DAY_COL <= c < TOTAL_COL)

    def clear_selected(self) -> None:
        view = self.model.view
        if view is not None and view.locked:
            self.error.show_message(view.locked)
            return
        cells = [(r, c) for r, c in self._selected_cells() if self.model.seconds(r, c)]
        several = [x for x in cells if len(self.model.cell_entries(*x)) > 1]
        if several:
            self.error.show_message("a cell with several entries is cleared in its entry list")
        self.save_cells([(self.model.rows[r].key, c - FIRST_DAY_COL, 0)
                         for r, c in cells if (r, c) not in several])

    def copy_selected(self) -> None:
        cells = [(i.row(), i.column()) for i in self.table.selectionModel().selectedIndexes()]

        def seconds(r: int, c: int) -> int:
            sr, sc = self._source(self.proxy.index(r, c))
            return self.model.seconds(sr, sc) if sc != NAME_COL else 0

        QGuiApplication.clipboard().setText(copy_text(cells, seconds))

    def paste(self) -> None:
        view, index = self.model.view, self.table.currentIndex()
        if view is None or not index.isValid():
            return
        if view.locked:
            self.error.show_message(view.locked)
            return
        try:
            values = paste_cells(QGuiApplication.clipboard().text(), (index.row(), index.column()))
        except PunchclockError as exc:
            self.error.show_message(f"nothing pasted: {exc.message}")
            return
        edits: list[Edit] = []
        for (vr, vc), seconds in values:
            target = self.proxy.index(vr, vc)
            r, c = self._source(target) if target.isValid() else (-1, -1)
            if (0 <= r < len(self.model.rows) and FIRST_DAY_COL <= c < TOTAL_COL
                    and len(self.model.cell_entries(r, c)) <= 1
                    and seconds != self.model.seconds(r, c)):
                edits.append((self.model.rows[r].key, c - FIRST_DAY_COL, seconds))
        if edits:
            self.save_cells(edits)

    def explain_refusal(self, index: QModelIndex) -> None:
        """Typing into a cell that can't take it says why, inline."""
        view = self.model.view
        r, c = self._source(index)
        if view is None or not (0 <= r < len(self.model.rows) and FIRST_DAY_COL <= c < TOTAL_COL):
            return
        if view.locked:
            self.error.show_message(view.locked)
        elif len(self.model.cell_entries(r, c)) > 1:
            self.error.show_message(
                f"{len(self.model.cell_entries(r, c))} entries are behind this cell; press Enter "
                "to edit them one by one")

    def double_clicked(self, index: QModelIndex) -> None:
        """A cell edited in place gets its editor (the table's edit trigger);
        any other cell with entries opens their list."""
        if not self.proxy.flags(index) & Qt.ItemFlag.ItemIsEditable:
            self.open_cell(index)

    def open_cell(self, index: QModelIndex) -> CellEntriesDialog | None:
        """The entries behind a cell, to edit or delete each."""
        if not index.isValid() or self.model.view is None:
            return None
        r, c = self._source(index)
        entries = self.model.cell_entries(r, c)
        if not entries:
            return None
        view = self.model.view
        problems = [p for e in entries for p in view.problems_of(e.id)]
        title = f"{self.model.rows[r].path} · {self._cell_day(c).strftime('%a %d %b')}"
        dialog = CellEntriesDialog(title, entries, problems, view.locked, self.table.window())
        dialog.save_requested.connect(self.edit_entry)
        dialog.delete_requested.connect(self.delete_entry)
        key, day = self.model.rows[r].key, c

        def refresh() -> None:
            row = next((i for i, x in enumerate(self.model.rows) if x.key == key), None)
            found = self.model.cell_entries(row, day) if row is not None else []
            assert self.model.view is not None
            dialog.reload(found, [p for e in found for p in self.model.view.problems_of(e.id)])

        self.loaded.connect(refresh)
        dialog.finished.connect(lambda _r: self.loaded.disconnect(refresh))
        self.detail = show_dialog(dialog)
        return dialog

    def select_entry(self, entry_id: str) -> None:
        """Go to: select the cell an entry is behind."""
        found = self.model.locate(entry_id)
        if found is None:
            return
        index = self.proxy.mapFromSource(self.model.index(*found))
        self.table.setCurrentIndex(index)
        self.table.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.table.scrollTo(index)
        self.table.window().activateWindow()

