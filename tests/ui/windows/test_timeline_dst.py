"""A day with a DST change: blocks sit at their real instants and the hour
axis is labelled in local time (02:00 twice in autumn, never in spring)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from desktop.ui.windows.timeline.model import DayAxis
from desktop.ui.windows.timeline.window import TimelineWindow

H = 3600
AUTUMN = date(2026, 10, 25)  # Berlin: 03:00 CEST → 02:00 CET, a 25 h day
SPRING = date(2026, 3, 29)  # Berlin: 02:00 CET → 03:00 CEST, a 23 h day


def test_axis_lengths_and_local_ticks() -> None:
    autumn, spring = DayAxis(AUTUMN, "Europe/Berlin"), DayAxis(SPRING, "Europe/Berlin")
    assert (autumn.length, spring.length) == (25 * H, 23 * H)
    labels = [label for _, label in autumn.ticks(0, autumn.length, 60)]
    assert labels[:5] == ["00:00", "01:00", "02:00", "02:00", "03:00"]
    assert labels[-1] == "00:00" and len(labels) == 26
    spring_labels = [label for _, label in spring.ticks(0, spring.length, 60)]
    assert spring_labels[:4] == ["00:00", "01:00", "03:00", "04:00"]
    assert "02:00" not in spring_labels
    # The tick labelled 03:00 on the autumn day is 4 real hours after midnight.
    assert dict((lbl, x) for x, lbl in autumn.ticks(0, 6 * H, 60))["03:00"] == 4 * H


@pytest.mark.parametrize(
    ("day", "start", "end", "x0", "x1"),
    [
        (AUTUMN, time(1, 0), time(1, 45), 1 * H, 1.75 * H),  # before the change (CEST)
        (AUTUMN, time(9, 0), time(10, 30), 10 * H, 11.5 * H),  # after it: one hour more
        (SPRING, time(9, 0), time(10, 30), 8 * H, 9.5 * H),  # spring: one hour less
    ],
)
def test_blocks_sit_at_their_instants(
    app: Any,
    state: Any,
    qtbot: Any,
    settle: Any,
    day: date,
    start: time,
    end: time,
    x0: float,
    x1: float,
) -> None:
    saved = app.tracking.log(None, day=day, customer="Globex", start=start, end=end,
                             description="night maintenance window")
    w = TimelineWindow(state)
    qtbot.addWidget(w)
    w.go(day)
    settle()
    (block,) = w.plot.lanes[0].blocks
    assert (block.entry_id, block.x0, block.x1) == (saved.entry.id, x0, x1)
    assert w.plot.hour_axis.tickStrings([x0], 1, 3600) == [start.strftime("%H:%M")]


def test_block_across_the_repeated_hour(
    app: Any, state: Any, qtbot: Any, settle: Any, clock: Any
) -> None:
    # A timer 00:30 CEST → 02:30 CET is 3 real hours though the wall clock says 2.
    app.tracking.start(None, customer="Globex", at=datetime(2026, 10, 24, 22, 30, tzinfo=UTC))
    saved = app.tracking.stop(None, at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    w = TimelineWindow(state)
    qtbot.addWidget(w)
    w.go(AUTUMN)
    settle()
    (block,) = w.plot.lanes[0].blocks
    assert (block.x0, block.x1) == (0.5 * H, 3.5 * H)
    assert saved.entry.duration_s == 3 * H
    assert w.plot.hour_axis.tickStrings([0.5 * H, 3.5 * H], 1, 3600) == ["00:30", "02:30"]
