"""The Approvals window (managers for their teams, admins for everyone).

* **To review**: the timesheets of a status (Submitted by default), optionally
  of a team, a technician and a range of weeks — technician, week, totals,
  utilization against target, scheduled hours, the core's warnings, submitted
  at. The list is one call to :meth:`TimesheetService.approvals` (a fixed
  number of queries); selecting a sheet reads its entries and history
  (:meth:`TimesheetService.sheet`).
* **Not submitted**: past weeks not submitted by their deadline, with the
  hours logged so far (:meth:`ReportsService.overdue`).
* Approve (several selected sheets at once), Reject… (a reason, per-entry
  reasons), Return for revision… (a note), Reopen… (admins): each button is
  enabled exactly when every selected sheet's ``actions`` — the core's
  workflow for this reader — has it. Decisions are local writes that sync
  like any change; reads and writes run off the GUI thread.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto
from desktop.core.errors import PunchclockError
from desktop.ui.qtcompat import emit
from desktop.ui.state import TrackerState
from desktop.ui.widgets import (
    ErrorLabel,
    alive,
    data_table,
    restore_size,
    save_size,
    show_dialog,
    show_failure,
)
from desktop.ui.windows.approvals.dialogs import CommentDialog, RejectDialog
from desktop.ui.windows.approvals.model import (
    ITEM_ROLE,
    HistoryModel,
    OverdueModel,
    SheetListModel,
    SheetProxy,
)
from desktop.ui.windows.entries import EntryListModel

D = TypeVar("D", bound=CommentDialog)
STATUSES = ("submitted", "approved", "rejected", "returned", "draft", "all")


def _day(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


class ApprovalsWindow(QWidget):
    loaded = Signal()  # the list was read
    overdue_loaded = Signal()  # the Not submitted tab was read
    detail_loaded = Signal()

    def __init__(self, state: TrackerState, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("approvalsWindow")
        self.setWindowTitle("Approvals — Punchclock")
        self.state = state
        self.app = state.app
        self.dialog: CommentDialog | None = None
        self.detail: dto.SheetDetail | None = None
        self.model = SheetListModel(self)
        self.proxy = SheetProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build()
        restore_size(self, "approvals")
        self.reload()

    def sizeHint(self) -> QSize:
        return QSize(1240, 760)

    # ---------------------------------------------------------------- build

    def _build(self) -> None:
        self.status = QComboBox()
        self.status.addItems([s.capitalize() for s in STATUSES])
        self.team = QComboBox()
        self.team.addItem("All teams", None)
        for t in self.app.directory.teams():
            self.team.addItem(t.name, t.id)
        self.person = QComboBox()
        self.person.addItem("All technicians", None)
        me = self.state.snapshot.profile
        for u in self.app.directory.users():
            if me is None or u.id != me.id:
                self.person.addItem(u.name, u.id)
        self.ranged = QCheckBox("&Weeks from")
        today = self.state.snapshot.today or self.state.now().date()
        self.first = QDateEdit(QDate(today.year, today.month, today.day).addDays(-28))
        self.last = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            edit.dateChanged.connect(lambda _d: self.reload())
        self.ranged.toggled.connect(self._range_toggled)
        self.status.currentIndexChanged.connect(lambda _i: self.reload())
        self.team.currentIndexChanged.connect(lambda _i: self.reload())
        self.person.currentIndexChanged.connect(
            lambda _i: self.proxy.set_user(self.person.currentData()))
        label = QLabel("&Status")
        label.setBuddy(self.status)
        filters = QHBoxLayout()
        for w in (label, self.status, self.team, self.person, self.ranged, self.first,
                  QLabel("to"), self.last):
            filters.addWidget(w)
        filters.addStretch(1)

        self.sheets = data_table(self.proxy, multi=True, stretch=8, sortable=True)
        self.sheets.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.sheets.selectionModel().selectionChanged.connect(self._selection_changed)
        self.summary = QLabel()
        self.entries = EntryListModel(self)
        self.entries_view = data_table(self.entries, stretch=7)
        self.history = HistoryModel(self)
        self.history_view = data_table(self.history)
        self.detail_label = QLabel("Select a timesheet to see its entries and history.")
        self.detail_label.setWordWrap(True)
        lower = QTabWidget()
        lower.addTab(self.entries_view, "&Entries")
        lower.addTab(self.history_view, "&History")
        self.detail_tabs = lower
        below = QWidget()
        box = QVBoxLayout(below)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.detail_label)
        box.addWidget(lower, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.sheets)
        split.addWidget(below)
        split.setSizes([380, 320])

        self.approve_button = QPushButton("&Approve")
        self.reject_button = QPushButton("&Reject…")
        self.return_button = QPushButton("Return for re&vision…")
        self.reopen_button = QPushButton("Re&open…")
        self.approve_button.clicked.connect(self.approve)
        self.reject_button.clicked.connect(self.reject_selected)
        self.return_button.clicked.connect(self.return_selected)
        self.reopen_button.clicked.connect(self.reopen_selected)
        actions = QHBoxLayout()
        actions.addWidget(self.summary, 1)
        for b in (self.approve_button, self.reject_button, self.return_button,
                  self.reopen_button):
            actions.addWidget(b)
        self.error = ErrorLabel()
        self.notice = QLabel()

        review = QWidget()
        lay = QVBoxLayout(review)
        lay.addLayout(filters)
        lay.addWidget(split, 1)
        lay.addWidget(self.error)
        lay.addWidget(self.notice)
        lay.addLayout(actions)

        self.overdue = OverdueModel(self)
        self.overdue_proxy = SheetProxy(self)
        self.overdue_proxy.setSourceModel(self.overdue)
        self.overdue_view = data_table(self.overdue_proxy, sortable=True)
        self.overdue_view.sortByColumn(6, Qt.SortOrder.DescendingOrder)
        self.overdue_label = QLabel()
        chase = QWidget()
        lay2 = QVBoxLayout(chase)
        lay2.addWidget(self.overdue_label)
        lay2.addWidget(self.overdue_view, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(review, "To &review")
        self.tabs.addTab(chase, "&Not submitted")
        self.tabs.currentChanged.connect(self._tab_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.resize(self.sizeHint())
        self._update_buttons()

    def _range_toggled(self, on: bool) -> None:
        self.first.setEnabled(on)
        self.last.setEnabled(on)
        self.reload()

    # --------------------------------------------------------------- reading

    def reload(self) -> None:
        status = STATUSES[self.status.currentIndex()]
        team = self.team.currentData()
        ranged = self.ranged.isChecked()
        first = _day(self.first) if ranged else None
        last = _day(self.last) if ranged else None

        self.state.runner.run(
            lambda: self.app.timesheets.approvals(None, day=first, until=last, status=status,
                                                  team=team), self._loaded, self._failed)
        if self.tabs.currentIndex() == 1:
            self.reload_overdue()

    def _tab_changed(self, index: int) -> None:
        if index == 1:
            self.reload_overdue()

    def reload_overdue(self) -> None:
        """The Not submitted tab, read when it is shown (and on each reload then)."""
        team = self.team.currentData()
        self.state.runner.run(lambda: self.app.reports.overdue(None, team=team),
                              self._overdue_loaded, self._failed)

    def _overdue_loaded(self, overdue: list[dto.OverdueWeek]) -> None:
        if not alive(self):
            return
        first = not self.overdue.items
        self.overdue.load(overdue)
        if first:
            self.overdue_view.resizeColumnsToContents()
        n = len(overdue)
        self.overdue_label.setText(
            f"{n} past week{'s' if n != 1 else ''} not submitted by their deadline, with the "
            "hours logged so far." if n
            else "Every past week is submitted.")
        emit(self.overdue_loaded)

    def _loaded(self, rows: list[dto.SheetSummary]) -> None:
        if not alive(self):
            return
        chosen = {(s.sheet.user_id, s.sheet.week_start) for s in self.selected()}
        first = not self.model.items
        self.model.load(rows)
        if first:  # later the user's column widths stay
            self.sheets.resizeColumnsToContents()
            self.sheets.setColumnWidth(0, min(self.sheets.columnWidth(0), 200))
        for r in range(self.proxy.rowCount()):
            item = self.proxy.index(r, 0).data(ITEM_ROLE)
            if (item.sheet.user_id, item.sheet.week_start) in chosen:
                self.sheets.selectRow(r)
        if not self.selected() and self.proxy.rowCount():
            self.sheets.selectRow(0)
        self.summary.setText(f"{len(rows)} timesheet{'s' if len(rows) != 1 else ''}")
        self._update_buttons()
        emit(self.loaded)

    def _failed(self, exc: BaseException) -> None:
        show_failure(self, self.error, exc)

    def selected(self) -> list[dto.SheetSummary]:
        rows = self.sheets.selectionModel().selectedRows()
        return [i.data(ITEM_ROLE) for i in sorted(rows, key=lambda i: i.row())]

    def _selection_changed(self, *_args: object) -> None:
        self._update_buttons()
        chosen = self.selected()
        if len(chosen) != 1:
            self.detail = None
            self.entries.load([])
            self.history.load([])
            self.detail_label.setText(f"{len(chosen)} timesheets selected." if chosen else
                                      "Select a timesheet to see its entries and history.")
            return
        sheet = chosen[0].sheet
        self.state.runner.run(
            lambda: self.app.timesheets.sheet(None, sheet.user_id, sheet.week_start),
            self._detail_loaded, self._failed)

    def _detail_loaded(self, detail: dto.SheetDetail) -> None:
        if not alive(self):
            return
        chosen = self.selected()
        if len(chosen) != 1 or chosen[0].sheet != detail.summary.sheet:
            return  # the selection moved on meanwhile
        self.detail = detail
        self.entries.load(detail.entries, detail.problems)
        self.history.load(detail.history)
        s = detail.summary
        note = f" — {s.sheet.note}" if s.sheet.note else ""
        self.detail_label.setText(f"{s.name} · {s.sheet.week} · {s.sheet.status}{note}")
        self.detail_label.setToolTip(self.detail_label.text())
        self.entries_view.resizeColumnsToContents()
        for col in range(self.entries.columnCount() - 1):
            self.entries_view.setColumnWidth(col, min(self.entries_view.columnWidth(col), 220))
        emit(self.detail_loaded)

    def _update_buttons(self) -> None:
        chosen = self.selected()

        def allowed(action: str, single: bool = True) -> bool:
            return bool(chosen) and (not single or len(chosen) == 1) and all(
                action in s.actions for s in chosen)

        self.approve_button.setEnabled(allowed("approve", single=False))
        self.reject_button.setEnabled(allowed("reject"))
        self.return_button.setEnabled(allowed("return"))
        self.reopen_button.setEnabled(allowed("reopen"))
        self.reopen_button.setVisible(any("reopen" in s.actions for s in self.model.items)
                                      or self._is_admin())

    def _is_admin(self) -> bool:
        me = self.state.snapshot.profile
        return me is not None and me.role == "admin"

    # --------------------------------------------------------------- actions

    def approve(self) -> None:
        chosen = [(s.sheet.user_id, s.sheet.week_start, s.name) for s in self.selected()]

        def write(app: Any) -> int:
            for user_id, start, _name in chosen:
                app.timesheets.approve(None, user_id, start)
            return len(chosen)

        self._write(write, lambda n: f"Approved {n} timesheet{'s' if n != 1 else ''}.")

    def _write(self, fn: Any, said: Any, dialog: CommentDialog | None = None) -> None:
        self.error.clear_message()

        def done(result: Any) -> None:
            self.notice.setText(said(result))
            if dialog is not None:
                dialog.accept()
            self.reload()

        def failed(exc: PunchclockError) -> None:
            text = "; ".join([exc.message, *(p.message for p in exc.problems)])
            if dialog is not None:
                dialog.refused(text)
            else:
                self.error.show_message(text)
            self.reload()

        self.state.run(fn, done, failed)

    def _one(self) -> dto.SheetSummary | None:
        chosen = self.selected()
        return chosen[0] if len(chosen) == 1 else None

    def reject_selected(self) -> RejectDialog | None:
        s, detail = self._one(), self.detail
        if s is None or detail is None or detail.summary.sheet != s.sheet:
            return None
        dialog = RejectDialog(s, detail.entries, detail.problems, self)
        user, start = s.sheet.user_id, s.sheet.week_start
        dialog.rejected_with.connect(lambda reason, per: self._write(
            lambda a: a.timesheets.reject(None, user, start, reason, per),
            lambda _r: f"Rejected {s.name}'s week {s.sheet.week}.", dialog))
        return self._show(dialog)

    def return_selected(self) -> CommentDialog | None:
        return self._comment(
            "Return for revision", "Send {name}'s week {week} back with a note saying what "
            "to fix.", "What should be fixed? (required)", "Re&turn week",
            lambda a, user, start, note: a.timesheets.return_for_revision(None, user, start,
                                                                          note), "Returned")

    def reopen_selected(self) -> CommentDialog | None:
        return self._comment(
            "Reopen week", "Reopen {name}'s approved week {week}; it goes back to them as "
            "returned.", "Why reopen it? (required)", "Re&open week",
            lambda a, user, start, reason: a.timesheets.reopen(None, user, start, reason),
            "Reopened")

    def _comment(self, title: str, intro: str, label: str, button: str, act: Any,
                 verb: str) -> CommentDialog | None:
        s = self._one()
        if s is None:
            return None
        dialog = CommentDialog(title, intro.format(name=s.name, week=s.sheet.week), label,
                               button, self)
        user, start = s.sheet.user_id, s.sheet.week_start
        dialog.submitted.connect(lambda text: self._write(
            lambda a: act(a, user, start, text),
            lambda _r: f"{verb} {s.name}'s week {s.sheet.week}.", dialog))
        return self._show(dialog)

    def _show(self, dialog: D) -> D:
        self.dialog = show_dialog(dialog)
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        save_size(self, "approvals")
        super().closeEvent(event)
