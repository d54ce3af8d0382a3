"""Time-entry building blocks shared by the tracking and grid services: what
the user typed → customer/project/task, spans of local time → UTC instants,
the 24-hour day limit, the week lock and overlap warnings. The rules are
stated in :mod:`desktop.core.services.tracking`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.core import dto, outbox, permissions
from desktop.core.durations import format_duration
from desktop.core.errors import Locked, NotFound, ValidationError
from desktop.core.model import Customer, Project, Task, TimeEntry, Timesheet, User
from desktop.core.outbox import counted
from desktop.core.rules import MAX_DAY_S, entry_description_check
from desktop.core.services.common import (
    find_customer,
    find_project,
    find_task,
    short_id,
    to_entry,
)
from desktop.core.services.company import load_policy
from desktop.core.timeutil import format_week, local_to_utc, week_start, zone
from desktop.core.workflow import Status, check_entry_editable


class Unset(Enum):
    UNSET = "unset"


UNSET: Final = Unset.UNSET
# Runs inside a write transaction before anything changes; raising refuses the write.
Guard = Callable[[Session], None]


@dataclass(frozen=True)
class Target:
    customer: Customer
    project: Project | None
    task: Task | None

    @property
    def billable(self) -> bool:
        for choice in (
            self.task.default_billable if self.task else None,
            self.project.default_billable if self.project else None,
        ):
            if choice is not None:
                return choice
        return self.customer.default_billable


def target_of(s: Session, row: TimeEntry) -> Target:
    """The customer / project / task an existing entry is on."""
    customer = s.get(Customer, row.customer_id)
    assert customer is not None
    return Target(
        customer,
        s.get(Project, row.project_id) if row.project_id else None,
        s.get(Task, row.task_id) if row.task_id else None,
    )


def add_entry(
    s: Session,
    user_id: str,
    target: Target,
    *,
    day: date,
    started_at: datetime | None,
    ended_at: datetime | None,
    duration_s: int,
    description: str,
    billable: bool | None,
    source: str,
) -> TimeEntry:
    """Insert a new entry on ``target`` (billable defaults from it) with its
    outbox row; the caller has checked the rules."""
    row = TimeEntry(
        **entry_values(
            user_id,
            target,
            day=day,
            started_at=started_at,
            ended_at=ended_at,
            duration_s=duration_s,
            description=description,
            billable=billable,
            source=source,
        )
    )
    s.add(row)
    outbox.record(s, row, "create")
    return row


def entry_values(
    user_id: str,
    target: Target,
    *,
    day: date,
    started_at: datetime | None,
    ended_at: datetime | None,
    duration_s: int,
    description: str,
    billable: bool | None,
    source: str,
) -> dict[str, Any]:
    """The columns of a new entry on ``target`` (billable defaults from it):
    :func:`add_entry` makes its row of them; an import inserts many at once."""
    return {
        "user_id": user_id,
        "customer_id": target.customer.id,
        "project_id": target.project.id if target.project else None,
        "task_id": target.task.id if target.task else None,
        "work_date": day,
        "started_at": started_at,
        "ended_at": ended_at,
        "duration_s": duration_s,
        "description": description,
        "billable": target.billable if billable is None else billable,
        "source": source,
    }


def resolve_target(
    s: Session, customer: str | None, project: str | None, task: str | None
) -> Target:
    """Customer, project and task from what the user typed (ids, names or a ticket ref)."""
    if task:
        t = find_task(s, task)
        c = s.get(Customer, t.customer_id)
        p = s.get(Project, t.project_id) if t.project_id else None
        assert c is not None
        if customer and find_customer(s, customer).id != c.id:
            raise ValidationError(f'task "{t.title}" belongs to {c.name}, not "{customer}"')
        if project and (p is None or find_project(s, project, c).id != p.id):
            raise ValidationError(f'task "{t.title}" is not in project "{project}"')
        return Target(c, p, t)
    if project:
        c_given = find_customer(s, customer) if customer else None
        p = find_project(s, project, c_given)
        c = c_given or s.get(Customer, p.customer_id)
        assert c is not None
        return Target(c, p, None)
    if customer:
        return Target(find_customer(s, customer), None, None)
    raise ValidationError("say which customer, project or task the time is for")


def whole_seconds(at: datetime) -> datetime:
    return at.replace(microsecond=0)


def running_timer(s: Session, user_id: str) -> TimeEntry | None:
    return s.scalar(
        select(TimeEntry).where(
            TimeEntry.user_id == user_id,
            TimeEntry.started_at.is_not(None),
            TimeEntry.ended_at.is_(None),
            TimeEntry.deleted_at.is_(None),
        )
    )


def find_entry(s: Session, entry_id: str) -> TimeEntry:
    ref = entry_id.strip()
    row = s.get(TimeEntry, ref)
    if row is None and len(ref) >= 6:
        rows = list(s.scalars(select(TimeEntry).where(TimeEntry.id.startswith(ref)).limit(2)))
        row = rows[0] if len(rows) == 1 else None
    if row is None or row.deleted_at is not None:
        raise NotFound(f'no entry "{short_id(entry_id)}"')
    return row


def finish(row: TimeEntry, at: datetime) -> None:
    assert row.started_at is not None
    row.ended_at = at
    row.duration_s = int((at - row.started_at).total_seconds())
    row.updated_at = at


def local_hm(at: datetime, tz: str) -> str:
    return at.astimezone(zone(tz)).strftime("%H:%M")


def check_week_open(s: Session, user: User, day: date) -> None:
    start = week_start(day, user.first_weekday)
    status = s.scalar(
        select(Timesheet.status).where(
            Timesheet.user_id == user.id,
            Timesheet.week_start == start,
            Timesheet.deleted_at.is_(None),
        )
    )
    check_entry_editable(Status(status or "draft"), format_week(start))


def check_not_exported(row: TimeEntry, actor: dto.User) -> None:
    """An entry exported to accounting is locked unless the actor may change
    exported entries (admins); one line naming the entry and the date."""
    if row.exported_at is not None and not permissions.can_change_exported(actor):
        raise Locked(
            f"entry {row.id[:8]} was exported to accounting on "
            f"{row.exported_at.date().isoformat()}; only an admin can unlock it"
        )


def day_total(
    s: Session, user_id: str, day: date, now: datetime, exclude: str | None = None
) -> int:
    total = 0
    for row in s.scalars(
        select(TimeEntry).where(
            TimeEntry.user_id == user_id, TimeEntry.work_date == day, counted(TimeEntry)
        )
    ):
        if row.id != exclude:
            total += dto.worked_s(row.started_at, row.ended_at, row.duration_s, now)
    return total


def check_day_total(
    s: Session,
    user_id: str,
    day: date,
    seconds: int,
    now: datetime,
    *,
    exclude: str | None,
    hint: str = "",
) -> None:
    total = day_total(s, user_id, day, now, exclude) + seconds
    if total > MAX_DAY_S:
        raise ValidationError(
            f"{day.isoformat()} would total {format_duration(total)}; a day can't pass 24:00{hint}"
        )


def span(
    day: date, duration_s: int | None, start: time | None, end: time | None, tz: str
) -> tuple[datetime | None, datetime | None, int]:
    if (start is None) != (end is None):
        raise ValidationError("give both a from and a to time, or hours")
    if start is not None and end is not None:
        if duration_s is not None:
            raise ValidationError("give hours or a from/to range, not both")
        started, ended = local_to_utc(day, start, tz), local_to_utc(day, end, tz)
        if ended <= started:
            raise ValidationError(
                f"the end ({end.strftime('%H:%M')}) is not after the start "
                f"({start.strftime('%H:%M')})"
            )
        return started, ended, int((ended - started).total_seconds())
    if duration_s is None:
        raise ValidationError("give the hours (1.5, 1:30, 90m) or a from/to range")
    if duration_s <= 0:
        raise ValidationError("hours must be more than zero")
    if duration_s > MAX_DAY_S:
        raise ValidationError("an entry can't be longer than 24 hours")
    return None, None, duration_s


def respan(
    row: TimeEntry,
    day: date,
    duration_s: int | Unset,
    start: time | Unset,
    end: time | Unset,
    tz: str,
) -> tuple[datetime | None, datetime | None, int]:
    """The entry's new (started_at, ended_at, duration) after an edit."""
    timed = row.started_at is not None and row.ended_at is not None
    if start is not UNSET or end is not UNSET:
        old_start: time | None = None
        old_end: time | None = None
        if timed:
            assert row.started_at is not None and row.ended_at is not None
            z = zone(tz)
            old_start = row.started_at.astimezone(z).time().replace(tzinfo=None)
            old_end = row.ended_at.astimezone(z).time().replace(tzinfo=None)
        s_t: time | None
        e_t: time | None
        s_t = old_start if start is UNSET else start
        e_t = old_end if end is UNSET else end
        return span(day, None, s_t, e_t, tz)
    if duration_s is not UNSET:
        seconds = span(day, duration_s, None, None, tz)[2]
        if timed:
            assert row.started_at is not None
            z = zone(tz)
            started = local_to_utc(day, row.started_at.astimezone(z).time(), tz)
            return started, started + timedelta(seconds=seconds), seconds
        return None, None, seconds
    if timed and day != row.work_date:
        assert row.started_at is not None and row.ended_at is not None
        z = zone(tz)
        return span(
            day,
            None,
            row.started_at.astimezone(z).time().replace(tzinfo=None),
            row.ended_at.astimezone(z).time().replace(tzinfo=None),
            tz,
        )
    return row.started_at, row.ended_at, row.duration_s


