"""Work-arounds for bugs in the Qt binding we run on.

PySide6's import hook asks of every module imported after it whether the
module's source mentions PySide6 (to apply ``from __feature__`` selections),
with ``inspect.getsource`` — which keeps the source of every module imported
since in ``linecache``: some 260,000 lines, about 22 MB of the tray app's
resident memory. :func:`read_sources_lightly` answers the same question by
reading the file once and keeping nothing.

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


def _mentions_pyside(module: Any) -> bool:
    """What the binding's check answers — does the module's source contain
    "PySide6"? — from the file itself, with nothing cached. Modules without a
    ``.py`` file (extensions, bytecode only) answer False, as they do there."""
    file = getattr(module, "__file__", None)
    if not isinstance(file, str) or not file.endswith(".py"):
        return False
    try:
        with open(file, "rb") as source:
            return b"PySide6" in source.read()
    except OSError:
        return False


def read_sources_lightly() -> bool:
    """Put :func:`_mentions_pyside` in place of the binding's source check;
    False when this binding has no such check (nothing to replace)."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    setattr(feature, "_mod_uses_pyside", _mentions_pyside)  # noqa: B010  (a private name)
    return True


READS_SOURCES_LIGHTLY = read_sources_lightly()


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)`` without the refcount leak on affected versions."""
    untyped: Any = signal  # the stubs say emit() returns None; it returns a bool
    result = untyped.emit(*args)
    if EMIT_STEALS_TRUE and result is True:
        _incref(True)



_floors: dict[int, int] = {}
CUSHION = 20_000
_SINGLETONS = (True, False, None)


def keep_true_alive() -> None:
    """Give back the references to ``True``, ``False`` and ``None`` that
    pyqtgraph's drawing takes.

    pyqtgraph emits its own signals (range changes, paints, mouse moves)
    through the leaking ``SignalInstance.emit``, out of :func:`emit`'s reach,
    and on this binding each repaint of a plot also loses references to
    ``None`` (about three per ``grab()``; measured, cause inside the binding).
    Windows that host pyqtgraph call this after drawing, on mouse moves and
    every second: it keeps each count at least at the highest it was seen at
    (the first time plus a cushion). Topping up a count that legitimately
    fell only keeps the object referenced a little more — these three are
    never freed anyway."""
    for obj in _SINGLETONS:
        now = sys.getrefcount(obj)
        key = id(obj)
        floor = max(_floors.get(key, now + CUSHION), now)
        _floors[key] = floor
        for _ in range(floor - now):
            _incref(obj)
