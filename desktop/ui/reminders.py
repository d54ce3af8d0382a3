"""Reminder jobs on an APScheduler 3.x BackgroundScheduler.

The jobs run on the scheduler's thread and only ask the core
(:class:`desktop.core.services.reminders.ReminderService`) what is due; a due
reminder is handed to the GUI thread through the ``due`` Qt signal, where the
tray shows it. Each reminder is shown once per key (see the core rule).

Jobs: a check every minute for "not tracking" and "long timer" (both need a
fresh look at the clock), and cron jobs at the end of the working day and at
the end-of-week time. All have ``coalesce=True`` (a missed run is run once, not
many times after a sleep), a generous ``misfire_grace_time`` and
``max_instances=1``. Settings changes reschedule the jobs.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.core.app import Punchclock
from desktop.core.errors import PunchclockError
from desktop.core.services.reminders import Reminder
from desktop.ui.qtcompat import emit

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": 15 * 60, "max_instances": 1}


class ReminderScheduler(QObject):
    due = Signal(object)  # a desktop.core.services.reminders.Reminder, on the GUI thread

    def __init__(self, app: Punchclock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self._shown: set[str] = set()
        self._lock = threading.Lock()
        self._scheduler: Any = None

    # ------------------------------------------------------------ the jobs

    def _emit_once(self, reminder: Reminder | None) -> None:
        if reminder is None:
            return
        with self._lock:
            if reminder.key in self._shown:
                return
            self._shown.add(reminder.key)
        log.info("reminder: %s", reminder.kind)
        emit(self.due, reminder)

    def check_minutely(self) -> None:
        try:
            self._emit_once(self.app.reminders.not_tracking())
            self._emit_once(self.app.reminders.long_timer())
        except PunchclockError as exc:
            log.warning("reminder check failed: %s", exc.message)

    def check_end_of_day(self) -> None:
        try:
            self._emit_once(self.app.reminders.end_of_day())
        except PunchclockError as exc:
            log.warning("end-of-day reminder failed: %s", exc.message)

    def check_end_of_week(self) -> None:
        try:
            self._emit_once(self.app.reminders.end_of_week())
        except PunchclockError as exc:
            log.warning("end-of-week reminder failed: %s", exc.message)

    # ---------------------------------------------------------- scheduling

    def start(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._scheduler = BackgroundScheduler(job_defaults=JOB_DEFAULTS, daemon=True)
        self.reschedule()
        self._scheduler.start()

    def reschedule(self) -> None:
        """(Re)create the jobs from the current settings and profile timezone."""
        if self._scheduler is None:
            return
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        settings = self.app.preferences.settings()
        profile = self.app.directory.profile()
        tz = profile.timezone if profile else "UTC"
        sched = self._scheduler
        sched.remove_all_jobs()
        if settings.remind_not_tracking or settings.remind_long_timer:
            sched.add_job(self.check_minutely, IntervalTrigger(minutes=1), id="minutely")
        if settings.remind_end_of_day:
            end = settings.workday_end_time
            sched.add_job(self.check_end_of_day, CronTrigger(
                day_of_week="mon-sun", hour=end.hour, minute=end.minute, timezone=tz),
                id="end_of_day")
        if settings.remind_end_of_week:
            at = settings.end_of_week_clock
            sched.add_job(self.check_end_of_week, CronTrigger(
                day_of_week=settings.end_of_week_weekday, hour=at.hour, minute=at.minute,
                timezone=tz), id="end_of_week")

    @property
    def jobs(self) -> list[Any]:
        return list(self._scheduler.get_jobs()) if self._scheduler is not None else []

    def shutdown(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
