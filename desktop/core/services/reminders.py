"""Reminders: what a technician should be told, and when.

The tray's scheduler asks these questions; the answers hold no Qt and are
decided here so the CLI, tests and any future front end agree.

Rules:
* **Not tracking**: on a working day (scheduled hours > 0), inside the working
  window, no timer has run for ``not_tracking_min`` minutes (counted from the
  later of the last stop and the start of the working window). Offers "continue
  last".
* **Long timer**: a timer has been running for ``long_timer_h`` hours or more.
* **End of day**: at the end of the working window on a working day — "logged
  5:30 of 8:00".
* **End of week**: from the chosen weekday and time on, while the week's
  timesheet is not submitted or approved.
* Every reminder can be switched off; none fires without a profile. Each answer
  carries a ``key``: the tray shows a reminder once per key (one not-tracking
  nudge per gap, one long-timer warning per entry, one per day / week).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from desktop.core.durations import format_duration
from desktop.core.model import Timesheet
from desktop.core.services.common import Service, profile_user_id
from desktop.core.services.directory import DirectoryService
from desktop.core.services.preferences import PreferencesService, Settings
from desktop.core.services.tracking import TrackingService
from desktop.core.timeutil import format_week, local_to_utc, week_start, work_date

# What clicking the notification opens.
CONTINUE_LAST = "continue_last"
OPEN_POPUP = "open_popup"
LOG_TIME = "log_time"
TIMESHEET = "timesheet"


@dataclass(frozen=True)
class Reminder:
    kind: str
    key: str
    title: str
    message: str
    action: str


class ReminderService(Service):
    def _context(self) -> tuple[str, str, tuple[int, ...], Settings] | None:
        with self.db.read() as s:
            if profile_user_id(s) is None:
                return None
        profile = DirectoryService(self.db, self.now).profile()
        if profile is None:
            return None
        settings = PreferencesService(self.db, self.now).settings()
        return profile.id, profile.timezone, profile.work_schedule_s, settings

    def not_tracking(self) -> Reminder | None:
        ctx = self._context()
        if ctx is None:
            return None
        user_id, tz, schedule, settings = ctx
        if not settings.remind_not_tracking:
            return None
        now = self.now()
        day = work_date(now, tz)
        if schedule[day.weekday()] <= 0:
            return None
        window_start = local_to_utc(day, settings.workday_start_time, tz)
        window_end = local_to_utc(day, settings.workday_end_time, tz)
        if not window_start <= now < window_end:
            return None
        tracking = TrackingService(self.db, self.now)
        if tracking.running(user_id) is not None:
            return None
        last = tracking.last_stopped(user_id)
        since = window_start
        if last is not None and last.ended_at is not None and last.ended_at > since:
            since = last.ended_at
        gap = now - since
        if gap < timedelta(minutes=settings.not_tracking_min):
            return None
        what = f" Continue {last.path}?" if last is not None else ""
        return Reminder(
            "not_tracking",
            f"not_tracking:{since.isoformat()}",
            "No timer running",
            f"You haven't tracked time for {format_duration(int(gap.total_seconds()))}.{what}",
            CONTINUE_LAST if last is not None else OPEN_POPUP,
        )

    def long_timer(self) -> Reminder | None:
        ctx = self._context()
        if ctx is None:
            return None
        user_id, _tz, _schedule, settings = ctx
        if not settings.remind_long_timer:
            return None
        running = TrackingService(self.db, self.now).running(user_id)
        if running is None:
            return None
        elapsed = running.elapsed_s(self.now())
        if elapsed < settings.long_timer_h * 3600:
            return None
        return Reminder(
            "long_timer",
            f"long_timer:{running.id}",
            "Timer still running",
            f"{running.path} has been running for {format_duration(elapsed)}. Forgot to stop it?",
            OPEN_POPUP,
        )

    def end_of_day(self) -> Reminder | None:
        ctx = self._context()
        if ctx is None:
            return None
        user_id, tz, schedule, settings = ctx
        if not settings.remind_end_of_day:
            return None
        now = self.now()
        day = work_date(now, tz)
        planned = schedule[day.weekday()]
        if planned <= 0 or now < local_to_utc(day, settings.workday_end_time, tz):
            return None
        logged = TrackingService(self.db, self.now).day_total_s(user_id, day)
        return Reminder(
            "end_of_day",
            f"end_of_day:{day.isoformat()}",
            "End of the day",
            f"You logged {format_duration(logged)} of {format_duration(planned)} today.",
            LOG_TIME,
        )

    def end_of_week(self, first_weekday: int | None = None) -> Reminder | None:
        ctx = self._context()
        if ctx is None:
            return None
        user_id, tz, _schedule, settings = ctx
        if not settings.remind_end_of_week:
            return None
        now = self.now()
        day = work_date(now, tz)
        fwd = DirectoryService(self.db, self.now).user(user_id).first_weekday
        start = week_start(day, fwd if first_weekday is None else first_weekday)
        due_day = start + timedelta(days=(settings.end_of_week_weekday - start.weekday()) % 7)
        if now < local_to_utc(due_day, settings.end_of_week_clock, tz):
            return None
        with self.db.read() as s:
            status = s.scalar(
                select(Timesheet.status).where(
                    Timesheet.user_id == user_id,
                    Timesheet.week_start == start,
                    Timesheet.deleted_at.is_(None),
                )
            )
        if status in ("submitted", "approved"):
            return None
        return Reminder(
            "end_of_week",
            f"end_of_week:{start.isoformat()}",
            "Submit your timesheet",
            f"Week {format_week(start)} is not submitted yet.",
            TIMESHEET,
        )

    def due(self) -> list[Reminder]:
        """Every reminder that applies right now."""
        found = [self.not_tracking(), self.long_timer(), self.end_of_day(), self.end_of_week()]
        return [r for r in found if r is not None]
