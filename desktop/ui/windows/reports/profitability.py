"""The Profitability view (managers and admins): billed hours, value, cost,
margin, margin %, realization — by customer, project or technician for a
period, approved weeks (optionally submitted ones too) — and a bar chart of
margin by customer. Cost, margin and margin % are columns only for readers
who may see cost (:func:`desktop.core.permissions.can_see_cost`); without
them the chart shows value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto, permissions
from desktop.core.app import Punchclock
from desktop.core.errors import PunchclockError
from desktop.core.timeutil import work_date
from desktop.ui.palette import Palette
from desktop.ui.state import TrackerState
from desktop.ui.widgets import ErrorLabel
from desktop.ui.windows.period import PeriodPicker
from desktop.ui.windows.reports.charts import MarginChart
from desktop.ui.windows.reports.models import (
    ReportModel,
    hours_text,
    money_text,
    pct_text,
    profit_columns,
    sorted_proxy,
)


@dataclass(frozen=True)
class Profits:
    report: dto.ProfitabilityReport
    by_customer: dto.ProfitabilityReport
    customers: list[tuple[str, bool]]


def load_profits(
    app: Punchclock, start: date, end: date, by: str, include_submitted: bool
) -> Profits:
    reports = app.reports
    report = reports.profitability(start, end, by=by, include_submitted=include_submitted)
    by_customer = (
        report
        if by == "customer"
        else reports.profitability(start, end, by="customer", include_submitted=include_submitted)
    )
    customers = [(c.name, c.is_internal) for c in app.directory.customers(include_inactive=True)]
    return Profits(report, by_customer, customers)


class ProfitabilityView(QWidget):
    def __init__(self, state: TrackerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        profile = state.snapshot.profile
        self.with_cost = profile is not None and permissions.can_see_cost(profile)
        today = work_date(state.now(), profile.timezone if profile else "UTC")
        self.period = PeriodPicker(today, profile.first_weekday if profile else 0, "this-month")
        self.by = QComboBox()
        for label, key in (
            ("By customer", "customer"),
            ("By project", "project"),
            ("By technician", "technician"),
        ):
            self.by.addItem(label, key)
        self.include_submitted = QCheckBox("Include submitted weeks")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.error = ErrorLabel()
        self.model = ReportModel(profit_columns("customer", self.with_cost), self)
        self.proxy = sorted_proxy(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(self.model.headers().index("Value"), Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.chart = MarginChart(self)
        self.data: Profits | None = None
        self.loads = 0

        bar = QHBoxLayout()
        for w in (self.period, self.by, self.include_submitted):
            bar.addWidget(w)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.chart.widget, 1)
        self.period.changed.connect(self.reload)
        self.by.currentIndexChanged.connect(self.reload)
        self.include_submitted.toggled.connect(self.reload)

    def reload(self) -> None:
        start, end = self.period.period()
        by, submitted = self.by.currentData(), self.include_submitted.isChecked()
        self.error.clear_message()
        self.state.runner.run(
            lambda: load_profits(self.state.app, start, end, by, submitted),
            self.show_profits,
            self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, PunchclockError):
            raise exc
        self.error.show_message(exc.message)

    def show_profits(self, data: Profits) -> None:
        self.loads += 1
        self.data = data
        r = data.report
        columns = profit_columns(r.by, self.with_cost)
        regrouped = [c.header for c in columns] != self.model.headers()
        self.model.beginResetModel()
        self.model.columns = columns
        self.model.rows = list(r.rows)
        self.model.endResetModel()
        if regrouped:  # the columns moved: sort by value again
            self.table.sortByColumn(
                self.model.headers().index("Value"), Qt.SortOrder.DescendingOrder
            )
        t = r.total
        text = (
            f"Total {hours_text(t.billed_s)} billed, value {money_text(t.value_minor)} {r.currency}"
        )
        if self.with_cost:
            text += (
                f", cost {money_text(t.cost_minor)}, margin {money_text(t.margin_minor)} "
                f"({pct_text(t.margin_pct)})"
            )
        text += f", realization {pct_text(t.realization_pct)} — {', '.join(r.statuses)} weeks"
        self.summary.setText(text)
        self.chart.show(data.by_customer, Palette(data.customers), self.with_cost)
