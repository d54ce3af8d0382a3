"""The Utilization dashboard and the Profitability view show the core's
reports unchanged: table rows, trend series, capacity bars; cost columns only
for readers who may see cost; every model through qtmodeltester."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from windows_helpers import NOW, world

from desktop.ui.state import TrackerState
from desktop.ui.windows.reports.models import SORT_ROLE, pct_text
from desktop.ui.windows.reports.profitability import ProfitabilityView
from desktop.ui.windows.reports.utilization import trend_range
from desktop.ui.windows.reports.window import ReportsWindow


def wait(qtbot: Any, st: TrackerState) -> None:
    qtbot.waitUntil(lambda: not st.runner.busy, timeout=10000)


def open_reports(qtbot: Any, st: TrackerState) -> ReportsWindow:
    w = ReportsWindow(st)
    qtbot.addWidget(w)
    wait(qtbot, st)
    w.utilization.period.set_custom(world.START, world.END)
    wait(qtbot, st)
    return w


def cells(view: Any) -> list[list[str]]:
    p = view.proxy
    return [[p.index(r, c).data() for c in range(p.columnCount())] for r in range(p.rowCount())]


def test_table_equals_the_core_report(
    qtbot: Any, mstate: Any, msp: Any, qtmodeltester: Any
) -> None:
    w = open_reports(qtbot, mstate)
    view = w.utilization
    core = msp.reports.utilization(world.START, world.END, by="technician", basis="logged")
    assert [line.u for line in view.model.rows] == list(core.rows)
    shown = {row[0]: row for row in cells(view)}
    headers = view.model.headers()
    for r in core.rows:
        row = dict(zip(headers, shown[r.name], strict=True))
        assert row["Utilization"] == pct_text(r.utilization_pct)
        assert row["Target"] == pct_text(r.target_pct, 0)
    timeliness = msp.reports.timeliness(world.START, world.END)
    by_key = {t.key: t for t in timeliness.rows}
    assert [line.t for line in view.model.rows] == [by_key.get(r.key) for r in core.rows]
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.proxy)


def test_sorting_is_by_the_numbers(qtbot: Any, mstate: Any, msp: Any) -> None:
    w = open_reports(qtbot, mstate)
    view = w.utilization
    column = view.model.headers().index("Utilization")
    view.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    values = [view.proxy.index(r, column).data(SORT_ROLE) for r in range(view.proxy.rowCount())]
    assert values == sorted(values, reverse=True)


def test_grouping_by_team_equals_the_core(qtbot: Any, mstate: Any, msp: Any) -> None:
    w = open_reports(qtbot, mstate)
    view = w.utilization
    view.by.setCurrentIndex(view.by.findData("team"))
    wait(qtbot, mstate)
    core = msp.reports.utilization(world.START, world.END, by="team")
    assert [line.u for line in view.model.rows] == list(core.rows)


def test_trend_series_equal_the_core_trend(qtbot: Any, mstate: Any, msp: Any) -> None:
    w = open_reports(qtbot, mstate)
    view = w.utilization
    lo, hi = trend_range(world.START, world.END, "week")
    trend = msp.reports.utilization_trend(lo, hi, step="week", by="technician")
    keys = view.selected_keys()
    assert keys and set(view.trend_chart.series) == set(keys)
    for key in keys:
        expected = []
        for point in trend.points:
            row = next((r for r in point.rows if r.key == key), None)
            pct = row.utilization_pct if row else None
            expected.append(float(pct) if pct is not None else None)
        got = [None if v != v else v for v in view.trend_chart.series[key]]  # NaN = no figure
        assert got == expected
    company = [
        float(p.total.utilization_pct) if p.total.utilization_pct is not None else None
        for p in trend.points
    ]
    assert [None if v != v else v for v in view.trend_chart.company] == company
    # Selecting one row draws that row alone.
    view.table.selectRow(0)
    first = view.proxy.index(0, 0).data(SORT_ROLE)
    assert len(view.trend_chart.series) == 1
    assert first is not None


def test_capacity_bars_are_next_weeks_core_capacity(qtbot: Any, mstate: Any, msp: Any) -> None:
    from datetime import timedelta

    from desktop.core.timeutil import week_start

    w = open_reports(qtbot, mstate)
    view = w.utilization
    monday = week_start(NOW.date()) + timedelta(days=7)
    core = msp.reports.utilization(monday, monday + timedelta(days=6), by="technician")
    assert view.capacity_chart.hours == {r.key: r.capacity_s / 3600 for r in core.rows}


def test_profitability_for_an_admin_has_cost_and_equals_the_core(
    qtbot: Any, mstate: Any, msp: Any, qtmodeltester: Any
) -> None:
    w = open_reports(qtbot, mstate)
    view = w.profitability
    assert view is not None
    view.period.set_custom(world.START, world.END)
    wait(qtbot, mstate)
    core = msp.reports.profitability(world.START, world.END, by="customer")
    assert view.model.rows == list(core.rows)
    assert {"Cost", "Margin", "Margin %"} <= set(view.model.headers())
    margin = view.model.headers().index("Margin")
    shown = {row[0]: row[margin] for row in cells(view)}
    from desktop.core.money import format_amount

    assert shown == {r.name: format_amount(r.margin_minor) for r in core.rows}
    assert view.chart.values == {r.name: r.margin_minor / 100 for r in core.rows}
    qtmodeltester.check(view.model)
    view.by.setCurrentIndex(view.by.findData("project"))
    wait(qtbot, mstate)
    assert view.model.rows == list(
        msp.reports.profitability(world.START, world.END, by="project").rows
    )
    qtmodeltester.check(view.proxy)


def test_technician_sees_own_utilization_and_no_cost(qtbot: Any, mstate: Any, msp: Any) -> None:
    msp.directory.init_profile(name="Tia Tech", email="tech@msp.test")
    mstate.refresh()
    w = open_reports(qtbot, mstate)
    assert w.profitability is None and w.tabs.count() == 1
    assert [line.u.name for line in w.utilization.model.rows] == ["Tia Tech"]
    for header in w.utilization.model.headers():
        assert "cost" not in header.lower() and "margin" not in header.lower()
    # The view itself drops the cost columns for a reader who may not see cost.
    view = ProfitabilityView(mstate)
    qtbot.addWidget(view)
    assert not view.with_cost
    assert not {"Cost", "Margin", "Margin %"} & set(view.model.headers())
