"""The timeline plot: one :class:`~.items.LaneItem` per person, the local hour
axis at the bottom, names on the left (elided, full name in the hover text),
each lane's total on the right.

Zoom and pan move the time axis only (the lanes stay put); the view opens on
the working hours and can reach the whole day (00–24, or 23/25 h on a DST
change). Lanes are kept per person between loads and rebuilt only when their
data changed. The plot emits what the user did — ``entry_clicked``,
``span_dragged`` — and the window decides what it means.
"""

from __future__ import annotations

from datetime import datetime

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QWidget

from desktop.core import dto
from desktop.core.durations import format_duration
from desktop.ui.palette import Palette
from desktop.ui.plots import GuardedPlotWidget
from desktop.ui.qtcompat import emit, keep_true_alive
from desktop.ui.windows.timeline.items import HourAxis, LaneItem, RunningItem
from desktop.ui.windows.timeline.model import (
    BLOCK_H,
    BLOCK_TOP,
    LANE_H,
    Block,
    DayAxis,
    Lane,
    hover_text,
    lay_out,
    opening_range,
)

NAME_PX = 150
LANE_PX = 42


class TimelinePlot(GuardedPlotWidget):
    entry_clicked = Signal(object, object)  # Lane, Block
    span_dragged = Signal(object, object, str, float, float)  # Lane, Block | None, edge, x0, x1
    hover_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        self.axis = DayAxis(datetime.now().date(), "UTC")
        self.hour_axis = HourAxis(self.axis)
        super().__init__(parent, background="w", axisItems={"bottom": self.hour_axis})
        item = self.getPlotItem()
        item.hideButtons()
        item.setMenuEnabled(False)
        item.showAxis("right")
        item.showGrid(x=True, y=False, alpha=0.25)
        for side in ("left", "right", "bottom"):
            ax = item.getAxis(side)
            ax.setTextPen(pg.mkPen("#222222"))
            ax.setPen(pg.mkPen("#9aa0a6"))
        item.getAxis("left").setWidth(NAME_PX)
        item.getAxis("right").setWidth(64)
        item.getAxis("left").setStyle(tickLength=0)
        item.getAxis("right").setStyle(tickLength=0)
        self.view = item.getViewBox()
        self.view.setMouseEnabled(x=True, y=False)
        self.view.invertY(True)
        self.view.setDefaultPadding(0)
        self.view.disableAutoRange()  # the ranges are set from the day, not from the items
        self.lanes: list[Lane] = []
        self.items: dict[str, LaneItem] = {}
        self.running: RunningItem | None = None
        self.hover_text = ""
        self.team_view = False
        self.preview = QGraphicsRectItem()
        self.preview.setPen(QPen(QColor("#1a73e8"), 0))
        self.preview.setBrush(QBrush(QColor(26, 115, 232, 60)))
        self.preview.setZValue(10)
        self.preview.hide()
        self.view.addItem(self.preview, ignoreBounds=True)

    # --------------------------------------------------------------- data

    def show_days(
        self,
        days: list[dto.TimelineDay],
        axis: DayAxis,
        palette: Palette,
        editor_id: str | None,
        *,
        keep_range: bool = False,
    ) -> None:
        """Lay ``days`` out on ``axis``; lanes whose data is unchanged are not rebuilt."""
        new_day = (axis.day, axis.tz) != (self.axis.day, self.axis.tz)
        self.axis = axis
        self.hour_axis.day_axis = axis
        lanes = lay_out(days, axis, palette, editor_id)
        self.lanes = lanes
        self.team_view = len(lanes) > 1
        seen = set()
        for lane in lanes:
            seen.add(lane.user_id)
            item = self.items.get(lane.user_id)
            if item is None:
                item = LaneItem(lane, self)
                self.items[lane.user_id] = item
                self.view.addItem(item, ignoreBounds=True)
            else:
                item.set_lane(lane)
        for user_id in list(self.items):
            if user_id not in seen:
                self.view.removeItem(self.items.pop(user_id))
        self._show_running()
        self._label_axes()
        height = max(len(lanes), 1) * LANE_H
        self.view.setLimits(
            xMin=0, xMax=axis.length, minXRange=1800, maxXRange=axis.length, yMin=0, yMax=height
        )
        self.view.setYRange(0, height, padding=0)
        if new_day or not keep_range:
            lo, hi = opening_range(lanes, axis)
            self.view.setXRange(lo, hi, padding=0)
        self.setMinimumHeight(min(60 + len(lanes) * LANE_PX, 900))
        keep_true_alive()

    def _show_running(self) -> None:
        running = next((lane.running for lane in self.lanes if lane.running), None)
        if self.running is not None and (running is None or running != self.running.block):
            self.view.removeItem(self.running)
            self.running = None
        if running is not None and self.running is None:
            self.running = RunningItem(running)
            self.view.addItem(self.running, ignoreBounds=True)

    def _label_axes(self) -> None:
        metrics = QFontMetrics(self.font())
        names, totals = [], []
        for lane in self.lanes:
            mid = lane.top + BLOCK_TOP + BLOCK_H / 2
            name = metrics.elidedText(lane.day.user_name, Qt.TextElideMode.ElideRight, NAME_PX - 16)
            names.append((mid, name))
            totals.append((mid, f"{format_duration(lane.day.total_s)} h"))
        self.getPlotItem().getAxis("left").setTicks([names, []])
        self.getPlotItem().getAxis("right").setTicks([totals, []])

    def tick(self, now: datetime) -> None:
        """Grow the running timer's block to ``now`` (no lane is rebuilt)."""
        if self.running is not None:
            self.running.grow(min(max(self.axis.x(now), self.running.block.x0), self.axis.length))

    # ------------------------------------------------------------ queries

    def lane_of(self, user_id: str) -> Lane | None:
        return next((lane for lane in self.lanes if lane.user_id == user_id), None)

    def text_at(self, lane: Lane, block: Block | None) -> str:
        if block is None:
            return f"{lane.day.user_name}: no entry here" if self.team_view else ""
        return hover_text(block.span, lane.day.user_name if self.team_view else None)

    def data_rect(self) -> QRectF:
        rect: QRectF = self.view.viewRect()
        return rect

    # ----------------------------------------------------- host callbacks

    def hovered(self, lane: Lane, block: Block | None) -> None:
        text = self.text_at(lane, block)
        if text != self.hover_text:
            self.hover_text = text
            self.setToolTip(text)
            emit(self.hover_changed, text)

    def clicked(self, lane: Lane, block: Block) -> None:
        emit(self.entry_clicked, lane, block)

    def drag_preview(self, lane: Lane, x0: float, x1: float) -> None:
        if x1 <= x0:
            self.preview.hide()
            return
        self.preview.setRect(QRectF(x0, lane.top + BLOCK_TOP, x1 - x0, BLOCK_H))
        self.preview.show()

    def drag_done(self, lane: Lane, block: Block | None, edge: str, x0: float, x1: float) -> None:
        emit(self.span_dragged, lane, block, edge, x0, x1)
