"""The report charts (pyqtgraph): utilization trend, next week's capacity and
margin by customer. They draw the core's figures as given; the only change
is the unit (seconds shown as hours, minor units as currency units)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QWidget

from desktop.core import dto
from desktop.ui.palette import COLOURS, Palette
from desktop.ui.plots import GuardedPlotWidget
from desktop.ui.qtcompat import keep_true_alive

COMPANY_PEN = pg.mkPen("#222222", width=2, style=Qt.PenStyle.DashLine)
OVER = "#D55E00"
ROOM = "#009E73"


def _plot(parent: QWidget | None, title: str) -> pg.PlotWidget:
    plot = GuardedPlotWidget(parent, background="w")
    item = plot.getPlotItem()
    item.hideButtons()
    item.setMenuEnabled(False)
    item.setTitle(title, color="#222222", size="10pt")
    item.showGrid(x=False, y=True, alpha=0.25)
    for side in ("left", "bottom"):
        ax = item.getAxis(side)
        ax.setTextPen(pg.mkPen("#222222"))
        ax.setPen(pg.mkPen("#9aa0a6"))
    plot.setMouseEnabled(x=False, y=False)
    plot.setMinimumHeight(200)
    return plot


def _elide(text: str, px: int) -> str:
    return QFontMetrics(QFont()).elidedText(text, Qt.TextElideMode.ElideRight, px)


def _value(v: Decimal | None) -> float:
    return math.nan if v is None else float(v)


def point_label(point: dto.UtilizationReport, step: str) -> str:
    if step == "month":
        return f"{point.start:%b %Y}"
    iso = point.start.isocalendar()
    return f"W{iso[1]:02d}"


class TrendChart:
    """Utilization per week or month of the chosen rows, each with its target
    (dotted), and the company figure as the reference (dashed black)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.widget = _plot(parent, "Utilization trend (%)")
        self.widget.getPlotItem().addLegend(offset=(10, 5), labelTextColor="#222222", colCount=3)
        self.series: dict[str, list[float]] = {}
        self.targets: dict[str, list[float]] = {}
        self.company: list[float] = []

    def show(self, trend: dto.UtilizationTrend, keys: Sequence[str]) -> None:
        plot = self.widget.getPlotItem()
        plot.clear()
        if plot.legend is not None:
            plot.legend.clear()
        xs = np.arange(len(trend.points), dtype=float)
        self.series, self.targets = {}, {}
        names: dict[str, str] = {}
        for i, key in enumerate(keys):
            values, targets = [], []
            for point in trend.points:
                row = next((r for r in point.rows if r.key == key), None)
                if row is not None:
                    names[key] = row.name
                values.append(_value(row.utilization_pct if row else None))
                targets.append(_value(row.target_pct if row else None))
            self.series[key], self.targets[key] = values, targets
            colour = COLOURS[i % len(COLOURS)]
            plot.plot(
                xs,
                np.array(values),
                pen=pg.mkPen(colour, width=2),
                symbol="o",
                symbolSize=6,
                symbolBrush=colour,
                symbolPen=colour,
                name=names.get(key, key),
                connect="finite",
            )
            plot.plot(
                xs,
                np.array(targets),
                pen=pg.mkPen(colour, width=1, style=Qt.PenStyle.DotLine),
                connect="finite",
            )
        self.company = [_value(p.total.utilization_pct) for p in trend.points]
        plot.plot(xs, np.array(self.company), pen=COMPANY_PEN, name="Company", connect="finite")
        labels = [(float(i), point_label(p, trend.step)) for i, p in enumerate(trend.points)]
        every = max(1, len(labels) // 12)
        plot.getAxis("bottom").setTicks([labels[::every], []])
        plot.setXRange(-0.3, max(len(labels) - 0.7, 0.7), padding=0)
        finite = [v for s in (*self.series.values(), self.company) for v in s if not math.isnan(v)]
        # Head-room above the lines for the legend.
        plot.setYRange(0, max([100.0, *finite]) * 1.35, padding=0)
        keep_true_alive()


class CapacityChart:
    """Hours each technician still has free next week (available − logged from
    the core's report): green room, orange over-allocated."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.widget = _plot(parent, "Capacity next week (hours free)")
        self.widget.getPlotItem().getAxis("left").setWidth(130)
        self.widget.getPlotItem().invertY(True)
        self.hours: dict[str, float] = {}

    def show(self, report: dto.UtilizationReport) -> None:
        plot = self.widget.getPlotItem()
        plot.clear()
        rows = list(report.rows)
        self.hours = {r.key: r.capacity_s / 3600 for r in rows}
        widths = np.array([r.capacity_s / 3600 for r in rows], dtype=float)
        if rows:
            brushes = [pg.mkBrush(OVER if w < 0 else ROOM) for w in widths]
            bars = pg.BarGraphItem(
                x0=np.minimum(widths, 0),
                width=np.abs(widths),
                y=np.arange(len(rows), dtype=float),
                height=0.6,
                brushes=brushes,
                pen=pg.mkPen("#555555"),
            )
            plot.addItem(bars)
        ticks = [(float(i), _elide(r.name, 120)) for i, r in enumerate(rows)]
        plot.getAxis("left").setTicks([ticks, []])
        lo = min([0.0, *widths.tolist()])
        hi = max([1.0, *widths.tolist()])
        plot.setXRange(lo, hi * 1.05, padding=0)
        plot.setYRange(-0.6, max(len(rows) - 0.4, 0.6), padding=0)
        self.widget.setMinimumHeight(min(90 + 26 * len(rows), 600))
        keep_true_alive()


class MarginChart:
    """Margin (value when cost is hidden) per customer, in the customer's colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.widget = _plot(parent, "Margin by customer")
        self.widget.getPlotItem().getAxis("left").setWidth(190)
        self.widget.getPlotItem().invertY(True)
        self.values: dict[str, float] = {}

    def show(self, report: dto.ProfitabilityReport, palette: Palette, with_cost: bool) -> None:
        plot = self.widget.getPlotItem()
        plot.clear()
        what = "Margin" if with_cost else "Value"
        plot.setTitle(f"{what} by customer ({report.currency})", color="#222222", size="10pt")
        rows = list(report.rows)
        self.values = {
            r.name: ((r.margin_minor or 0) if with_cost else r.value_minor) / 100 for r in rows
        }
        widths = np.array(list(self.values.values()), dtype=float)
        if rows:
            bars = pg.BarGraphItem(
                x0=np.minimum(widths, 0),
                width=np.abs(widths),
                y=np.arange(len(rows), dtype=float),
                height=0.6,
                brushes=[pg.mkBrush(palette.hex(r.name)) for r in rows],
                pen=pg.mkPen("#555555"),
            )
            plot.addItem(bars)
        plot.getAxis("left").setTicks(
            [[(float(i), _elide(r.name, 180)) for i, r in enumerate(rows)], []]
        )
        plot.getAxis("bottom").enableAutoSIPrefix(False)
        lo = min([0.0, *widths.tolist()])
        hi = max([1.0, *widths.tolist()])
        plot.setXRange(lo * 1.05, hi * 1.05, padding=0)
        plot.setYRange(-0.6, max(len(rows) - 0.4, 0.6), padding=0)
        self.widget.setMinimumHeight(min(90 + 26 * len(rows), 600))
        keep_true_alive()
