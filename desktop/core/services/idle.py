"""What happens to time spent away while a timer ran.

The user went idle at ``idle_start`` (never taken before the timer's own start)
and came back at ``back``. Their choice:

* ``keep`` — nothing changes; the idle time stays on the running timer;
* ``discard`` — the timer stops at the idle start;
* ``discard_continue`` — stop at the idle start, start again at ``back`` on the
  same customer/project/task with the same description and billable flag;
* ``assign`` — stop at the idle start, log the idle span (source
  ``idle-split``) on another customer/project/task, and continue the original
  work at ``back``. A span that crosses local midnight becomes one entry per
  local day, split exactly at midnight.

All of it is one transaction: a refusal (a locked week, a day over 24 h, an
unknown customer) leaves the running timer exactly as it was.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from desktop.core import dto, outbox
from desktop.core.errors import NotFound, ValidationError
from desktop.core.model import TimeEntry, User
from desktop.core.services.common import Service, require_user, to_entry
from desktop.core.services.entries import (
    Target,
    add_entry,
    check_day_total,
    check_week_open,
    finish,
    resolve_target,
    running_timer,
    target_of,
    whole_seconds,
)
from desktop.core.timeutil import day_bounds_utc, work_date

KEEP = "keep"
DISCARD = "discard"
DISCARD_CONTINUE = "discard_continue"
ASSIGN = "assign"
IDLE_CHOICES = (KEEP, DISCARD, DISCARD_CONTINUE, ASSIGN)

OtherTarget = tuple[str, str | None, str | None]


class IdleService(Service):
    def resolve(
        self,
        user_id: str | None,
        choice: str,
        *,
        idle_start: datetime,
        back: datetime,
        other: OtherTarget | None = None,
        description: str = "",
    ) -> list[dto.SavedEntry]:
        """Apply the user's choice for the idle span; returns every entry written."""
        if choice not in IDLE_CHOICES:
            raise ValidationError(f'unknown idle choice "{choice}"')
        if choice == ASSIGN and (other is None or not any(other)):
            raise ValidationError("choose the customer the idle time goes to")
        now = whole_seconds(self.now())
        back = min(whole_seconds(back), now)
        with self.db.write() as s:
            user = require_user(s, user_id)
            timer = running_timer(s, user.id)
            if timer is None:
                raise NotFound("no timer is running")
            if choice == KEEP:
                return []
            assert timer.started_at is not None
            start = max(whole_seconds(idle_start), timer.started_at)
            if back < start:
                raise ValidationError("the return is before the idle start")
            check_week_open(s, user, timer.work_date)
            finish(timer, start)
            outbox.record(s, timer, "update", fields=["ended_at", "duration_s"])
            written = [dto.SavedEntry(to_entry(s, timer))]
            if choice == ASSIGN:
                assert other is not None
                target = resolve_target(s, *other)
                for row in _split_span(s, user, target, start, back, description, now):
                    written.append(dto.SavedEntry(to_entry(s, row)))
            if choice in (DISCARD_CONTINUE, ASSIGN):
                check_week_open(s, user, work_date(back, user.timezone))
                again = add_entry(
                    s,
                    user.id,
                    target_of(s, timer),
                    day=work_date(back, user.timezone),
                    started_at=back,
                    ended_at=None,
                    duration_s=0,
                    description=timer.description,
                    billable=timer.billable,
                    source="timer",
                )
                written.append(dto.SavedEntry(to_entry(s, again)))
            return written


def _split_span(
    s: Session,
    user: User,
    target: Target,
    start: datetime,
    end: datetime,
    description: str,
    now: datetime,
) -> list[TimeEntry]:
    """Timed ``idle-split`` entries covering [start, end), one per local day."""
    rows: list[TimeEntry] = []
    cursor = start
    while cursor < end:
        day = work_date(cursor, user.timezone)
        chunk_end = min(end, day_bounds_utc(day, user.timezone)[1])
        seconds = int((chunk_end - cursor).total_seconds())
        check_week_open(s, user, day)
        check_day_total(s, user.id, day, seconds, now, exclude=None)
        row = add_entry(
            s,
            user.id,
            target,
            day=day,
            started_at=cursor,
            ended_at=chunk_end,
            duration_s=seconds,
            description=description,
            billable=None,
            source="idle-split",
        )
        rows.append(row)
        cursor = chunk_end
    return rows
