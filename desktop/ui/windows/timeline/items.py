"""The timeline's graphics items (pyqtgraph's customGraphicsItem pattern).

:class:`LaneItem` is one person's day: it draws its background, working
window, gaps, blocks and untimed band ONCE into a ``QPicture`` when its lane
data changes, and ``paint()`` only replays that picture — panning and zooming
never rebuild it (``builds`` counts the rebuilds). ``boundingRect()`` is the
picture's. The running timer is a separate, tiny :class:`RunningItem` whose
right edge follows the clock, so the live growth costs one rectangle, not a
lane.

Mouse gestures land here and are handed to the ``host`` (the plot): hover,
click on a block, and on an editable lane a drag from a block's edge (change
its start or end) or from empty time (log that span). Any other drag is
ignored, which lets the view pan.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPicture

from desktop.ui.palette import lighter
from desktop.ui.windows.timeline.model import LANE_H, Block, DayAxis, Lane

EDGE_PX = 6.0
LANE_BG = ("#f4f5f7", "#eceef1")
WINDOW_BG = "#ffffff"
GAP_PEN = "#c9ccd1"


class Host(Protocol):
    axis: DayAxis

    def hovered(self, lane: Lane, block: Block | None) -> None: ...
    def clicked(self, lane: Lane, block: Block) -> None: ...
    def drag_preview(self, lane: Lane, x0: float, x1: float) -> None: ...
    def drag_done(
        self, lane: Lane, block: Block | None, edge: str, x0: float, x1: float
    ) -> None: ...


def _pen(
    colour: str | QColor, width: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine
) -> QPen:
    pen = QPen(QColor(colour))
    pen.setCosmetic(True)  # one pixel whatever the zoom
    pen.setWidthF(width)
    pen.setStyle(style)
    return pen


def paint_block(p: QPainter, b: Block) -> None:
    base = QColor(b.colour)
    rect = QRectF(b.x0, b.y0, max(b.x1 - b.x0, 0.0), b.height)
    p.setPen(_pen(base.darker(140)))
    p.setBrush(QBrush(lighter(base) if b.hatched else base))
    p.drawRect(rect)
    if b.hatched:
        hatch = QBrush(base.darker(115), Qt.BrushStyle.BDiagPattern)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(hatch)
        p.drawRect(rect)


class LaneItem(pg.GraphicsObject):  # type: ignore[misc]  # pyqtgraph is untyped
    builds = 0  # class-wide count of picture rebuilds (tests, benchmark)

    def __init__(self, lane: Lane, host: Host) -> None:
        super().__init__()
        self.host = host
        self.lane = lane
        self.picture = QPicture()
        self._drag: tuple[str, Block | None, float, float] | None = None
        self.setAcceptHoverEvents(True)
        self._build()

    def set_lane(self, lane: Lane) -> None:
        """New data: rebuild the picture only when it differs from what is drawn."""
        if lane == self.lane:
            return
        self.prepareGeometryChange()
        self.lane = lane
        self._build()
        self.update()

    def _build(self) -> None:
        LaneItem.builds += 1
        lane, axis = self.lane, self.host.axis
        picture = QPicture()
        p = QPainter(picture)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(LANE_BG[lane.index % 2]))
        p.drawRect(QRectF(0, lane.top, axis.length, LANE_H))
        if lane.window:
            lo, hi = lane.window
            p.setBrush(QColor(WINDOW_BG))
            p.drawRect(QRectF(lo, lane.top + 4, hi - lo, LANE_H - 8))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(_pen(GAP_PEN, 1.0, Qt.PenStyle.DashLine))
        for x0, x1 in lane.gaps:
            p.drawRect(QRectF(x0, lane.top + 10, x1 - x0, 56))
        for b in (*lane.blocks, *lane.untimed):
            if not b.running:
                paint_block(p, b)
        p.end()
        self.picture = picture

    def paint(self, p: QPainter, *args: Any) -> None:
        p.drawPicture(0, 0, self.picture)

    def boundingRect(self) -> QRectF:
        return QRectF(self.picture.boundingRect())

    # ------------------------------------------------------------- mouse

    def hoverEvent(self, ev: Any) -> None:
        if ev.isExit():
            self.host.hovered(self.lane, None)
            return
        pos = ev.pos()
        self.host.hovered(self.lane, self.lane.block_at(pos.x(), pos.y()))

    def mouseClickEvent(self, ev: Any) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        pos = ev.pos()
        block = self.lane.block_at(pos.x(), pos.y())
        if block is not None:
            ev.accept()
            self.host.clicked(self.lane, block)

    def edge_at(self, x: float, y: float) -> tuple[Block, str] | None:
        """A closed timed block whose start or end is within a few pixels of ``x``."""
        tolerance = EDGE_PX * (self.pixelWidth() or 1.0)
        for b in self.lane.blocks:
            if b.running or not b.y0 <= y <= b.y0 + b.height:
                continue
            if abs(x - b.x0) <= tolerance:
                return b, "start"
            if abs(x - b.x1) <= tolerance:
                return b, "end"
        return None

    def mouseDragEvent(self, ev: Any) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or not self.lane.editable:
            ev.ignore()
            return
        axis = self.host.axis
        if ev.isStart():
            down = ev.buttonDownPos()
            edge = self.edge_at(down.x(), down.y())
            if edge is not None:
                grabbed, side = edge
                self._drag = (side, grabbed, grabbed.x0, grabbed.x1)
            else:
                free = self.lane.free_range(down.x())
                if free is None:
                    ev.ignore()
                    return
                self._drag = ("log", None, max(free[0], 0.0), min(free[1], axis.length))
        if self._drag is None:
            ev.ignore()
            return
        ev.accept()
        which, block, lo, hi = self._drag
        x = axis.snap(ev.pos().x())
        if which == "start":
            x0, x1 = min(x, hi - 60), hi
        elif which == "end":
            x0, x1 = lo, max(x, lo + 60)
        else:
            start = axis.snap(ev.buttonDownPos().x())
            x0, x1 = sorted((start, x))
            x0, x1 = max(x0, lo), min(x1, hi)
        if ev.isFinish():
            self._drag = None
            self.host.drag_preview(self.lane, 0, 0)
            if x1 > x0:
                self.host.drag_done(self.lane, block, which, x0, x1)
        else:
            self.host.drag_preview(self.lane, x0, x1)


class RunningItem(pg.GraphicsObject):  # type: ignore[misc]
    """The running timer's block, from its start to now (moved by :meth:`grow`)."""

    def __init__(self, block: Block) -> None:
        super().__init__()
        self.block = block
        self.x1 = block.x1
        self.setZValue(5)

    def grow(self, x1: float) -> None:
        if x1 != self.x1:
            self.prepareGeometryChange()
            self.x1 = x1
            self.update()

    def boundingRect(self) -> QRectF:
        b = self.block
        return QRectF(b.x0, b.y0, max(self.x1 - b.x0, 0.0), b.height)

    def paint(self, p: QPainter, *args: Any) -> None:
        b = self.block
        paint_block(p, replace(b, x1=self.x1))
        p.setPen(_pen("#111111", 2.0))
        p.drawLine(QPointF(self.x1, b.y0), QPointF(self.x1, b.y0 + b.height))


class HourAxis(pg.AxisItem):  # type: ignore[misc]
    """Local wall-clock ticks computed from the day's instants (not DateAxisItem)."""

    def __init__(self, axis: DayAxis, orientation: str = "bottom") -> None:
        super().__init__(orientation)
        self.day_axis = axis
        self.enableAutoSIPrefix(False)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:
        span = max(maxVal - minVal, 1.0)
        step = DayAxis.tick_step(span / max(size, 1.0))
        major = [x for x, _ in self.day_axis.ticks(minVal, maxVal, step)]
        finer = step // 4 if step >= 60 else 0
        minor = (
            [x for x, _ in self.day_axis.ticks(minVal, maxVal, finer) if x not in major]
            if finer >= 15
            else []
        )
        self._major = step * 60.0
        return [(step * 60.0, major), (max(finer, 1) * 60.0, minor)]

    _major = 3600.0

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if spacing < self._major:  # minor ticks: a mark, no label
            return ["" for _ in values]
        return [self.day_axis.local(v).strftime("%H:%M") for v in values]
