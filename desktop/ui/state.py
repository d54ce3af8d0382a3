"""What the tray knows about the tracker, and the actions it can take.

One ``TrackerState`` per process. It reads a :class:`Snapshot` from the core
services (quick local reads on the GUI thread), runs every write off the GUI
thread through :class:`~desktop.ui.jobs.JobRunner`, and notices changes made
by other processes (the CLI) with a 1 s heartbeat that asks SQLite for its
``data_version`` — one pragma, no table read — refreshing only when it moved.
The same heartbeat drives idle detection, so the idle app wakes once a second.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.core import dto
from desktop.core.app import Punchclock
from desktop.core.errors import PunchclockError
from desktop.core.timeutil import work_date
from desktop.ui.jobs import JobRunner
from desktop.ui.qtcompat import emit

log = logging.getLogger(__name__)

HEARTBEAT_MS = 1000


@dataclass(frozen=True)
class Snapshot:
    profile: dto.User | None = None
    running: dto.Entry | None = None
    today: date | None = None
    today_closed_s: int = 0  # today's total without the running timer
    recent: tuple[dto.Combination, ...] = ()
    last_stopped: dto.Entry | None = None
    read_at: datetime | None = field(default=None, compare=False)

    def today_s(self, now: datetime) -> int:
        running = self.running.elapsed_s(now) if self.running else 0
        return self.today_closed_s + running


def _describe(entry: dto.Entry | None) -> str:
    if entry is None or entry.started_at is None:
        return "none running"
    return f"{entry.id} {entry.path} since {entry.started_at.isoformat()}"


class TrackerState(QObject):
    changed = Signal()
    failed = Signal(str)  # a known error (PunchclockError) for the user, one line
    heartbeat = Signal()
    written = Signal()  # a write of this process committed (sync queues a round)

    def __init__(self, app: Punchclock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.runner = JobRunner(self)
        self.snapshot = Snapshot()
        self._data_version: int | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self.tick)

    # ---------------------------------------------------------------- reads

    def now(self) -> datetime:
        return self.app.clock()

    def refresh(self) -> None:
        """Re-read everything the tray shows; emits ``changed`` when it differs."""
        app = self.app
        profile = app.directory.profile()
        if profile is None:
            snap = Snapshot(read_at=self.now())
        else:
            now = self.now()
            today = work_date(now, profile.timezone)
            running = app.tracking.running(profile.id)
            total = app.tracking.day_total_s(profile.id, today)
            if running is not None and running.work_date == today:
                total -= running.elapsed_s(now)
            snap = Snapshot(
                profile=profile,
                running=running,
                today=today,
                today_closed_s=max(0, total),
                recent=tuple(app.tracking.recent(profile.id, limit=5)),
                last_stopped=app.tracking.last_stopped(profile.id),
                read_at=now,
            )
        if snap != self.snapshot:
            before = self.snapshot.running
            if (before.id if before else None) != (snap.running.id if snap.running else None):
                log.info("timer: %s", _describe(snap.running))
            self.snapshot = snap
            emit(self.changed)

    def start_watching(self) -> None:
        self._data_version = self.app.db.data_version()
        self._timer.start()

    def stop_watching(self) -> None:
        self._timer.stop()

    def tick(self) -> None:
        """The heartbeat: refresh when another connection committed or the day rolled."""
        try:
            version = self.app.db.data_version()
            day_rolled = False
            profile = self.snapshot.profile
            if profile is not None and self.snapshot.today is not None:
                day_rolled = work_date(self.now(), profile.timezone) != self.snapshot.today
            if version != self._data_version or day_rolled:
                self._data_version = version
                self.refresh()
        except PunchclockError as exc:
            log.warning("refresh failed: %s", exc.message)
        emit(self.heartbeat)

    # -------------------------------------------------------------- writes

    def run(self, fn: Callable[[Punchclock], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[PunchclockError], None] | None = None) -> None:
        """Run ``fn(app)`` off the GUI thread, then refresh. A known error goes to
        ``on_error`` (inline in a dialog) or else to ``failed`` (a tray message);
        anything else is a bug and reaches the excepthook."""

        def done(result: Any) -> None:
            emit(self.written)
            self.refresh()
            if on_done is not None:
                on_done(result)

        def error(exc: BaseException) -> None:
            if not isinstance(exc, PunchclockError):
                raise exc
            self.refresh()
            if on_error is not None:
                on_error(exc)
            else:
                emit(self.failed, exc.message)

        app = self.app
        self.runner.run(lambda: fn(app), done, error)

    def start(self, combo: dto.Combination | None = None, *, customer: str | None = None,
              project: str | None = None, task: str | None = None, description: str = "",
              billable: bool | None = None, **callbacks: Any) -> None:
        """Start (or switch) the timer; a recent ``combo`` brings its last
        description unless one is given."""
        if combo is not None:
            customer, project, task = combo.customer_id, combo.project_id, combo.task_id
            description = description or combo.description
        self.run(lambda a: a.tracking.start(None, customer=customer, project=project, task=task,
                                            description=description, billable=billable),
                 **callbacks)

    def stop(self, **callbacks: Any) -> None:
        self.run(lambda a: a.tracking.stop(None), **callbacks)

    def continue_last(self, **callbacks: Any) -> None:
        last = self.snapshot.last_stopped
        if last is None:
            emit(self.failed, "nothing to continue yet")
            return
        self.start(customer=last.customer_id, project=last.project_id, task=last.task_id,
                   description=last.description, billable=last.billable, **callbacks)

    def edit_running(self, *, description: str | None = None, billable: bool | None = None,
                     **callbacks: Any) -> None:
        running = self.snapshot.running
        if running is None:
            return
        changes: dict[str, Any] = {}
        if description is not None:
            changes["description"] = description
        if billable is not None:
            changes["billable"] = billable
        self.run(lambda a: a.tracking.edit(None, running.id, **changes), **callbacks)