def retarget(
    s: Session,
    row: TimeEntry,
    customer: str | Unset | None,
    project: str | Unset | None,
    task: str | Unset | None,
) -> Target:
    if task is not UNSET and task:
        return resolve_target(
            s, None if customer is UNSET else customer, None if project is UNSET else project, task
        )
    if project is not UNSET and project:
        return resolve_target(s, None if customer is UNSET else customer, project, None)
    if customer is not UNSET and customer:
        c = find_customer(s, customer)
        keep_project = project is UNSET and row.project_id is not None
        p = s.get(Project, row.project_id) if keep_project and row.project_id else None
        if p is not None and p.customer_id != c.id:
            p = None
        t = s.get(Task, row.task_id) if task is UNSET and row.task_id else None
        if t is not None and (
            t.customer_id != c.id or (t.project_id and t.project_id != (p.id if p else None))
        ):
            t = None
        return Target(c, p, t)
    # Clearing project and/or task: keep the customer.
    kept = s.get(Customer, row.customer_id)
    assert kept is not None
    c = kept
    p = (
        None
        if project is not UNSET
        else (s.get(Project, row.project_id) if row.project_id else None)
    )
    t = None if task is not UNSET else (s.get(Task, row.task_id) if row.task_id else None)
    if p is None and t is not None and t.project_id is not None:
        t = None
    return Target(c, p, t)


