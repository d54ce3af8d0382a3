"""The Timeline window on a fixture day: exact blocks, colours, the untimed
band, hover text, click to edit, pan/zoom without rebuilding, the running
timer growing, day navigation and the team view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from windows_helpers import DAY, H, click, fixture_day, move

from desktop.ui.palette import INTERNAL, Palette
from desktop.ui.windows.timeline.items import LaneItem
from desktop.ui.windows.timeline.model import BAND_TOP, BLOCK_TOP, DayAxis
from desktop.ui.windows.timeline.window import TimelineWindow

MID = BLOCK_TOP + 20  # inside a block, first lane


@pytest.fixture
def window(qtbot: Any, state: Any, settle: Any) -> TimelineWindow:
    w = TimelineWindow(state)
    qtbot.addWidget(w)
    w.show()
    w.resize(1200, 400)
    settle()
    return w


def open_day(window: TimelineWindow, settle: Any) -> None:
    window.go(DAY)
    settle()


def test_fixture_day_has_exactly_the_expected_blocks(app: Any, window: Any, settle: Any) -> None:
    ids = fixture_day(app)
    open_day(window, settle)
    (lane,) = window.plot.lanes
    palette = Palette([(c.name, c.is_internal) for c in app.directory.customers()])
    acme, globex = palette.hex("ACME"), palette.hex("Globex")
    assert acme != globex and INTERNAL not in (acme, globex)
    got = [(b.entry_id, b.x0, b.x1, b.colour, b.hatched) for b in lane.blocks]
    assert got == [
        (ids["acme"], 9 * H, 10.5 * H, acme, False),
        (ids["internal"], 10.5 * H, 11 * H, INTERNAL, True),  # internal: not billable
        (ids["globex"], 13 * H, 14 * H, globex, True),
    ]
    # The untimed entry sits in the band under the lane, from the working day's start.
    (band,) = lane.untimed
    assert (band.entry_id, band.x0, band.x1, band.colour, band.y0) == (
        ids["untimed"],
        9 * H,
        10 * H,
        globex,
        BAND_TOP,
    )
    # The gaps inside the working window (09:00–17:30) are the core's.
    assert lane.gaps == ((11 * H, 13 * H), (14 * H, 17.5 * H))
    right = window.plot.getPlotItem().getAxis("right")
    assert [label for _, label in right._tickLevels[0]] == ["4:00 h"]


def test_lane_draws_once_and_pan_zoom_only_replay_it(app: Any, window: Any, settle: Any) -> None:
    fixture_day(app)
    open_day(window, settle)
    item = window.plot.items[window.plot.lanes[0].user_id]
    rect = item.boundingRect()
    assert rect == item.picture.boundingRect().toRectF()
    assert rect.left() <= 0 and rect.right() >= 24 * H - 1
    before = LaneItem.builds
    window.plot.view.setXRange(6 * H, 8 * H)
    window.plot.view.scaleBy((0.5, 1))
    window.plot.view.translateBy(x=1800)
    window.plot.grab()
    assert LaneItem.builds == before
    # The same data read again rebuilds nothing either.
    window.reload()
    settle()
    assert LaneItem.builds == before


def test_opens_on_working_hours_and_pans_on_time_only(app: Any, window: Any, settle: Any) -> None:
    fixture_day(app)
    open_day(window, settle)
    view = window.plot.view
    (x0, x1), (y0, y1) = view.viewRange()
    assert x0 == pytest.approx(8.5 * H) and x1 == pytest.approx(18 * H)
    assert view.state["mouseEnabled"] == [True, False]
    view.setXRange(0, 24 * H, padding=0)
    assert view.viewRange()[0] == pytest.approx([0, 24 * H])
    assert view.viewRange()[1] == pytest.approx([y0, y1])


def test_hover_names_the_entry(app: Any, window: Any, settle: Any) -> None:
    fixture_day(app)
    open_day(window, settle)
    move(window.plot, 9.5 * H, MID)
    text = window.plot.hover_text
    assert text == (
        "ACME › Server migration › Migrate DC01 (#4521)\n"
        "Cutover rehearsal for DC01\n"
        "1:30 h · billable · 09:00–10:30"
    )
    assert window.status.text() == text
    move(window.plot, 13.5 * H, MID)
    assert window.plot.hover_text.endswith("1:00 h · non-billable · 13:00–14:00")
    move(window.plot, 9.5 * H, BAND_TOP + 5)
    assert window.plot.hover_text == (
        "Globex\nPhone support for printers\n1:00 h · billable · untimed"
    )


def test_click_opens_that_entrys_edit_form(
    qtbot: Any, app: Any, window: Any, settle: Any
) -> None:
    ids = fixture_day(app)
    open_day(window, settle)
    click(window.plot, 13.5 * H, MID)
    (dialog,) = window.dialogs
    assert dialog.windowTitle().startswith("Edit entry")
    assert dialog.description.text() == "Goodwill visit to the office"
    assert (dialog.start_time.text(), dialog.end_time.text()) == ("13:00", "14:00")
    assert dialog.picker.customer_id() == app.tracking.get(None, ids["globex"]).customer_id
    assert not dialog.billable.isChecked()
    dialog.end_time.setText("14:30")
    dialog.save(close=True)
    settle()
    entry = app.tracking.get(None, ids["globex"])
    assert entry.duration_s == 1.5 * H and not entry.billable
    assert dialog.notice.text().startswith("Saved 1:30 for Globex on ")  # confirmed in place
    qtbot.waitUntil(lambda: window.dialogs == [], timeout=5000)  # then it closes


def test_running_timer_grows_without_rebuilding(
    app: Any, window: Any, settle: Any, clock: Any
) -> None:
    app.tracking.start(None, customer="Globex", at=clock.now - timedelta(hours=1))
    window.state.refresh()
    settle()
    plot = window.plot
    running = plot.running
    assert running is not None
    axis = DayAxis(window.day, "Europe/Berlin")
    assert running.x1 == axis.x(clock.now)
    before = LaneItem.builds
    clock.advance(minutes=10)
    window._heartbeat()
    assert running.x1 == axis.x(clock.now)
    assert running.boundingRect().width() == pytest.approx(70 * 60)
    assert LaneItem.builds == before


def test_day_navigation(app: Any, window: Any, settle: Any) -> None:
    assert window.day == datetime(2026, 11, 25, tzinfo=UTC).date()
    window.prev_button.click()
    settle()
    assert window.day == DAY and window.plot.axis.day == DAY
    window.next_button.click()
    window.next_button.click()
    settle()
    assert window.day == DAY + timedelta(days=2)
    window.today_button.click()
    settle()
    assert window.day == DAY + timedelta(days=1)


def test_manager_sees_the_team_stacked(app: Any, state: Any, qtbot: Any, settle: Any) -> None:
    admin = app.directory.profile().id
    app.directory.add_user(admin, "boss@msp.test", name="Bo Boss", role="manager")
    app.directory.add_team(admin, "Field", manager="boss@msp.test")
    for email, name in (("tia@msp.test", "Tia Tech"), ("ned@msp.test", "Ned Nerd")):
        app.directory.add_user(admin, email, name=name, team="Field")
    tia = app.directory.user("tia@msp.test").id
    app.tracking.log(tia, day=DAY, customer="ACME", duration_s=2 * H, description="Patching")
    app.directory.init_profile(name="Bo Boss", email="boss@msp.test")
    state.refresh()
    w = TimelineWindow(state)
    qtbot.addWidget(w)
    assert [w.show_combo.itemText(i) for i in range(w.show_combo.count())] == [
        "My day",
        "Team Field",
    ]
    w.go(DAY)
    w.show_team("Field")
    settle()
    assert [lane.day.user_name for lane in w.plot.lanes] == ["Ned Nerd", "Tia Tech"]
    assert not any(lane.editable for lane in w.plot.lanes)
    assert [lane.day.total_s for lane in w.plot.lanes] == [0, 2 * H]
    left = w.plot.getPlotItem().getAxis("left")
    assert [label for _, label in left._tickLevels[0]] == ["Ned Nerd", "Tia Tech"]
    # Someone else's entry: its hover names the person, a click opens nothing.
    lane = w.plot.lanes[1]
    (band,) = lane.untimed
    w.open_entry(lane, band)
    assert w.dialogs == [] and "Only Tia Tech" in w.status.text()


def test_technician_has_no_team_choice(app: Any, state: Any, qtbot: Any) -> None:
    admin = app.directory.profile().id
    app.directory.add_user(admin, "tia@msp.test", name="Tia Tech")
    app.directory.init_profile(name="Tia Tech", email="tia@msp.test")
    state.refresh()
    w = TimelineWindow(state)
    qtbot.addWidget(w)
    assert w.show_combo.count() == 1 and w.show_combo.isHidden()


def test_pyqtgraph_emits_do_not_drain_true(window: Any) -> None:
    """pyqtgraph emits through PySide6's leaking emit(); the plot tops True up."""
    import sys

    from desktop.ui import qtcompat

    if not qtcompat.EMIT_STEALS_TRUE:
        pytest.skip("this PySide6 does not leak references to True")
    qtcompat.keep_true_alive()
    before = sys.getrefcount(True), sys.getrefcount(None)
    scene = window.plot.scene()
    for _ in range(5000):
        scene.sigPrepareForPaint.emit()  # what pyqtgraph does on every paint
    assert sys.getrefcount(True) < before[0] - 4000  # the leak is real
    for _ in range(300):
        window.plot.grab()  # each repaint tops up again
    qtcompat.keep_true_alive()
    assert sys.getrefcount(True) >= before[0]
    assert sys.getrefcount(None) >= before[1]
