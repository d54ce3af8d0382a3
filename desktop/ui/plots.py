"""What every pyqtgraph plot of ours needs: the refcount guard (pyqtgraph's
drawing takes references to ``True`` and ``None`` on this PySide6; see
:func:`desktop.ui.qtcompat.keep_true_alive`), run after every repaint, on
mouse moves and once a second."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QTimer

from desktop.ui.qtcompat import keep_true_alive


class GuardedPlotWidget(pg.PlotWidget):  # type: ignore[misc]  # pyqtgraph is untyped
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep_true_alive()
        self.scene().sigMouseMoved.connect(lambda *_: keep_true_alive())
        self._guard = QTimer(self)
        self._guard.setInterval(1000)
        self._guard.timeout.connect(keep_true_alive)
        self._guard.start()

    def paintEvent(self, ev: Any) -> None:
        super().paintEvent(ev)
        keep_true_alive()
