"""Shared by the window tests: mouse gestures on a pyqtgraph plot in data
coordinates (QTest can't keep a button held across moves, so the events are
sent as they are), the timeline fixture day, and the hand-computed reports
fixture (tests/unit/reports_world.py, loaded from its file)."""

from __future__ import annotations

import importlib.util
import time as time_module
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

_spec = importlib.util.spec_from_file_location(
    "reports_world_ui", Path(__file__).resolve().parents[2] / "unit" / "reports_world.py"
)
assert _spec is not None and _spec.loader is not None
world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(world)
NOW = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # the reports fixture's clock

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.MouseButton.NoButton

# Tuesday 2026-11-24 in Berlin (the app fixture's profile).
DAY = date(2026, 11, 24)
H = 3600


def widget_point(plot: Any, x: float, y: float) -> QPoint:
    scene = plot.view.mapViewToScene(QPointF(x, y))
    return plot.mapFromScene(scene)


def _send(plot: Any, kind: QEvent.Type, at: QPoint, button: Any, buttons: Any) -> None:
    if kind == QEvent.Type.MouseMove:
        time_module.sleep(0.012)  # pyqtgraph drops moves closer than 10 ms (mouseRateLimit)
    viewport = plot.viewport()
    local = QPointF(at)
    event = QMouseEvent(
        kind,
        local,
        QPointF(viewport.mapToGlobal(at)),
        button,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, event)
    QApplication.processEvents()


def move(plot: Any, x: float, y: float) -> None:
    _send(plot, QEvent.Type.MouseMove, widget_point(plot, x, y), NONE, NONE)


def click(plot: Any, x: float, y: float) -> None:
    at = widget_point(plot, x, y)
    _send(plot, QEvent.Type.MouseMove, at, NONE, NONE)
    _send(plot, QEvent.Type.MouseButtonPress, at, LEFT, LEFT)
    _send(plot, QEvent.Type.MouseButtonRelease, at, LEFT, NONE)


def drag(plot: Any, x0: float, x1: float, y: float, steps: int = 6) -> None:
    start = widget_point(plot, x0, y)
    _send(plot, QEvent.Type.MouseMove, start, NONE, NONE)
    _send(plot, QEvent.Type.MouseButtonPress, start, LEFT, LEFT)
    for i in range(1, steps + 1):
        x = x0 + (x1 - x0) * i / steps
        _send(plot, QEvent.Type.MouseMove, widget_point(plot, x, y), NONE, LEFT)
    _send(plot, QEvent.Type.MouseButtonRelease, widget_point(plot, x1, y), LEFT, NONE)


def fixture_day(app: Any) -> dict[str, str]:
    """ACME › Server migration › #4521 09:00–10:30 (billable), Northwind
    (internal) 10:30–11:00, Globex 13:00–14:00 non-billable, and an untimed
    1:00 on Globex — Tuesday 24 November 2026."""
    t = app.tracking
    ids = {
        "acme": t.log(
            None,
            day=DAY,
            task="4521",
            start=time(9),
            end=time(10, 30),
            description="Cutover rehearsal for DC01",
        ).entry.id,
        "internal": t.log(
            None,
            day=DAY,
            customer="Northwind",
            start=time(10, 30),
            end=time(11),
            description="Team stand-up meeting",
        ).entry.id,
        "globex": t.log(
            None,
            day=DAY,
            customer="Globex",
            start=time(13),
            end=time(14),
            billable=False,
            description="Goodwill visit to the office",
        ).entry.id,
        "untimed": t.log(
            None, day=DAY, customer="Globex", duration_s=H, description="Phone support for printers"
        ).entry.id,
    }
    return ids
