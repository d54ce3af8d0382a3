"""Editing on the timeline: drag across a gap to log it, drag a block's edge to
move its start or end through the core, refused with the reason in a locked
week; and the PNG the CLI renders."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

import pytest
from windows_helpers import DAY, H, drag, fixture_day

from desktop.ui.windows.timeline.model import BLOCK_TOP
from desktop.ui.windows.timeline.window import TimelineWindow

MID = BLOCK_TOP + 20


@pytest.fixture
def window(qtbot: Any, state: Any, settle: Any, app: Any) -> tuple[TimelineWindow, dict[str, str]]:
    ids = fixture_day(app)
    w = TimelineWindow(state)
    qtbot.addWidget(w)
    w.show()
    w.resize(1200, 400)
    w.go(DAY)
    settle()
    return w, ids


def local_span(app: Any, entry_id: str) -> tuple[str, str]:
    e = app.tracking.get(None, entry_id)
    from zoneinfo import ZoneInfo

    z = ZoneInfo("Europe/Berlin")
    return e.started_at.astimezone(z).strftime("%H:%M"), e.ended_at.astimezone(z).strftime("%H:%M")


def test_drag_across_a_gap_logs_that_span(app: Any, window: Any, settle: Any) -> None:
    w, _ = window
    drag(w.plot, 11.5 * H, 12.5 * H, MID)
    (dialog,) = w.dialogs
    assert dialog.windowTitle().startswith("Log time")
    assert (dialog.start_time.text(), dialog.end_time.text()) == ("11:30", "12:30")
    assert dialog.date.date().toPython() == DAY
    dialog.picker.customer.setCurrentIndex(dialog.picker.customer.findText("Globex"))
    dialog.description.setText("Firewall rule review")
    dialog.save(close=True)
    settle()
    logged = [
        e
        for e in app.tracking.entries(None, start=DAY, end=DAY)
        if e.description.startswith("Firewall")
    ]
    assert len(logged) == 1 and local_span(app, logged[0].id) == ("11:30", "12:30")
    assert any(b.entry_id == logged[0].id for b in w.plot.lanes[0].blocks)


def test_drag_stops_at_the_neighbouring_entries(app: Any, window: Any) -> None:
    w, _ = window
    # From 12:00 back past the internal block's end (11:00) and forward past Globex (13:00).
    drag(w.plot, 12 * H, 10 * H, MID)
    (dialog,) = w.dialogs
    assert (dialog.start_time.text(), dialog.end_time.text()) == ("11:00", "12:00")
    dialog.close()
    w.dialogs.clear()
    drag(w.plot, 12 * H, 15 * H, MID)
    assert (w.dialogs[0].start_time.text(), w.dialogs[0].end_time.text()) == ("12:00", "13:00")


def test_dragging_inside_a_block_pans_instead(window: Any) -> None:
    w, _ = window
    before = w.plot.view.viewRange()[0]
    drag(w.plot, 9.75 * H, 10.25 * H, MID)
    assert w.dialogs == []
    assert w.plot.view.viewRange()[0] != before


def test_edge_drag_moves_the_end_through_the_core(app: Any, window: Any, settle: Any) -> None:
    w, ids = window
    drag(w.plot, 14 * H, 15.25 * H, MID)  # Globex's end 14:00 → 15:15
    settle()
    assert local_span(app, ids["globex"]) == ("13:00", "15:15")
    assert w.error.isHidden()
    (block,) = [b for b in w.plot.lanes[0].blocks if b.entry_id == ids["globex"]]
    assert (block.x0, block.x1) == (13 * H, 15.25 * H)


def test_edge_drag_moves_the_start(app: Any, window: Any, settle: Any) -> None:
    w, ids = window
    drag(w.plot, 9 * H, 8.5 * H, MID)  # ACME's start 09:00 → 08:30
    settle()
    assert local_span(app, ids["acme"]) == ("08:30", "10:30")


def test_edge_drag_in_a_locked_week_is_refused_with_the_reason(
    app: Any, window: Any, settle: Any
) -> None:
    w, ids = window
    app.tracking.edit(None, ids["untimed"], description="Phone support for the printers")
    app.timesheets.submit(None, DAY)
    w.reload()
    settle()
    drag(w.plot, 14 * H, 15 * H, MID)
    settle()
    assert local_span(app, ids["globex"]) == ("13:00", "14:00")
    assert w.error.isVisible()
    assert "submitted" in w.error.text()
    (block,) = [b for b in w.plot.lanes[0].blocks if b.entry_id == ids["globex"]]
    assert block.x1 == 14 * H


def test_cli_renders_the_day_to_png(app: Any, tmp_path: Path, qtbot: Any) -> None:
    from desktop.cli import main

    out = tmp_path / "day.png"
    data_dir = str(app.db.path.parent)
    app.tracking.log(None, day=DAY, customer="ACME", start=time(9), end=time(10),
                     description="migrated the file server")
    code = main(["--data-dir", data_dir, "timeline", "--date", DAY.isoformat(), "--png", str(out)])
    assert code == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_drag_to_log_in_a_locked_week_is_refused_inline(app: Any, window: Any, settle: Any) -> None:
    w, ids = window
    app.tracking.edit(None, ids["untimed"], description="Phone support for the printers")
    app.timesheets.submit(None, DAY)
    before = len(app.tracking.entries(None, start=DAY, end=DAY))
    drag(w.plot, 11.25 * H, 12 * H, MID)
    (dialog,) = w.dialogs
    dialog.picker.customer.setCurrentIndex(dialog.picker.customer.findText("Globex"))
    dialog.description.setText("Firewall rule review")
    dialog.save(close=True)
    settle()
    assert "submitted" in dialog.error.text()
    assert len(app.tracking.entries(None, start=DAY, end=DAY)) == before
