"""The Timesheet window: editing cells in every hours format, clearing, several
entries behind a cell, locks, submit with problems, the early-submit question,
copy rows, range paste, navigation."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.ui.windows.timesheet.model import FIRST_DAY_COL, TOTAL_COL
from desktop.ui.windows.timesheet.view import TimesheetWindow
from tests.ui.windows.conftest import MON


@pytest.fixture
def window(qtbot: Any, state: Any, loaded: Any) -> TimesheetWindow:
    w = TimesheetWindow(state, MON)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.model.view is not None, timeout=5000)
    return w


def cell(window: TimesheetWindow, row: int, day: int) -> Any:
    return window.proxy.index(row, FIRST_DAY_COL + day)


def type_into(qtbot: Any, window: TimesheetWindow, row: int, day: int, text: str,
              loaded: Any, description: str = "replaced the core switch") -> None:
    """Type hours into a cell; a new entry takes ``description`` from the panel
    (billable time needs one)."""
    window.table.setCurrentIndex(cell(window, row, day))
    if not window.panel.description.text():
        window.panel.description.setText(description)
    window.table.edit(cell(window, row, day))
    editor = window.table.focusWidget()
    editor.setText(text)  # type: ignore[union-attr]

    def commit() -> None:
        qtbot.keyClick(editor, Qt.Key.Key_Return)

    loaded(window, commit)
    qtbot.waitUntil(lambda: not window.state.runner.busy)


def settle_runner(qtbot: Any, window: TimesheetWindow) -> None:
    qtbot.waitUntil(lambda: not window.state.runner.busy)


def texts(window: TimesheetWindow) -> list[list[str]]:
    m = window.proxy
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def test_empty_week_shows_days_totals_and_status(window: TimesheetWindow) -> None:
    rows = texts(window)
    assert rows == [["Total logged", *["0:00"] * 8],
                    ["Scheduled", *["8:00"] * 5, "0:00", "0:00", "40:00"]]
    assert window.model.headerData(FIRST_DAY_COL, Qt.Orientation.Horizontal) == "Mon 23"
    assert window.week_label.text().startswith("2026-W48 · Mon 23 Nov")
    assert window.banner.text().startswith("Draft")
    assert window.submit_button.isEnabled() and window.recall_button.isHidden()


@pytest.mark.parametrize("typed", ["2.5", "2:30", "150m", "2h30", "2,5", "2h 30m"])
def test_every_hours_format_saves_a_grid_entry(qtbot: Any, app: Any, window: TimesheetWindow,
                                               loaded: Any, typed: str) -> None:
    window.model.add_rows([_row(app, "ACME")])
    type_into(qtbot, window, 0, 1, typed, loaded)
    [entry] = app.tracking.entries(None, start=MON, end=MON + timedelta(days=6))
    assert (entry.duration_s, entry.source, entry.work_date) == (9000, "grid", MON + timedelta(1))
    assert texts(window)[0][FIRST_DAY_COL + 1] == "2:30"
    assert texts(window)[0][TOTAL_COL] == "2:30"


def test_zero_or_delete_clears_and_a_bad_value_is_refused_inline(
        qtbot: Any, app: Any, window: TimesheetWindow, loaded: Any) -> None:
    window.model.add_rows([_row(app, "ACME")])
    type_into(qtbot, window, 0, 0, "3", loaded)
    type_into(qtbot, window, 0, 0, "0", loaded)
    assert app.tracking.entries(None, start=MON, end=MON + timedelta(days=6)) == []
    type_into(qtbot, window, 0, 0, "1:15", loaded)
    window.table.setCurrentIndex(cell(window, 0, 0))
    loaded(window, lambda: qtbot.keyClick(window.table, Qt.Key.Key_Delete))
    assert app.tracking.entries(None, start=MON, end=MON + timedelta(days=6)) == []
    window.table.edit(cell(window, 0, 0))
    editor = window.table.focusWidget()
    editor.setText("0:90")  # type: ignore[union-attr]
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(window.error.isVisible)  # the delegate commits on the next loop
    assert "minutes must be below 60" in window.error.text()
    assert app.tracking.entries(None, start=MON, end=MON + timedelta(days=6)) == []


def test_several_entries_open_their_list_and_edit_there(
        qtbot: Any, qtmodeltester: Any, app: Any, window: TimesheetWindow, loaded: Any) -> None:
    for start, end in ((time(8), time(9)), (time(10), time(11, 30))):
        app.tracking.log(None, day=MON, customer="ACME", start=start, end=end,
                         description="patched the file servers")
    loaded(window, window.reload)
    assert texts(window)[0][FIRST_DAY_COL] == "2:30 (2)"
    assert not window.model.flags(window.proxy.mapToSource(cell(window, 0, 0))) & \
        Qt.ItemFlag.ItemIsEditable
    window.table.setCurrentIndex(cell(window, 0, 0))
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    dialog = window.detail
    assert dialog is not None and dialog.model.rowCount() == 2
    qtmodeltester.check(dialog.model)
    dialog.hours.setText("0:45")
    loaded(window, dialog.save_button.click)
    qtbot.waitUntil(lambda: dialog.model.entries[0].duration_s == 2700)
    loaded(window, dialog.delete_button.click)
    qtbot.waitUntil(lambda: texts(window)[0][FIRST_DAY_COL] == "1:30")
    dialog.close()
    window.detail = None
    window.double_clicked(cell(window, 0, 0))  # one entry left: edited in place, no list
    assert window.detail is None


def _row(app: Any, customer: str) -> Any:
    from desktop.core import dto

    c = next(x for x in app.directory.customers() if x.name == customer)
    return dto.GridRow(c.id, c.name, None, None, None, None, None,
                       tuple(dto.GridCell(0, ()) for _ in range(7)), 0, 0)


def test_models_pass_the_model_tester(qtmodeltester: Any, app: Any,
                                      window: TimesheetWindow, loaded: Any) -> None:
    app.tracking.log(None, day=MON, customer="ACME", duration_s=3600, description="stuff")
    app.tracking.start(None, customer="Globex", description="on the phone with Globex")
    loaded(window, window.reload)
    qtmodeltester.check(window.model)
    qtmodeltester.check(window.proxy)
    window.model.tick()


def test_running_timer_cell_counts_up(app: Any, clock: Any, window: TimesheetWindow,
                                      loaded: Any) -> None:
    app.tracking.start(None, customer="Globex", description="on the phone with Globex")
    loaded(window, window.reload)
    wed = FIRST_DAY_COL + 2
    assert texts(window)[0][wed] == "▶ 0:00"
    clock.advance(minutes=25)
    window.model.tick()
    assert texts(window)[0][wed] == "▶ 0:25"
    assert texts(window)[-2][TOTAL_COL] == "0:25"


def test_locked_week_refuses_edits_with_the_reason(
        qtbot: Any, app: Any, clock: Any, window: TimesheetWindow, loaded: Any) -> None:
    app.tracking.log(None, day=MON, customer="ACME", duration_s=3600,
                     description="patched the file servers")
    app.timesheets.submit(None, MON)
    loaded(window, window.reload)
    assert window.banner.text().startswith("Submitted — locked")
    assert window.recall_button.isVisible() and not window.submit_button.isEnabled()
    index = window.proxy.mapToSource(cell(window, 0, 1))
    assert not window.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert "its entries can't be changed" in window.model.data(index, Qt.ItemDataRole.ToolTipRole)
    window.table.setCurrentIndex(cell(window, 0, 0))
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert window.error.text() == "week 2026-W48 is submitted; its entries can't be changed"
    window.error.clear_message()
    qtbot.keyClicks(window.table, "3")  # typing into a locked cell says why, inline
    assert window.error.text() == "week 2026-W48 is submitted; its entries can't be changed"
    assert window.error.isVisible()
    assert not window.add_button.isEnabled()
    loaded(window, window.recall_button.click)
    assert window.banner.text().startswith("Draft")


def test_submit_with_problems_lists_them_all_and_submits_nothing(
        qtbot: Any, app: Any, window: TimesheetWindow, loaded: Any) -> None:
    vague = app.tracking.log(None, day=MON, customer="ACME", duration_s=3600, description="stuff")
    app.tracking.log(None, day=MON, customer="Globex", start=time(9), end=time(11),
                     description="fixed")
    app.tracking.log(None, day=MON, customer="ACME", start=time(10), end=time(12),
                     description="migrated mailboxes to the new server")
    loaded(window, window.reload)
    window.ask = lambda _t, _q: True
    window.submit_button.click()
    qtbot.waitUntil(lambda: getattr(window, "problems_dialog", None) is not None)
    dialog = window.problems_dialog
    messages = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert len(messages) == 4  # two sides of the overlap, the vague and the short description
    assert any("too vague" in m for m in messages) and any("overlaps" in m for m in messages)
    assert app.grid.week(None, MON).sheet.status == "draft"
    row = next(i for i, p in enumerate(dialog.problems) if p.entry_id == vague.entry.id)
    dialog.list.setCurrentRow(row)
    dialog.go_button.click()
    src = window.proxy.mapToSource(window.table.currentIndex())
    assert vague.entry.id in [e.id for e in window.model.cell_entries(src.row(), src.column())]


def test_early_submit_asks_first_and_a_no_submits_nothing(
        qtbot: Any, app: Any, window: TimesheetWindow, loaded: Any) -> None:
    app.tracking.log(None, day=MON, customer="ACME", duration_s=37860,
                     description="patched the file servers")
    loaded(window, window.reload)
    asked: list[str] = []
    window.ask = lambda _t, q: asked.append(q) is None and False
    window.submit_button.click()
    assert asked == ["Submit 10:31 of 40:00? (Week 2026-W48 has not ended yet and fewer hours "
                     "are logged than scheduled.)"]
    assert not window.state.runner.busy
    window.ask = lambda _t, q: True
    loaded(window, window.submit_button.click)
    assert app.grid.week(None, MON).sheet.status == "submitted"


def test_a_future_week_cannot_be_submitted(window: TimesheetWindow, loaded: Any) -> None:
    loaded(window, lambda: window.go(MON + timedelta(days=7)))
    assert not window.submit_button.isEnabled()
    assert "has not started" in window.submit_button.toolTip()


def test_navigation_and_a_new_week_starts_with_last_weeks_rows(
        qtbot: Any, app: Any, window: TimesheetWindow, loaded: Any) -> None:
    app.tracking.log(None, day=MON, customer="ACME", duration_s=3600,
                     description="patched the file servers")
    app.tracking.log(None, day=MON, task="4521", duration_s=1800,
                     description="moved the FSMO roles")
    loaded(window, lambda: qtbot.keyClick(window, Qt.Key.Key_Right,
                                          Qt.KeyboardModifier.ControlModifier))
    assert window.start == MON + timedelta(days=7)
    assert [r[0] for r in texts(window)] == ["ACME", "ACME › Server migration › #4521",
                                             "Total logged", "Scheduled"]
    assert all(v == "" for r in texts(window)[:-2] for v in r[1:])
    loaded(window, lambda: qtbot.keyClick(window, Qt.Key.Key_Home,
                                          Qt.KeyboardModifier.ControlModifier))
    assert window.start == MON
    loaded(window, lambda: qtbot.keyClick(window, Qt.Key.Key_Left,
                                          Qt.KeyboardModifier.ControlModifier))
    assert window.start == MON - timedelta(days=7) and len(texts(window)) == 2


def test_copy_rows_from_last_week_adds_rows_never_hours_and_remove_row(
        qtbot: Any, app: Any, window: TimesheetWindow, loaded: Any) -> None:
    last = MON - timedelta(days=7)
    app.tracking.log(None, day=last, customer="Globex", duration_s=3600,
                     description="replaced the firewall")
    app.tracking.log(None, day=MON, customer="ACME", duration_s=3600,
                     description="patched the file servers")
    loaded(window, window.reload)
    window.copy_rows_button.click()
    settle_runner(qtbot, window)
    assert [r[0] for r in texts(window)] == ["ACME", "Globex", "Total logged", "Scheduled"]
    assert texts(window)[1][TOTAL_COL] == ""
    window.copy_rows_button.click()
    settle_runner(qtbot, window)
    assert window.error.text() == "last week's rows are all here already"
    window.table.setCurrentIndex(cell(window, 0, 0))
    window.remove_button.click()
    assert "only a row without hours" in window.error.text()
    window.table.setCurrentIndex(cell(window, 1, 0))
    window.remove_button.click()
    assert [r[0] for r in texts(window)] == ["ACME", "Total logged", "Scheduled"]


def test_add_row_with_the_fuzzy_picker(qtbot: Any, window: TimesheetWindow) -> None:
    dialog = window.add_row()
    dialog.search.setText("srvmig 4521")
    assert dialog.results.count() == 1
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert [r[0] for r in texts(window)] == ["ACME › Server migration › #4521",
                                             "Total logged", "Scheduled"]


def test_copy_and_paste_a_range_of_hours(qtbot: Any, app: Any, window: TimesheetWindow,
                                         loaded: Any) -> None:
    from PySide6.QtCore import QItemSelection, QItemSelectionModel
    from PySide6.QtGui import QGuiApplication

    app.tracking.log(None, day=MON, customer="ACME", duration_s=3600,
                     description="patched the file servers")
    app.tracking.log(None, day=MON + timedelta(days=1), customer="ACME", duration_s=5400,
                     description="patched the file servers")
    app.tracking.log(None, day=MON, customer="Globex", duration_s=1800,
                     description="replaced the firewall")
    loaded(window, window.reload)
    sel = QItemSelection(cell(window, 0, 0), cell(window, 1, 1))
    window.table.selectionModel().select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.keyClick(window.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "1:00\t1:30\n0:30\t"
    window.table.setCurrentIndex(cell(window, 0, 3))
    loaded(window, lambda: qtbot.keyClick(window.table, Qt.Key.Key_V,
                                          Qt.KeyboardModifier.ControlModifier))
    qtbot.waitUntil(lambda: not window.state.runner.busy)
    rows = texts(window)
    assert rows[0][FIRST_DAY_COL + 3:FIRST_DAY_COL + 5] == ["1:00", "1:30"]
    assert rows[1][FIRST_DAY_COL + 3:FIRST_DAY_COL + 5] == ["0:30", ""]
    QGuiApplication.clipboard().setText("2\tlots")
    window.table.setCurrentIndex(cell(window, 0, 5))
    qtbot.keyClick(window.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.error.text().startswith('nothing pasted: can\'t read "lots"')


def test_description_policy_warns_while_typing(qtbot: Any, app: Any, window: TimesheetWindow,
                                               loaded: Any) -> None:
    window.model.add_rows([_row(app, "ACME")])
    window.table.setCurrentIndex(cell(window, 0, 0))
    window.description.setText("client stuff")
    qtbot.waitUntil(lambda: "too vague" in window.panel.policy_label.text())
    window.description.setText("moved the print server to the new VM")
    qtbot.waitUntil(lambda: window.panel.policy_label.text() == "")
    type_into(qtbot, window, 0, 0, "1", loaded)
    [entry] = app.tracking.entries(None, start=MON, end=MON + timedelta(days=6))
    assert entry.description == "moved the print server to the new VM"
