"""Background sync on APScheduler 3.x: never a busy loop.

A :class:`SyncScheduler` runs one round (``run_round``, normally
``SyncEngine.sync_once``) in a ``BackgroundScheduler`` job:

* every ``interval_s`` (5 minutes by default);
* after a local change, debounced (``local_change()``; a burst of edits makes
  one round ``debounce_s`` after the last);
* on resume from sleep: a light heartbeat job notices the wall clock jumping
  ahead of the monotonic schedule (``resumed()`` may also be called by the
  platform's own sleep/resume hook);
* on network regained: while the last round was offline the heartbeat probes
  the server with a plain TCP connect and syncs when it answers
  (``network_changed(True)`` may also be called by the UI);
* on demand (``sync_now()``, the tray's "Sync now": ignores item backoff).

All round jobs share one job id with ``coalesce``, ``max_instances=1`` and a
generous ``misfire_grace_time``, so rounds never overlap or pile up. Each
result is handed to ``on_result`` — the UI wraps it in a Qt signal to reach the
GUI thread; nothing here imports Qt.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from apscheduler.schedulers.background import BackgroundScheduler

from desktop.core.db import Database
from desktop.core.timeutil import utcnow
from sync.client.engine import SyncReport

log = logging.getLogger(__name__)

INTERVAL_S = 300
DEBOUNCE_S = 10
HEARTBEAT_S = 30
MISFIRE_GRACE_S = 3600
ROUND_JOB = "sync-round"
PERIODIC_JOB = "sync-periodic"
HEARTBEAT_JOB = "sync-heartbeat"

RoundFn = Callable[[bool], SyncReport]


def reachable(server_url: str, timeout_s: float = 2.0) -> bool:
    """A TCP connect to the server's host and port (no request is sent)."""
    parts = urlsplit(server_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout_s):
            return True
    except OSError:
        return False


class SyncScheduler:
    @classmethod
    def for_database(
        cls,
        db: Database,
        on_result: Callable[[SyncReport], None] | None = None,
        **kw: Any,
    ) -> SyncScheduler:
        """The scheduler the tray runs: rounds for the folder's logged-in device
        (a round while logged out reports "not logged in" and touches nothing)."""
        from sync.client.account import logged_in_url, sync_round

        def run(force: bool) -> SyncReport:
            report = sync_round(db, force=force)
            scheduler.server_url = logged_in_url(db)
            return report

        scheduler = cls(run, on_result, server_url=logged_in_url(db), **kw)
        return scheduler

    def __init__(
        self,
        run_round: RoundFn,
        on_result: Callable[[SyncReport], None] | None = None,
        *,
        server_url: str | None = None,
        interval_s: float = INTERVAL_S,
        debounce_s: float = DEBOUNCE_S,
        heartbeat_s: float = HEARTBEAT_S,
        probe: Callable[[str], bool] = reachable,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.run_round = run_round
        self.on_result = on_result
        self.server_url = server_url
        self.interval_s = interval_s
        self.debounce_s = debounce_s
        self.heartbeat_s = heartbeat_s
        self.probe = probe
        self.clock = clock
        self.last: SyncReport | None = None
        self.rounds = 0
        self._lock = threading.Lock()
        self._again: tuple[bool] | None = None
        self._beat_wall = time.time()
        self._beat_mono = time.monotonic()
        self._scheduler = BackgroundScheduler(
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_S,
            },
            timezone="UTC",
        )

    # -------------------------------------------------------------- control

    def start(self, *, sync_at_start: bool = True) -> None:
        self._scheduler.add_job(
            self._round, "interval", seconds=self.interval_s, id=PERIODIC_JOB, args=[False]
        )
        self._scheduler.add_job(
            self._heartbeat, "interval", seconds=self.heartbeat_s, id=HEARTBEAT_JOB
        )
        self._scheduler.start()
        if sync_at_start:
            self.sync_now(force=False)

    def shutdown(self, wait: bool = True) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def sync_now(self, *, force: bool = True) -> None:
        """One round as soon as possible (on demand)."""
        self._schedule(0.0, force)

    def local_change(self) -> None:
        """Something was written locally: sync ``debounce_s`` after the last change."""
        self._schedule(self.debounce_s, False)

    def resumed(self) -> None:
        """The machine woke up from sleep."""
        self._reset_beat()
        self._schedule(0.0, False)

    def network_changed(self, online: bool) -> None:
        if online:
            self._schedule(0.0, False)

    # ------------------------------------------------------------- internals

    def _schedule(self, delay_s: float, force: bool) -> None:
        if not self._scheduler.running:
            return
        when = datetime.now().astimezone() + timedelta(seconds=delay_s)
        self._scheduler.add_job(
            self._round,
            "date",
            run_date=when,
            id=ROUND_JOB,
            replace_existing=True,
            args=[force],
        )

    def _round(self, force: bool) -> None:
        if not self._lock.acquire(blocking=False):
            # A round is running (another trigger): run once more right after it,
            # so a change made during the round is not left for the next interval.
            self._again = self._again or (force,)
            return
        self._again = None
        try:
            try:
                report = self.run_round(force)
            except Exception as exc:  # a bug must not kill the scheduler thread
                log.exception("sync round failed")
                report = SyncReport(error=f"sync failed: {exc}", at=self.clock())
            self.last = report
            self.rounds += 1
        finally:
            self._lock.release()
        if self.on_result is not None:
            try:
                self.on_result(report)
            except Exception:
                log.exception("sync result callback failed")
        again, self._again = self._again, None
        if again is not None:
            self._schedule(0.0, again[0])

    def _reset_beat(self) -> None:
        self._beat_wall, self._beat_mono = time.time(), time.monotonic()

    def _heartbeat(self) -> None:
        wall, mono = time.time(), time.monotonic()
        # Suspend stops the monotonic clock but not the wall clock.
        slept = (wall - self._beat_wall) - (mono - self._beat_mono) > self.heartbeat_s
        self._reset_beat()
        if slept:
            self.resumed()
            return
        last = self.last
        if last is not None and last.offline and self.server_url and self.probe(self.server_url):
            self.network_changed(True)