def overlap_warnings(s: Session, row: TimeEntry, now: datetime, tz: str) -> list[str]:
    if row.started_at is None:
        return []
    end = row.ended_at or now
    others = s.scalars(
        select(TimeEntry).where(
            TimeEntry.user_id == row.user_id,
            TimeEntry.id != row.id,
            counted(TimeEntry),
            TimeEntry.started_at.is_not(None),
            TimeEntry.started_at < end,
        )
    )
    warnings = []
    for other in others:
        assert other.started_at is not None
        other_end = other.ended_at or now
        if other_end > row.started_at:  # touching boundaries are not overlaps
            e = to_entry(s, other)
            warnings.append(
                f"overlaps {other.id[:8]} {e.path} "
                f"{local_hm(other.started_at, tz)}–{local_hm(other_end, tz)}"
            )
    return warnings


def description_rule(s: Session, row: TimeEntry, *, refuse: bool) -> list[str]:
    """The entry-time description policy on ``row`` as it is about to be saved
    (:func:`desktop.core.rules.entry_description_check`): raises the refusal when
    ``refuse``, else hands it back as a warning, with any short/vague warning."""
    check = entry_description_check(
        load_policy(s), billable=row.billable, description=row.description,
        work_date=row.work_date,
    )
    if check.refusal is not None and refuse:
        raise ValidationError(check.refusal)
    return [w for w in (check.refusal, check.warning) if w is not None]


def last_description(
    s: Session, user_id: str, customer_id: str, project_id: str | None, task_id: str | None
) -> str:
    """The latest non-empty description ``user_id`` gave on this customer /
    project / task combination ("" when none): restarting a recent combination
    or filling a new grid cell of its row reuses it."""
    said = s.scalar(
        select(TimeEntry.description)
        .where(
            TimeEntry.user_id == user_id,
            counted(TimeEntry),
            TimeEntry.customer_id == customer_id,
            TimeEntry.project_id.is_(None)
            if project_id is None
            else TimeEntry.project_id == project_id,
            TimeEntry.task_id.is_(None) if task_id is None else TimeEntry.task_id == task_id,
            TimeEntry.description != "",
        )
        .order_by(TimeEntry.created_at.desc())
        .limit(1)
    )
    return said or ""
