"""The Timesheet window: one week of the user's grid (DESIGN §4, §7b).

* Navigation: previous / next / this week (Ctrl+Left / Ctrl+Right / Ctrl+Home),
  a date picker; the ISO week and its dates in the title line.
* The grid (:mod:`.model`): type ``2.5``, ``2:30``, ``150m`` or ``2h30`` into a
  cell and press Enter or Tab; ``0`` or Delete clears it. A cell with several
  entries opens their list (Enter, F2 or double-click). Ctrl+C / Ctrl+V copy
  and paste a range of hours. Each edit goes through
  :meth:`GridService.set_cell` off the GUI thread; a refusal is shown inline.
* The side panel shows the current cell's description, billable flag, the
  description policy's warning while typing, and a rejection reason.
* Add row… / Copy rows from last week (rows, never hours) / Remove row; a new
  week starts with last week's rows.
* The banner says the status (locked weeks refuse edits with the reason);
  Submit week asks first when the week is early or short, and lists every
  problem the core found (Go to selects its cell); Recall while submitted.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto, fuzzy
from desktop.core.durations import format_duration
from desktop.core.errors import PunchclockError
from desktop.core.timeutil import week_start
from desktop.ui.qtcompat import emit
from desktop.ui.state import TrackerState
from desktop.ui.widgets import ErrorLabel, alive, restore_size, save_size, show_dialog, show_failure
from desktop.ui.windows.timesheet.dialogs import AddRowDialog, CellEntriesDialog, ProblemsDialog
from desktop.ui.windows.timesheet.editing import CellEditing
from desktop.ui.windows.timesheet.model import (
    FIRST_DAY_COL,
    NAME_COL,
    TOTAL_COL,
    WeekModel,
    WeekProxy,
)
from desktop.ui.windows.timesheet.panel import CellPanel, GridTable

BANNER = {
    "draft": ("#eceff1", "Draft — not submitted yet."),
    "submitted": ("#e3f2fd", "Submitted — locked while it waits for approval. Recall it to edit."),
    "approved": ("#e8f5e9", "Approved — locked."),
    "rejected": ("#fde0dc", "Rejected"),
    "returned": ("#fff3cd", "Returned for revision"),
}


class TimesheetWindow(CellEditing, QWidget):
    loaded = Signal()

    def __init__(self, state: TrackerState, day: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("timesheetWindow")
        self.setWindowTitle("Timesheet — Punchclock")
        self.state = state
        self.app = state.app
        profile = state.snapshot.profile
        self.first_weekday = profile.first_weekday if profile else 0
        self.start = week_start(day or state.snapshot.today or state.now().date(),
                                self.first_weekday)
        self.model = WeekModel(state.now, self)
        self.proxy = WeekProxy(self)
        self.proxy.setSourceModel(self.model)
        self.detail: CellEntriesDialog | None = None
        self.ask = self._ask  # replaced in tests
        self._build()
        self.model.cell_edited.connect(self._cell_edited)
        self.model.refused.connect(self.error.show_message)
        self.table.selectionModel().currentChanged.connect(lambda *_a: self._show_cell())
        self._writes = 0
        self._version: int | None = None
        self.state.heartbeat.connect(self._heartbeat)
        restore_size(self, "timesheet")
        self.reload()

    def sizeHint(self) -> QSize:
        return QSize(1180, 640)

    # ---------------------------------------------------------------- build

    def _build(self) -> None:
        self.prev_button = QPushButton("◀ &Previous")
        self.today_button = QPushButton("&This week")
        self.next_button = QPushButton("&Next ▶")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.week_label = QLabel()
        font = self.week_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.week_label.setFont(font)
        nav = QHBoxLayout()
        for w in (self.prev_button, self.today_button, self.next_button, self.date_edit):
            nav.addWidget(w)
        nav.addSpacing(12)
        nav.addWidget(self.week_label, 1)
        self.prev_button.clicked.connect(lambda: self.go(self.start - timedelta(days=7)))
        self.next_button.clicked.connect(lambda: self.go(self.start + timedelta(days=7)))
        self.today_button.clicked.connect(self.go_today)
        self.date_edit.dateChanged.connect(lambda d: self.go(d.toPython()))
        for keys, slot in ((QKeySequence("Ctrl+Left"), self.prev_button.click),
                           (QKeySequence("Ctrl+Right"), self.next_button.click),
                           (QKeySequence("Ctrl+Home"), self.go_today)):
            QShortcut(keys, self, slot)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setContentsMargins(8, 6, 8, 6)
        self.error = ErrorLabel()

        self.table = GridTable()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.DoubleClicked)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME_COL, QHeaderView.ResizeMode.Stretch)
        bold = QFont(self.table.font())
        bold.setBold(True)
        plain, strong = QFontMetrics(self.table.font()), QFontMetrics(bold)
        width = max(plain.horizontalAdvance("▶ 10:00 (3)"), strong.horizontalAdvance("Wed 30"),
                    strong.horizontalAdvance("100:00"))
        for col in range(FIRST_DAY_COL, TOTAL_COL + 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(col, width + 16)
        header.setMinimumHeight(2 * strong.height() + 12)
        self.table.clear_requested.connect(self.clear_selected)
        self.table.copy_requested.connect(self.copy_selected)
        self.table.paste_requested.connect(self.paste)
        self.table.open_requested.connect(self.open_cell)
        self.table.doubleClicked.connect(self.double_clicked)
        self.table.refused_typing.connect(self.explain_refusal)

        self.panel = CellPanel()
        self.description, self.billable = self.panel.description, self.panel.billable
        self.description.textChanged.connect(self._check_description)
        self.billable.toggled.connect(lambda _c: self._check_description())
        self.panel.save_button.clicked.connect(self.save_cell_details)
        self.panel.entries_button.clicked.connect(
            lambda: self.open_cell(self.table.currentIndex()))

        middle = QHBoxLayout()
        middle.addWidget(self.table, 1)
        middle.addWidget(self.panel)

        self.totals_label = QLabel()
        self.add_button = QPushButton("&Add row…")
        self.copy_rows_button = QPushButton("&Copy rows from last week")
        self.remove_button = QPushButton("&Remove row")
        self.recall_button = QPushButton("Re&call")
        self.submit_button = QPushButton("&Submit week")
        self.submit_button.setDefault(False)
        self.add_button.clicked.connect(self.add_row)
        self.copy_rows_button.clicked.connect(self.copy_last_week)
        self.remove_button.clicked.connect(self.remove_row)
        self.recall_button.clicked.connect(self.recall)
        self.submit_button.clicked.connect(self.submit)
        bottom = QHBoxLayout()
        for w in (self.add_button, self.copy_rows_button, self.remove_button):
            bottom.addWidget(w)
        bottom.addSpacing(16)
        bottom.addWidget(self.totals_label, 1)
        bottom.addWidget(self.recall_button)
        bottom.addWidget(self.submit_button)

        layout = QVBoxLayout(self)
        layout.addLayout(nav)
        layout.addWidget(self.banner)
        layout.addWidget(self.error)
        layout.addLayout(middle, 1)
        layout.addLayout(bottom)
        self.resize(self.sizeHint())

    # ------------------------------------------------------------- loading

    def go(self, day: date) -> None:
        start = week_start(day, self.first_weekday)
        if start != self.start:
            self.start = start
            self.model.extra = []
            self.error.clear_message()
            self.reload()

    def go_today(self) -> None:
        self.go(self.state.snapshot.today or self.state.now().date())

    def reload(self) -> None:
        start = self.start

        def read(app: Any = self.app) -> tuple[dto.WeekView, list[dto.GridRow]]:
            view = app.grid.week_view(None, start)
            fresh = not view.grid.rows and view.locked is None
            return view, app.grid.previous_rows(None, start) if fresh else []

        self.state.runner.run(read, self._loaded, self._failed)

    def _heartbeat(self) -> None:
        """The running cell ticks; a change by another process (the CLI, sync)
        reads the week again."""
        self.model.tick()
        if self._writes or not self.isVisible():
            return
        version = self.app.db.data_version()
        if self._version is not None and version != self._version:
            self.reload()

    def _loaded(self, result: tuple[dto.WeekView, list[dto.GridRow]]) -> None:
        if not alive(self):
            return
        view, carried = result
        self._version = self.app.db.data_version()
        if view.grid.sheet.week_start != self.start:
            return  # an older answer; the newer one follows
        current = self.table.currentIndex()
        where = (current.row(), current.column()) if current.isValid() else (0, FIRST_DAY_COL)
        self.model.load(view)
        if carried:
            self.model.add_rows(carried)
        self._show_week(view)
        row = min(where[0], self.proxy.rowCount() - 1)
        self.table.setCurrentIndex(self.proxy.index(max(row, 0), where[1]))
        self._show_cell()
        emit(self.loaded)

    def _failed(self, exc: BaseException) -> None:
        show_failure(self, self.error, exc)

    def _show_week(self, view: dto.WeekView) -> None:
        g, sheet = view.grid, view.grid.sheet
        last = self.start + timedelta(days=6)
        self.week_label.setText(
            f"{sheet.week} · {self.start.strftime('%a %d %b')} – {last.strftime('%a %d %b %Y')}")
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(self.start.year, self.start.month, self.start.day))
        self.date_edit.blockSignals(False)
        color, text = BANNER.get(sheet.status, ("#eceff1", sheet.status))
        if sheet.note and sheet.status in ("rejected", "returned"):
            text = f"{text}: {sheet.note}"
        if view.locked and sheet.status not in ("submitted", "approved"):
            text = f"{text} — {view.locked}"
        self.banner.setText(text)
        self.banner.setStyleSheet(f"background: {color}; border-radius: 4px;")
        self.totals_label.setText(
            f"Week {format_duration(g.total_s)} of {format_duration(view.scheduled_s)} scheduled"
            f" · billable {format_duration(g.billable_s)}"
            f" · non-billable {format_duration(g.non_billable_s)}")
        editable = view.locked is None
        for w in (self.add_button, self.copy_rows_button, self.remove_button):
            w.setEnabled(editable)
        self.recall_button.setVisible("recall" in view.actions)
        self.submit_button.setEnabled("submit" in view.actions and not view.future)
        self.submit_button.setToolTip("A week that has not started can't be submitted"
                                      if view.future else "")

    # ----------------------------------------------------------------- rows

    def add_row(self) -> AddRowDialog:
        d = self.app.directory
        candidates = fuzzy.targets(d.customers(), d.projects(), d.tasks())
        recent = [fuzzy.from_combination(c) for c in self.state.snapshot.recent]
        dialog = AddRowDialog(candidates, recent, self)
        dialog.accepted.connect(lambda: self._add([dialog.chosen] if dialog.chosen else []))
        return show_dialog(dialog)

    def _add(self, rows: list[dto.GridRow]) -> None:
        if self.model.add_rows(rows):
            last = self.proxy.mapFromSource(self.model.index(len(self.model.rows) - 1,
                                                             FIRST_DAY_COL))
            self.table.setCurrentIndex(last)

    def copy_last_week(self) -> None:
        start = self.start
        self.state.runner.run(lambda: self.app.grid.previous_rows(None, start),
                              self._copied, self._failed)

    def _copied(self, rows: list[dto.GridRow]) -> None:
        if not alive(self):
            return
        added = self.model.add_rows(rows)
        self.error.show_message("" if added else "last week's rows are all here already")

    def remove_row(self) -> None:
        r, _c = self._source(self.table.currentIndex())
        if not self.model.remove_row(r):
            self.error.show_message("only a row without hours can be removed; clear it first")

    # --------------------------------------------------------------- submit

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def submit(self) -> None:
        view, start = self.model.view, self.start
        if view is None:
            return
        if view.confirm_submit and not self.ask("Submit this week?", view.confirm_submit):
            return
        self.write(lambda a: a.timesheets.submit(None, start), self._submit_refused)

    def _submit_refused(self, exc: PunchclockError) -> None:
        if not exc.problems:
            self.error.show_message(exc.message)
            return
        dialog = ProblemsDialog(exc.message, exc.problems, self.select_entry, self)
        self.problems_dialog = show_dialog(dialog)

    def recall(self) -> None:
        start = self.start
        self.write(lambda a: a.timesheets.recall(None, start))

    def closeEvent(self, event: QCloseEvent) -> None:
        save_size(self, "timesheet")
        super().closeEvent(event)
