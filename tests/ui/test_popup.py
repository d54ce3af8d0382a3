"""The timer popup: search and start, stop, continue, edit, the live clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt

from desktop.ui.tray.popup import TimerPopup


def make_popup(qtbot: Any, state: Any) -> TimerPopup:
    popup = TimerPopup(state)
    qtbot.addWidget(popup)
    popup.show()
    qtbot.waitExposed(popup)
    return popup


def test_shows_nothing_running_and_todays_total(qtbot: Any, state: Any) -> None:
    popup = make_popup(qtbot, state)
    assert popup.path_label.text() == "No timer running"
    assert not popup.stop_button.isEnabled()
    assert popup.today_label.text() == "Today 0:00 of 8:00 · Week 0:00"


def test_typing_and_enter_starts_a_timer_keyboard_only(qtbot: Any, state: Any, app: Any,
                                                       settle: Any) -> None:
    popup = make_popup(qtbot, state)
    qtbot.keyClicks(popup.search, "4521")
    assert popup.results.count() == 1
    assert "#4521" in popup.results.item(0).text()
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    settle()
    running = app.tracking.running()
    assert running is not None and running.task_ref == "4521"
    assert popup.path_label.text() == "ACME › Server migration › #4521 Migrate DC01"
    assert popup.search.text() == ""


def test_fuzzy_subsequence_and_arrow_keys(qtbot: Any, state: Any, app: Any,
                                          settle: Any) -> None:
    popup = make_popup(qtbot, state)
    qtbot.keyClicks(popup.search, "srvmig")
    texts = [popup.results.item(i).text() for i in range(popup.results.count())]
    assert texts and all("Server migration" in t for t in texts)
    popup.search.clear()
    qtbot.keyClicks(popup.search, "o")  # Globex, Northwind, ACME › Server migration …
    first = popup.results.item(0).text()
    qtbot.keyClick(popup.search, Qt.Key.Key_Down)
    second = popup.results.currentItem().text()
    assert second != first
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    settle()
    running = app.tracking.running()
    assert running is not None and running.path in second


def test_no_match_says_so(qtbot: Any, state: Any) -> None:
    popup = make_popup(qtbot, state)
    qtbot.keyClicks(popup.search, "zzzzqqq")
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    assert popup.error.isVisible()
    assert "nothing matches" in popup.error.text()


def test_elapsed_is_computed_from_the_stored_start(qtbot: Any, state: Any, app: Any,
                                                   clock: Any) -> None:
    app.tracking.start(None, task="4521")
    clock.advance(minutes=83, seconds=5)
    state.refresh()
    popup = make_popup(qtbot, state)
    assert popup.elapsed_label.text() == "1:23:05"
    assert popup.today_label.text() == "Today 1:23 of 8:00 · Week 1:23"
    assert popup.ticking
    popup.hide()
    assert not popup.ticking  # the clock ticks only while visible


def test_stop_and_continue_last(qtbot: Any, state: Any, app: Any, clock: Any,
                                settle: Any) -> None:
    app.tracking.start(None, task="4521", description="cutover")
    clock.advance(minutes=30)
    state.refresh()
    popup = make_popup(qtbot, state)
    qtbot.mouseClick(popup.stop_button, Qt.MouseButton.LeftButton)
    settle()
    assert app.tracking.running() is None
    assert popup.continue_button.isVisible()
    assert "ACME › Server migration › #4521" in popup.continue_button.text()
    clock.advance(minutes=5)
    qtbot.mouseClick(popup.continue_button, Qt.MouseButton.LeftButton)
    settle()
    running = app.tracking.running()
    assert running is not None and running.description == "cutover"
    assert running.started_at == clock.now.replace(microsecond=0)


def test_description_and_billable_edit_the_running_entry(qtbot: Any, state: Any, app: Any,
                                                          settle: Any) -> None:
    app.tracking.start(None, customer="Globex")
    state.refresh()
    popup = make_popup(qtbot, state)
    popup.description.setFocus()
    qtbot.keyClicks(popup.description, "patching")
    qtbot.keyClick(popup.description, Qt.Key.Key_Return)
    settle()
    popup.billable.setChecked(False)
    settle()
    running = app.tracking.running()
    assert running.description == "patching"
    assert running.billable is False


def test_refused_edit_shows_inline(qtbot: Any, state: Any, app: Any, settle: Any) -> None:
    app.tracking.start(None, customer="Globex")
    state.refresh()
    popup = make_popup(qtbot, state)
    popup.description.setText("bad \x07 bell")
    popup._description_edited()
    settle()
    assert popup.error.isVisible()
    assert app.tracking.running().description == ""


def test_escape_hides(qtbot: Any, state: Any) -> None:
    popup = make_popup(qtbot, state)
    qtbot.keyClick(popup, Qt.Key.Key_Escape)
    assert not popup.isVisible()


def test_popup_follows_a_running_timer_elsewhere(qtbot: Any, state: Any, app: Any) -> None:
    popup = make_popup(qtbot, state)
    app.tracking.start(None, customer="Globex", at=app.clock() - timedelta(minutes=1))
    state.tick()  # the heartbeat sees the data version move
    assert popup.path_label.text() == "Globex"


def test_a_switch_within_60_s_leaves_no_0_00_entry_and_says_so(
        qtbot: Any, state: Any, app: Any, clock: Any, settle: Any) -> None:
    app.tracking.start(None, customer="Globex")
    clock.advance(seconds=40)
    state.refresh()
    popup = make_popup(qtbot, state)
    qtbot.keyClicks(popup.search, "4521")
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    settle()
    day = clock.now.date()
    entries = app.tracking.entries(None, start=day, end=day)
    assert [(e.customer, e.running) for e in entries] == [("ACME", True)]
    assert popup.notice.isVisible()
    assert popup.notice.text() == "Globex ran under a minute: dropped, not kept."


def test_a_stop_within_60_s_drops_the_timer_and_says_so(
        qtbot: Any, state: Any, app: Any, clock: Any, settle: Any) -> None:
    app.tracking.start(None, task="4521")
    clock.advance(seconds=59)
    state.refresh()
    popup = make_popup(qtbot, state)
    qtbot.mouseClick(popup.stop_button, Qt.MouseButton.LeftButton)
    settle()
    day = clock.now.date()
    assert app.tracking.entries(None, start=day, end=day) == []
    assert "ACME › Server migration › #4521 Migrate DC01 ran under a minute" in popup.notice.text()


def test_a_recent_combination_restarts_with_its_last_description(
        qtbot: Any, state: Any, app: Any, clock: Any, settle: Any) -> None:
    app.tracking.log(None, day=clock.now.date(), task="4521", duration_s=1800,
                     description="moved the FSMO roles")
    state.refresh()
    popup = make_popup(qtbot, state)
    qtbot.keyClicks(popup.search, "4521")
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    settle()
    running = app.tracking.running()
    assert running is not None and running.description == "moved the FSMO roles"
    assert popup.description.text() == "moved the FSMO roles"  # and editable there
    assert popup.description.isEnabled()


def test_the_tray_menus_recent_restarts_with_its_last_description(
        state: Any, app: Any, clock: Any, settle: Any) -> None:
    app.tracking.log(None, day=clock.now.date(), customer="Globex", duration_s=1800,
                     description="firewall rules review")
    state.refresh()
    [combo] = state.snapshot.recent
    state.start(combo)
    settle()
    assert app.tracking.running().description == "firewall rules review"


def test_a_vague_running_description_warns_inline(qtbot: Any, state: Any, app: Any,
                                                  settle: Any) -> None:
    app.tracking.start(None, customer="Globex")
    state.refresh()
    popup = make_popup(qtbot, state)
    popup.description.setFocus()
    qtbot.keyClicks(popup.description, "misc")
    qtbot.keyClick(popup.description, Qt.Key.Key_Return)
    settle()
    assert app.tracking.running().description == "misc"  # saved: a warning, not a refusal
    assert popup.notice.isVisible() and "too vague" in popup.notice.text()


def test_the_tray_menus_recent_names_the_task_and_escapes_ampersands(
        qtbot: Any, state: Any, app: Any, clock: Any) -> None:
    from desktop.ui.tray.menu import TrayIcon

    me = app.directory.profile()
    app.directory.add_customer(me.id, "Castle & Finch Law")
    app.tracking.log(None, day=clock.now.date(), customer="Castle & Finch Law",
                     duration_s=600, description="conveyancing share permissions")
    app.tracking.log(None, day=clock.now.date(), task="4521", duration_s=600,
                     description="moved the FSMO roles")
    state.refresh()
    tray = TrayIcon(state)
    recent = [a for a in tray.menu.actions() if a.isCheckable()]
    assert [a.text() for a in recent] == ["ACME › Server migration › #4521 Migrate DC01",
                                          "Castle && Finch Law"]
    assert recent[0].toolTip() == ("Start a timer on ACME › Server migration › "
                                   "#4521 Migrate DC01 — moved the FSMO roles")
