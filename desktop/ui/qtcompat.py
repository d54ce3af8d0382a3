"""Work-arounds for bugs in the Qt binding we run on.

PySide6 6.12's ``SignalInstance.emit()`` returns ``True`` without taking a
reference to it, so every signal emitted from Python lowers the refcount of
``True`` by one. A tray app emits a heartbeat every second: within hours the
interpreter aborts with "bool_dealloc: deallocating True". :func:`emit` emits
and, only where a probe at import time shows the leak, gives the reference back.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _emit_steals_true() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.ping.emit()
    leaked = before - sys.getrefcount(True)
    for _ in range(max(0, leaked)):
        _incref(True)  # undo the probe's own damage
    return leaked >= 8


EMIT_STEALS_TRUE = _emit_steals_true()


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)`` without the refcount leak on affected versions."""
    untyped: Any = signal  # the stubs say emit() returns None; it returns a bool
    result = untyped.emit(*args)
    if EMIT_STEALS_TRUE and result is True:
        _incref(True)


_true_floor = 0
TRUE_CUSHION = 20_000


def keep_true_alive() -> None:
    """Give back what other libraries' ``emit()`` calls took from ``True``.

    pyqtgraph emits its own signals (range changes, mouse moves) through the
    same leaking ``SignalInstance.emit``, out of :func:`emit`'s reach. Windows
    that host pyqtgraph call this after drawing, on mouse moves and every
    second: it keeps ``True``'s reference count at least at the highest it was
    seen at (the first time plus a cushion). Topping up a count that
    legitimately fell only keeps ``True`` referenced a little more — it is
    never freed anyway."""
    global _true_floor
    if not EMIT_STEALS_TRUE:
        return
    now = sys.getrefcount(True)
    _true_floor = max(_true_floor, now + (TRUE_CUSHION if _true_floor == 0 else 0))
    for _ in range(max(0, _true_floor - now)):
        _incref(True)
