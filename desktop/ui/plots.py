"""What every pyqtgraph plot of ours needs: the ``True`` refcount guard
(pyqtgraph emits its own signals through PySide6's leaking ``emit``; see
:func:`desktop.ui.qtcompat.keep_true_alive`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer

from desktop.ui.qtcompat import keep_true_alive


def guard_true(plot: Any) -> None:
    """Top ``True`` up now, on every mouse move over ``plot`` and every second
    while it exists."""
    keep_true_alive()
    plot.scene().sigMouseMoved.connect(lambda *_: keep_true_alive())
    timer = QTimer(plot)
    timer.setInterval(1000)
    timer.timeout.connect(keep_true_alive)
    timer.start()
