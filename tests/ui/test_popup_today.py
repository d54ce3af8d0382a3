"""Today in the popup: the day's entries, totals, edit, delete with undo,
continue, locked entries, and a layout that fits long names."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.ui.tray.popup import MAX_WIDTH, MIN_WIDTH, TimerPopup
from desktop.ui.tray.popup_today import CONTINUE, DELETE, HOURS, WHAT

WED = date(2026, 11, 25)


@pytest.fixture
def day(app: Any) -> dict[str, Any]:
    """Today (Wed 25 Nov, 13:00 in Berlin): a timed task entry and an untimed
    one; yesterday one more (it counts for the week only)."""
    task = app.tracking.log(None, day=WED, task="4521", start=time(9), end=time(10, 30),
                            description="moved the FSMO roles").entry
    globex = app.tracking.log(None, day=WED, customer="Globex", duration_s=3600,
                              description="quarterly network review").entry
    app.tracking.log(None, day=date(2026, 11, 24), customer="ACME", duration_s=7200,
                     description="patched the file servers")
    return {"task": task, "globex": globex}


def make_popup(qtbot: Any, state: Any) -> TimerPopup:
    state.refresh()
    popup = TimerPopup(state)
    qtbot.addWidget(popup)
    popup.show()
    qtbot.waitExposed(popup)
    return popup


def texts(popup: TimerPopup) -> list[list[str]]:
    m = popup.today_panel.model
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def click(qtbot: Any, popup: TimerPopup, row: int, col: int) -> None:
    table = popup.today_panel.table
    rect = table.visualRect(table.model().index(row, col))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_popup_lists_todays_entries_and_totals(qtbot: Any, qtmodeltester: Any, state: Any,
                                                  day: Any) -> None:
    popup = make_popup(qtbot, state)
    qtmodeltester.check(popup.today_panel.model)
    assert texts(popup) == [
        ["09:00–10:30", "1:30", "#4521 Migrate DC01 — moved the FSMO roles", "$", "▶", "✕"],
        ["", "1:00", "Globex — quarterly network review", "$", "▶", "✕"],
    ]
    assert popup.today_label.text() == "Today 2:30 of 8:00 · Week 4:30"
    tip = popup.today_panel.model.index(0, WHAT).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("ACME › Server migration › #4521 Migrate DC01\nmoved the FSMO roles")


def test_the_running_timer_is_listed_and_its_hours_grow(qtbot: Any, state: Any, app: Any,
                                                       clock: Any, day: Any) -> None:
    from datetime import UTC, datetime

    app.tracking.start(None, customer="Globex", at=datetime(2026, 11, 25, 11, 0, tzinfo=UTC),
                       description="firewall upgrade")
    popup = make_popup(qtbot, state)
    rows = texts(popup)
    assert rows[1][:3] == ["12:00–now", "1:00", "Globex — firewall upgrade"]
    assert rows[1][CONTINUE] == rows[1][DELETE] == ""
    clock.advance(minutes=30)
    popup._update_clock()
    assert popup.today_panel.model.index(1, HOURS).data() == "1:30"
    assert popup.today_label.text() == "Today 4:00 of 8:00 · Week 6:00"


def test_clicking_an_entry_opens_the_log_time_form_filled_in_and_saves_the_edit(
        qtbot: Any, state: Any, app: Any, day: Any, settle: Any) -> None:
    popup = make_popup(qtbot, state)
    click(qtbot, popup, 0, WHAT)
    [dialog] = popup.dialogs
    assert dialog.windowTitle().startswith("Edit entry")
    assert dialog.description.text() == "moved the FSMO roles"
    assert (dialog.start_time.text(), dialog.end_time.text()) == ("09:00", "10:30")
    assert dialog.picker.task_id() == day["task"].task_id
    dialog.end_time.setText("11:00")
    dialog.description.setText("moved the FSMO roles to DC02")
    dialog.save_button.click()
    settle()
    entry = app.tracking.get(None, day["task"].id)
    assert (entry.duration_s, entry.description) == (7200, "moved the FSMO roles to DC02")
    assert "Saved 2:00 for ACME › Server migration › #4521 Migrate DC01" in dialog.notice.text()
    qtbot.waitUntil(lambda: popup.dialogs == [], timeout=5000)
    assert texts(popup)[0][HOURS] == "2:00"
    assert len(app.tracking.entries(None, start=WED, end=WED)) == 2  # edited, not added


def test_deleting_an_entry_can_be_undone(qtbot: Any, state: Any, app: Any, day: Any,
                                         settle: Any) -> None:
    popup = make_popup(qtbot, state)
    panel = popup.today_panel
    click(qtbot, popup, 1, DELETE)
    assert [r[WHAT] for r in texts(popup)] == ["#4521 Migrate DC01 — moved the FSMO roles"]
    assert panel.undo_bar.isVisible()
    assert panel.undo_bar.label.text() == "Deleted 1:00 Globex"
    qtbot.mouseClick(panel.undo_bar.button, Qt.MouseButton.LeftButton)
    assert not panel.undo_bar.isVisible()
    assert len(texts(popup)) == 2
    assert len(app.tracking.entries(None, start=WED, end=WED)) == 2  # nothing was deleted
    # without an undo the delete becomes final when the bar goes
    panel.undo_bar.timer.setInterval(10)
    click(qtbot, popup, 1, DELETE)
    qtbot.waitUntil(lambda: not panel.undo_bar.isVisible())
    settle()
    assert [e.id for e in app.tracking.entries(None, start=WED, end=WED)] == [day["task"].id]
    assert len(texts(popup)) == 1


def test_a_second_delete_makes_the_first_final(qtbot: Any, state: Any, app: Any, day: Any,
                                               settle: Any) -> None:
    popup = make_popup(qtbot, state)
    click(qtbot, popup, 1, DELETE)
    click(qtbot, popup, 0, DELETE)  # the other one (the first is hidden already)
    settle()
    assert [e.id for e in app.tracking.entries(None, start=WED, end=WED)] == [day["task"].id]
    assert popup.today_panel.undo_bar.label.text() == "Deleted 1:30 #4521 Migrate DC01"


def test_continue_on_any_entry(qtbot: Any, state: Any, app: Any, day: Any,
                               settle: Any) -> None:
    popup = make_popup(qtbot, state)
    click(qtbot, popup, 0, CONTINUE)
    settle()
    running = app.tracking.running()
    assert running is not None and running.task_ref == "4521"
    assert running.description == "moved the FSMO roles" and running.billable


def test_locked_entries_say_why_and_cannot_be_changed(qtbot: Any, state: Any, app: Any,
                                                     day: Any) -> None:
    app.timesheets.submit(None, WED)
    popup = make_popup(qtbot, state)
    assert [r[DELETE] for r in texts(popup)] == ["", ""]
    tip = popup.today_panel.model.index(0, WHAT).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.endswith("week 2026-W48 is submitted; its entries can't be changed")
    click(qtbot, popup, 0, WHAT)
    assert popup.dialogs == []
    assert popup.error.text() == "week 2026-W48 is submitted; its entries can't be changed"
    click(qtbot, popup, 0, DELETE)
    assert not popup.today_panel.undo_bar.isVisible()
    assert len(app.tracking.entries(None, start=WED, end=WED)) == 2


def test_a_short_description_is_marked_with_its_note(qtbot: Any, state: Any, app: Any) -> None:
    app.tracking.log(None, day=WED, customer="ACME", duration_s=1800, description="stuff")
    popup = make_popup(qtbot, state)
    tip = popup.today_panel.model.index(0, WHAT).data(Qt.ItemDataRole.ToolTipRole)
    assert "too vague" in tip


LONG_CUSTOMER = "Northern Lights Regional Healthcare Cooperative"
LONG_TASK = "Teams phone rollout for the outpatient clinics and the two hospital campuses"


def test_long_names_widen_the_popup_up_to_a_maximum_then_elide(qtbot: Any, state: Any,
                                                                app: Any, clock: Any) -> None:
    me = app.directory.profile()
    app.directory.add_customer(me.id, LONG_CUSTOMER)
    app.directory.add_project(me.id, LONG_CUSTOMER, "Unified communications")
    app.directory.add_task(me.id, customer=LONG_CUSTOMER, project="Unified communications",
                           title=LONG_TASK, ref="5566")
    app.tracking.log(None, day=WED, task="5566", duration_s=3600,
                     description="configured the call queues and the auto attendant")
    app.tracking.start(None, task="5566", description="number porting")
    popup = make_popup(qtbot, state)
    full = f"{LONG_CUSTOMER} › Unified communications › #5566 {LONG_TASK}"
    assert MIN_WIDTH < popup.width() <= MAX_WIDTH
    assert popup.path_label.full_text == full and popup.path_label.toolTip() == full
    assert popup.path_label.text().endswith("…")  # elided, not clipped
    assert popup.path_label.fontMetrics().horizontalAdvance(popup.path_label.text()) <= \
        popup.path_label.width()
    for view in (popup.results, popup.today_panel.table):
        assert not view.horizontalScrollBar().isVisible()
        assert view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    qtbot.keyClicks(popup.search, "5566")
    assert popup.results.item(0).toolTip() == full
    assert popup.width() <= MAX_WIDTH


def test_a_day_that_fits_shows_every_entry_whole(qtbot: Any, state: Any, day: Any) -> None:
    popup = make_popup(qtbot, state)
    assert MIN_WIDTH <= popup.width() < MAX_WIDTH
    table = popup.today_panel.table
    qtbot.waitUntil(lambda: table.columnWidth(WHAT) > 0)
    for row in range(table.model().rowCount()):
        text = table.model().index(row, WHAT).data()
        assert table.fontMetrics().horizontalAdvance(text) < table.columnWidth(WHAT), text
