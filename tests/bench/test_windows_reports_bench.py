"""Windows benchmark (issue 11): the Timeline of a team of 50 on a busy day
(the issue's bar: 0.15 s) and the Utilization dashboard over one year × 50
technicians (0.3 s), each from the core's call to painted pixels; and a
pan/zoom repaint that rebuilds no lane (asserted). Like the reports
benchmark, the times are figures for BENCHMARKS.md, not assertions: a loaded
machine must not fail ``make bench``.

The dashboard reuses the reports benchmark's year (~75,000 entries). The
timeline day has 50 technicians in one team with 14 timed entries each, two
untimed ones and a running timer for every fifth person.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from test_reports_bench import (
    YEAR,
    world,  # noqa: F401 (the year of the reports benchmark)
)

from desktop.core.app import Punchclock
from desktop.core.db import open_database
from desktop.core.model import Customer, Team, TimeEntry, User, new_id
from desktop.core.timeutil import local_to_utc

DAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
TECHS = 50
TODAY = date(2027, 1, 15)


@pytest.fixture(scope="module")
def busy_day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Punchclock, str]]:
    folder: Path = tmp_path_factory.mktemp("timeline-bench")
    pc = Punchclock(open_database(folder), clock=lambda: NOW)
    admin = pc.directory.init_profile(
        name="Ada Admin", email="admin@msp.test", timezone="Europe/Berlin"
    ).id
    rnd = random.Random(11)
    with pc.db.write() as s:
        team = new_id()
        s.execute(insert(Team), [{"id": team, "name": "Service Desk", "manager_id": admin}])
        users = [new_id() for _ in range(TECHS)]
        s.execute(
            insert(User),
            [
                {
                    "id": u,
                    "name": f"Technician {i:02d}",
                    "email": f"t{i:02d}@msp.test",
                    "role": "technician",
                    "team_id": team,
                    "work_schedule": [8 * 3600] * 5 + [0, 0],
                    "utilization_target": 75,
                    "timezone": "Europe/Berlin",
                }
                for i, u in enumerate(users)
            ],
        )
        customers = [new_id() for _ in range(12)]
        s.execute(
            insert(Customer),
            [
                {
                    "id": c,
                    "name": f"Customer {i:02d}",
                    "is_internal": i == 0,
                    "default_billable": i != 0,
                }
                for i, c in enumerate(customers)
            ],
        )
        rows: list[dict[str, Any]] = []
        for n, u in enumerate(users):
            at = local_to_utc(DAY, datetime(2026, 1, 1, 7, 30).time(), "Europe/Berlin")
            for k in range(14):
                minutes = rnd.choice([15, 20, 30, 45])
                end = at + timedelta(minutes=minutes)
                running = k == 13 and n % 5 == 0
                rows.append(
                    {
                        "id": new_id(),
                        "user_id": u,
                        "customer_id": customers[rnd.randrange(12)],
                        "work_date": DAY,
                        "started_at": at,
                        "ended_at": None if running else end,
                        "duration_s": 0 if running else minutes * 60,
                        "description": "patched and rebooted the file server",
                        "billable": rnd.random() > 0.2,
                        "source": "timer",
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                )
                at = end + timedelta(minutes=rnd.choice([0, 0, 5, 15]))
            for _ in range(2):
                rows.append(
                    {
                        "id": new_id(),
                        "user_id": u,
                        "customer_id": customers[1],
                        "work_date": DAY,
                        "duration_s": 1800,
                        "description": "phone support",
                        "billable": True,
                        "source": "manual",
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                )
        s.execute(insert(TimeEntry), rows)
    yield pc, admin
    pc.close()


def test_timeline_team_of_50_busy_day(benchmark: Any, qapp: Any, busy_day: Any) -> None:
    """An open Timeline window moving to the busy day: the core's timeline,
    every lane rebuilt (a new day) and painted."""
    from desktop.ui.palette import Palette
    from desktop.ui.windows.timeline.items import LaneItem
    from desktop.ui.windows.timeline.model import DayAxis
    from desktop.ui.windows.timeline.view import TimelinePlot

    pc, admin = busy_day
    palette = Palette([(c.name, c.is_internal) for c in pc.directory.customers()])
    plot = TimelinePlot()
    plot.resize(1400, 900)
    plot.show_days([], DayAxis(DAY - timedelta(days=1), "Europe/Berlin"), palette, None)

    def setup() -> None:  # back to an empty other day, so every lane is new
        plot.show_days([], DayAxis(DAY - timedelta(days=1), "Europe/Berlin"), palette, None)

    benchmark.pedantic(lambda: _switch(pc, admin, plot, palette), setup=setup, rounds=10)
    assert len(plot.lanes) == TECHS
    assert sum(len(lane.blocks) for lane in plot.lanes) == TECHS * 14
    # Pan and zoom repaint from the cached pictures: no lane is rebuilt.
    before = LaneItem.builds
    plot.view.setXRange(8 * 3600, 12 * 3600, padding=0)
    plot.view.translateBy(x=1800)
    plot.view.scaleBy((0.5, 1))
    plot.grab()
    assert LaneItem.builds == before
    plot.deleteLater()


def _switch(pc: Punchclock, admin: str, plot: Any, palette: Any) -> None:
    from desktop.ui.windows.timeline.model import DayAxis

    days = pc.reports.timeline(DAY, team="Service Desk", actor_id=admin)
    plot.show_days(days, DayAxis(DAY, "Europe/Berlin"), palette, None)
    plot.grab()


def test_timeline_first_open(benchmark: Any, qapp: Any, busy_day: Any) -> None:
    """Opening the plot on the busy day (widget creation included); reported, not bounded."""
    from desktop.ui.palette import Palette
    from desktop.ui.windows.timeline.model import DayAxis
    from desktop.ui.windows.timeline.view import TimelinePlot

    pc, admin = busy_day
    plots: list[Any] = []

    def open_plot() -> None:
        days = pc.reports.timeline(DAY, team="Service Desk", actor_id=admin)
        palette = Palette([(c.name, c.is_internal) for c in pc.directory.customers()])
        plot = TimelinePlot()
        plot.resize(1400, 900)
        plot.show_days(days, DayAxis(DAY, "Europe/Berlin"), palette, None)
        plot.grab()
        plots.append(plot)

    benchmark.pedantic(open_plot, rounds=5)
    for p in plots:
        p.deleteLater()


def test_timeline_pan_repaint(benchmark: Any, qapp: Any, busy_day: Any) -> None:
    from desktop.ui.palette import Palette
    from desktop.ui.windows.timeline.items import LaneItem
    from desktop.ui.windows.timeline.model import DayAxis
    from desktop.ui.windows.timeline.view import TimelinePlot

    pc, admin = busy_day
    days = pc.reports.timeline(DAY, team="Service Desk", actor_id=admin)
    plot = TimelinePlot()
    plot.resize(1400, 900)
    plot.show_days(days, DayAxis(DAY, "Europe/Berlin"), Palette(), None)
    plot.grab()
    before = LaneItem.builds

    def pan() -> None:
        plot.view.translateBy(x=600)
        plot.grab()

    benchmark(pan)
    assert LaneItem.builds == before
    plot.deleteLater()


def _dashboard_view(qtbot: Any, pc: Punchclock) -> Any:
    from desktop.ui.state import TrackerState
    from desktop.ui.windows.reports.utilization import UtilizationView

    state = TrackerState(pc)
    state.refresh()
    view = UtilizationView(state)
    qtbot.addWidget(view)
    view.resize(1250, 820)
    return view


def test_dashboard_one_year_50_technicians(benchmark: Any, qtbot: Any, world: Any) -> None:  # noqa: F811
    """What the user waits for: the table (utilization report and next week's
    capacity from the core) drawn with the capacity bars; about 0.22 s of it
    is the core's year report."""
    from desktop.ui.windows.reports.utilization import load_table

    pc, _ = world
    view = _dashboard_view(qtbot, pc)

    def render() -> None:
        view.show_dashboard(load_table(pc, *YEAR, "technician", "logged", TODAY))
        view.grab()

    benchmark(render)
    assert len(view.model.rows) == 51  # 50 technicians and the admin


def test_dashboard_trend_one_year(benchmark: Any, qtbot: Any, world: Any) -> None:  # noqa: F811
    """The second job: the weekly trend of the year (53 points) from the core, drawn."""
    from desktop.ui.windows.reports.utilization import load_table, load_trend

    pc, _ = world
    view = _dashboard_view(qtbot, pc)
    view.show_dashboard(load_table(pc, *YEAR, "technician", "logged", TODAY))

    def render() -> None:
        view.show_trend(load_trend(pc, *YEAR, "technician", "logged", "week"))
        view.grab()

    benchmark(render)
    assert view.data is not None and view.data.trend is not None
    assert len(view.data.trend.points) == 53


def test_dashboard_drawing_only(benchmark: Any, qtbot: Any, world: Any) -> None:  # noqa: F811
    """Everything loaded (table, trend, timeliness): the drawing alone."""
    from desktop.ui.windows.reports.utilization import load_dashboard

    pc, _ = world
    view = _dashboard_view(qtbot, pc)
    data = load_dashboard(pc, *YEAR, "technician", "logged", "week", TODAY)

    def draw() -> None:
        view.show_dashboard(data)
        view.grab()

    benchmark(draw)
