"""Reminders: the core decides with a fake clock; the scheduler's jobs hand each
reminder to the GUI thread once; the APScheduler jobs are configured as asked."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from desktop.core.services import reminders as r
from desktop.ui.reminders import ReminderScheduler


def at(hour: int, minute: int = 0, day: int = 25) -> datetime:
    """Berlin wall-clock time (UTC+1 in November) on a day of 2026-11 (25th: Wednesday)."""
    return datetime(2026, 11, day, hour - 1, minute, tzinfo=UTC)


def set_clock(clock: Any, when: datetime) -> None:
    clock.set(when)


def test_not_tracking_inside_working_hours(app: Any, clock: Any) -> None:
    set_clock(clock, at(9, 14))
    assert app.reminders.not_tracking() is None  # 14 min into the day
    set_clock(clock, at(9, 15))
    rem = app.reminders.not_tracking()
    assert rem is not None and rem.action == r.OPEN_POPUP  # nothing to continue yet
    assert "0:15" in rem.message
    set_clock(clock, at(8, 50))
    assert app.reminders.not_tracking() is None  # before the working day
    set_clock(clock, at(18, 0))
    assert app.reminders.not_tracking() is None  # after it


def test_not_tracking_counts_from_the_last_stop_and_offers_continue(app: Any,
                                                                     clock: Any) -> None:
    set_clock(clock, at(10))
    app.tracking.start(None, task="4521", at=at(9))
    assert app.reminders.not_tracking() is None  # tracking
    app.tracking.stop(None)
    set_clock(clock, at(10, 14))
    assert app.reminders.not_tracking() is None
    set_clock(clock, at(10, 15))
    rem = app.reminders.not_tracking()
    assert rem.action == r.CONTINUE_LAST and "Continue ACME › Server migration › #4521" in \
        rem.message


def test_no_reminder_on_a_day_off_or_when_switched_off(app: Any, clock: Any) -> None:
    set_clock(clock, at(11, day=28))  # Saturday
    assert app.reminders.not_tracking() is None
    set_clock(clock, at(11))
    s = app.preferences.settings()
    app.preferences.save_settings(replace(s, remind_not_tracking=False))
    assert app.reminders.not_tracking() is None


def test_long_timer(app: Any, clock: Any) -> None:
    set_clock(clock, at(8))
    app.tracking.start(None, customer="Globex")
    set_clock(clock, at(16, 59))
    assert app.reminders.long_timer() is None
    set_clock(clock, at(17))
    rem = app.reminders.long_timer()
    assert rem is not None and "9:00" in rem.message


def test_end_of_day(app: Any, clock: Any) -> None:
    app.tracking.log(None, day=at(9).date(), customer="Globex", duration_s=5 * 3600 + 1800,
                     description="quarterly network review")
    set_clock(clock, at(17, 29))
    assert app.reminders.end_of_day() is None
    set_clock(clock, at(17, 30))
    rem = app.reminders.end_of_day()
    assert rem.message == "You logged 5:30 of 8:00 today."
    assert rem.action == r.LOG_TIME


def test_end_of_week_until_submitted(app: Any, clock: Any) -> None:
    set_clock(clock, at(15, 59, day=27))  # Friday
    assert app.reminders.end_of_week() is None
    set_clock(clock, at(16, 0, day=27))
    rem = app.reminders.end_of_week()
    assert rem is not None and rem.action == r.TIMESHEET and "2026-W48" in rem.message
    app.tracking.log(None, day=at(9, day=23).date(), customer="Globex", duration_s=3600,
                     description="Patched the Exchange server and rebooted it")
    app.timesheets.submit(None, at(9, day=23).date())
    assert app.reminders.end_of_week() is None


def test_jobs_emit_each_reminder_once_on_the_gui_thread(qtbot: Any, app: Any,
                                                        clock: Any) -> None:
    sched = ReminderScheduler(app)
    got: list[r.Reminder] = []
    sched.due.connect(got.append)
    set_clock(clock, at(9, 30))
    sched.check_minutely()
    sched.check_minutely()
    assert [x.kind for x in got] == ["not_tracking"]
    set_clock(clock, at(17, 30))
    sched.check_end_of_day()
    sched.check_end_of_day()
    set_clock(clock, at(16, 0, day=27))
    sched.check_end_of_week()
    assert [x.kind for x in got] == ["not_tracking", "end_of_day", "end_of_week"]


def test_scheduler_jobs_follow_the_settings(qtbot: Any, app: Any) -> None:
    sched = ReminderScheduler(app)
    sched.start()
    try:
        jobs = {j.id: j for j in sched.jobs}
        assert set(jobs) == {"minutely", "end_of_day", "end_of_week"}
        for job in jobs.values():
            assert job.coalesce is True and job.max_instances == 1
            assert job.misfire_grace_time >= 600
        assert "hour='17', minute='30'" in str(jobs["end_of_day"].trigger)
        assert "day_of_week='4', hour='16', minute='0'" in str(jobs["end_of_week"].trigger)
        s = app.preferences.settings()
        app.preferences.save_settings(replace(s, remind_end_of_day=False,
                                              remind_not_tracking=False,
                                              remind_long_timer=False))
        sched.reschedule()
        assert {j.id for j in sched.jobs} == {"end_of_week"}
    finally:
        sched.shutdown()


def test_a_job_from_the_scheduler_thread_reaches_the_gui_thread(qtbot: Any, app: Any,
                                                                 clock: Any) -> None:
    import threading

    sched = ReminderScheduler(app)
    set_clock(clock, at(9, 30))
    with qtbot.waitSignal(sched.due, timeout=3000) as blocker:
        threading.Thread(target=sched.check_minutely).start()
    assert blocker.args[0].kind == "not_tracking"
