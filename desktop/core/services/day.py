"""A technician's day as the tray shows it (:meth:`TrackingService.today`).

Rules: the day is the user's local date now; its entries come in time order
(untimed ones last),
each with why it can't be changed (its week is submitted / approved, or it was
exported and the reader is not an admin) and what the description policy says
of it (the entry-time rule, :func:`desktop.core.rules.entry_description_check`;
nothing for a running timer, whose description is still being typed). Totals
are the logged seconds of the day and of its week without the running timer,
whose live time the caller adds (it grows every second); the scheduled hours
are the schedule's less holidays and time off.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.core import dto
from desktop.core.errors import Locked
from desktop.core.model import TimeEntry, User
from desktop.core.rules import entry_description_check
from desktop.core.services.common import select_entries, to_user
from desktop.core.services.company import load_policy
from desktop.core.services.entries import check_not_exported, check_week_open
from desktop.core.services.sheetlist import days_off, week_calendar
from desktop.core.timeutil import format_week, week_start, work_date


def _locks(s: Session, user: User, actor: dto.User, day_entries: list[dto.Entry]) -> dict[str, str]:
    """entry id -> why it can't be changed, for the entries that can't."""
    if not day_entries:
        return {}
    try:
        check_week_open(s, user, day_entries[0].work_date)
    except Locked as exc:
        return {e.id: exc.message for e in day_entries}
    why = {}
    exported = select(TimeEntry).where(
        TimeEntry.id.in_([e.id for e in day_entries]), TimeEntry.exported_at.is_not(None)
    )
    for row in s.scalars(exported):
        try:
            check_not_exported(row, actor)
        except Locked as exc:
            why[row.id] = exc.message
    return why


def read_today(s: Session, user: User, now: datetime) -> dto.Today:
    """The user's day now (see the module rule)."""
    actor = to_user(s, user)
    day = work_date(now, user.timezone)
    start = week_start(day, user.first_weekday)
    week = select_entries(
        s,
        TimeEntry.user_id == user.id,
        TimeEntry.work_date >= start,
        TimeEntry.work_date <= start + timedelta(days=6),
    )
    # timed entries in time order, then the untimed ones (as the submit check lists them)
    mine = sorted(
        (e for e in week if e.work_date == day),
        key=lambda e: (e.started_at is None, e.started_at.timestamp() if e.started_at else 0.0),
    )
    locks = _locks(s, user, actor, mine)
    policy = load_policy(s)
    items = []
    for e in mine:
        check = entry_description_check(
            policy, billable=e.billable, description=e.description, work_date=day
        )
        note = None if e.running else check.refusal or check.warning
        items.append(dto.TodayEntry(e, locks.get(e.id), note))
    [calendar] = week_calendar(actor, day, days_off(s, [user.id], day, day))[:1]
    return dto.Today(
        day=day,
        week=format_week(start),
        entries=tuple(items),
        scheduled_s=calendar.scheduled_s,
        day_closed_s=sum(e.duration_s for e in mine if not e.running),
        week_closed_s=sum(e.duration_s for e in week if not e.running),
        running=next((e for e in week if e.running), None),
    )
