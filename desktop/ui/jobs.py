"""Running service calls off the GUI thread (the Anki ``QueryOp`` habit).

A job is a plain callable that talks to ``desktop.core`` only — never to a
widget. Its result (or its exception) comes back to the GUI thread through a
queued Qt signal, where the callbacks run. Writes are serialized on one worker
thread, so two clicks can't race each other inside this process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from desktop.ui.qtcompat import emit

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives in the GUI thread; a worker emits, Qt queues, the slot runs here."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, on_done: Done | None, on_error: Failed | None,
                 forget: Callable[[_Relay], None]) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self._forget = forget
        self.done.connect(self._deliver)
        self.failed.connect(self._fail)

    @Slot(object)
    def _deliver(self, result: object) -> None:
        self._forget(self)
        if self._on_done is not None:
            self._on_done(result)

    @Slot(object)
    def _fail(self, exc: object) -> None:
        self._forget(self)
        assert isinstance(exc, BaseException)
        if self._on_error is not None:
            self._on_error(exc)
        else:
            raise exc


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # handed to the GUI thread, which decides how to show it
            emit(self._relay.failed, exc)
        else:
            emit(self._relay.done, result)


class JobRunner(QObject):
    """Runs jobs one at a time on a worker thread; results return by signal."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._live: set[_Relay] = set()

    def run(self, fn: Callable[[], Any], on_done: Done | None = None,
            on_error: Failed | None = None) -> None:
        relay = _Relay(on_done, on_error, self._live.discard)
        self._live.add(relay)
        self._pool.start(_Job(fn, relay))

    @property
    def busy(self) -> bool:
        return bool(self._live)

    def wait(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)
