"""The Utilization dashboard: period, basis (all logged / approved only),
grouping (technician / team / company); a sortable table of the core's
utilization report with the timeliness figures beside it; the trend of the
selected rows (the 12 weeks or 6 months up to the period's end, or the
period itself when it is longer) with their targets and the company line;
and next week's capacity per technician.

Everything comes from :class:`~desktop.core.services.reports.ReportsService`
off the GUI thread, in three jobs so the table shows first: the utilization
report with next week's capacity, then the trend, then the timeliness
columns (the slowest read: one row per entry). Technicians see only
themselves (the core's scope)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto
from desktop.core.app import Punchclock
from desktop.core.errors import PunchclockError
from desktop.core.timeutil import week_start, work_date
from desktop.ui.state import TrackerState
from desktop.ui.widgets import ErrorLabel
from desktop.ui.windows.period import PeriodPicker
from desktop.ui.windows.reports.charts import CapacityChart, TrendChart
from desktop.ui.windows.reports.models import (
    ROW_ROLE,
    UTILIZATION_COLUMNS,
    ReportModel,
    hours_text,
    pct_text,
    pts_text,
    sorted_proxy,
    utilization_lines,
)

TREND_WEEKS = 12
TREND_MONTHS = 6


@dataclass(frozen=True)
class Dashboard:
    report: dto.UtilizationReport
    capacity: dto.UtilizationReport
    trend: dto.UtilizationTrend | None = None
    timeliness: dto.TimelinessReport | None = None


def trend_range(start: date, end: date, step: str) -> tuple[date, date]:
    if step == "week":
        first = week_start(end) - timedelta(weeks=TREND_WEEKS - 1)
    else:
        first = date(end.year, end.month, 1)
        for _ in range(TREND_MONTHS - 1):
            first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return min(first, start), end


def load_table(
    app: Punchclock, start: date, end: date, by: str, basis: str, today: date
) -> Dashboard:
    """The utilization report and next week's capacity per technician."""
    report = app.reports.utilization(start, end, by=by, basis=basis)
    monday = week_start(today) + timedelta(days=7)
    capacity = app.reports.utilization(monday, monday + timedelta(days=6), by="technician")
    return Dashboard(report, capacity)


def load_trend(
    app: Punchclock, start: date, end: date, by: str, basis: str, step: str
) -> dto.UtilizationTrend:
    lo, hi = trend_range(start, end, step)
    return app.reports.utilization_trend(lo, hi, step=step, by=by, basis=basis)


def load_timeliness(app: Punchclock, start: date, end: date) -> dto.TimelinessReport | None:
    try:
        return app.reports.timeliness(start, end)
    except PunchclockError:
        return None


def load_dashboard(
    app: Punchclock, start: date, end: date, by: str, basis: str, step: str, today: date
) -> Dashboard:
    """All of it in one go (the screenshots, the benchmark)."""
    table = load_table(app, start, end, by, basis, today)
    return replace(
        table,
        trend=load_trend(app, start, end, by, basis, step),
        timeliness=load_timeliness(app, start, end),
    )


def summary_text(r: dto.UtilizationReport) -> str:
    t = r.total
    text = (
        f"Company {pct_text(t.utilization_pct)} utilization "
        f"(target {pct_text(t.target_pct, 0)}): {hours_text(t.billable_s)} billable of "
        f"{hours_text(t.available_s)} available, {hours_text(t.logged_s)} logged"
    )
    if r.change_pts is not None:
        text += f"; {pts_text(r.change_pts)} against the period before"
    return text


class UtilizationView(QWidget):
    def __init__(self, state: TrackerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        profile = state.snapshot.profile
        self.today = work_date(state.now(), profile.timezone if profile else "UTC")
        self.period = PeriodPicker(self.today, profile.first_weekday if profile else 0)
        self.basis = QComboBox()
        self.basis.addItem("All logged time", "logged")
        self.basis.addItem("Approved weeks only", "approved")
        self.by = QComboBox()
        for label, key in (("Technician", "technician"), ("Team", "team"), ("Company", "company")):
            self.by.addItem(label, key)
        self.step = QComboBox()
        self.step.addItem("Weekly trend", "week")
        self.step.addItem("Monthly trend", "month")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.error = ErrorLabel()
        self.model = ReportModel(UTILIZATION_COLUMNS, self)
        self.proxy = sorted_proxy(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.trend_chart = TrendChart(self)
        self.capacity_chart = CapacityChart(self)
        self.data: Dashboard | None = None
        self.loads = 0
        self._token: object = None

        bar = QHBoxLayout()
        for w in (self.period, self.basis, self.by, self.step):
            bar.addWidget(w)
        bar.addStretch(1)
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.trend_chart.widget)
        charts.addWidget(self.capacity_chart.widget)
        charts.setSizes([600, 400])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(charts, 1)

        self.period.changed.connect(self.reload)
        for combo in (self.basis, self.by, self.step):
            combo.currentIndexChanged.connect(self.reload)
        self.table.selectionModel().selectionChanged.connect(self._draw_trend)

    def reload(self) -> None:
        start, end = self.period.period()
        by, basis, step = self.by.currentData(), self.basis.currentData(), self.step.currentData()
        today, app, run = self.today, self.state.app, self.state.runner.run
        self.error.clear_message()
        token = self._token = object()

        def current(fn: Any) -> Any:
            return lambda result: fn(result) if token is self._token else None

        run(
            lambda: load_table(app, start, end, by, basis, today),
            current(self.show_dashboard),
            self._failed,
        )
        run(
            lambda: load_trend(app, start, end, by, basis, step),
            current(self.show_trend),
            self._failed,
        )
        run(lambda: load_timeliness(app, start, end), current(self.show_timeliness), self._failed)

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, PunchclockError):
            raise exc
        self.error.show_message(exc.message)

    def show_dashboard(self, data: Dashboard) -> None:
        """The table, summary and capacity (and trend / timeliness when ``data`` has them)."""
        self.loads += 1
        self.data = data
        self.model.reload(utilization_lines(data.report, data.timeliness))
        self.summary.setText(summary_text(data.report))
        self.capacity_chart.show(data.capacity)
        self._draw_trend()

    def show_trend(self, trend: dto.UtilizationTrend) -> None:
        if self.data is not None:
            self.data = replace(self.data, trend=trend)
            self._draw_trend()

    def show_timeliness(self, timeliness: dto.TimelinessReport | None) -> None:
        if self.data is not None:
            self.data = replace(self.data, timeliness=timeliness)
            self.model.reload(utilization_lines(self.data.report, timeliness))

    def selected_keys(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        keys = [self.proxy.data(i, ROW_ROLE).u.key for i in rows]
        if keys or self.data is None:
            return keys
        # Nothing chosen: the first few rows as the table shows them.
        first = [self.proxy.index(r, 0) for r in range(min(self.proxy.rowCount(), 4))]
        return [self.proxy.data(i, ROW_ROLE).u.key for i in first]

    def _draw_trend(self, *_: Any) -> None:
        if self.data is not None and self.data.trend is not None:
            self.trend_chart.show(self.data.trend, self.selected_keys())
