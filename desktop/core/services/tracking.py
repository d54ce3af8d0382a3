"""Tracking: the timer and manual time entries.

Rules this service enforces (each write is one ``BEGIN IMMEDIATE`` transaction
that also writes the outbox row of every row it changes):

* A timer runs on a customer, a project or a task; the customer and project are
  inferred from the task (or the customer from the project). Naming a project of
  another customer is refused.
* At most one running timer per user (also enforced by a partial unique index).
  Starting while one runs stops the running one at the same instant (switch).
* The running state lives only in the database: a restarted process computes
  the elapsed time from the stored start.
* Instants are whole seconds; a start or stop in the future is refused, and so
  is a stop before the start.
* ``work_date`` is the local date (user's timezone) when the work started.
* A manual entry has hours, or a from/to range on its date; zero or negative
  hours, end before start, a day over 24 h, unknown or mismatched customer /
  project / task, descriptions over 2,000 characters and control characters
  are refused. Overlaps between timed entries are allowed and reported as
  warnings; touching boundaries (10:00–10:00) are not overlaps.
* Billable defaults from task → project → customer.
* Only the owner changes their entries, and not while the entry's week is
  submitted or approved (:func:`desktop.core.workflow.check_entry_editable`).
  Editing an entry clears the rejection reason a manager left on it.
* Delete is a tombstone (``deleted_at``), never a hard delete.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.core import dto, outbox, permissions
from desktop.core.durations import format_duration
from desktop.core.errors import Conflict, Forbidden, NotFound, ValidationError
from desktop.core.model import Customer, Project, Task, TimeEntry, Timesheet, User
from desktop.core.rules import MAX_DAY_S, check_description_text
from desktop.core.services.common import (
    Service,
    find_customer,
    find_project,
    find_task,
    require_user,
    to_entry,
    to_user,
)
from desktop.core.timeutil import format_week, local_to_utc, week_start, work_date, zone
from desktop.core.workflow import Status, check_entry_editable


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET
SOURCES = ("timer", "manual", "grid", "idle-split")
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


def _whole_seconds(at: datetime) -> datetime:
    return at.replace(microsecond=0)


class TrackingService(Service):
    # ----------------------------------------------------------------- reads

    def running(self, user_id: str | None = None) -> dto.Entry | None:
        with self.db.read() as s:
            user = require_user(s, user_id)
            row = _running(s, user.id)
            return to_entry(s, row) if row else None

    def get(self, user_id: str | None, entry_id: str) -> dto.Entry:
        with self.db.read() as s:
            actor = to_user(s, require_user(s, user_id))
            row = _find_entry(s, entry_id)
            owner = s.get(User, row.user_id)
            assert owner is not None
            if not permissions.can_read_entries_of(actor, to_user(s, owner)):
                raise NotFound(f'no entry "{entry_id}"')
            return to_entry(s, row)

    def entries(
        self,
        user_id: str | None,
        *,
        start: date,
        end: date,
        all_users: bool = False,
    ) -> list[dto.Entry]:
        """Entries with ``start <= work_date <= end``; ``all_users`` widens to
        everyone the actor may read (their team for a manager, all for an admin)."""
        with self.db.read() as s:
            actor = to_user(s, require_user(s, user_id))
            q = select(TimeEntry).where(
                TimeEntry.deleted_at.is_(None),
                TimeEntry.work_date >= start,
                TimeEntry.work_date <= end,
            )
            if all_users:
                readable = [
                    u.id
                    for u in s.scalars(select(User))
                    if permissions.can_read_entries_of(actor, to_user(s, u))
                ]
                q = q.where(TimeEntry.user_id.in_(readable))
            else:
                q = q.where(TimeEntry.user_id == actor.id)
            q = q.order_by(TimeEntry.work_date, TimeEntry.started_at, TimeEntry.created_at)
            return [to_entry(s, r) for r in s.scalars(q)]

    def day_total_s(self, user_id: str | None, day: date) -> int:
        """Seconds logged on ``day`` including a running timer's elapsed time."""
        with self.db.read() as s:
            user = require_user(s, user_id)
            return _day_total(s, user.id, day, self.now())

    def last_stopped(self, user_id: str | None = None) -> dto.Entry | None:
        with self.db.read() as s:
            user = require_user(s, user_id)
            row = s.scalar(
                select(TimeEntry)
                .where(
                    TimeEntry.user_id == user.id,
                    TimeEntry.deleted_at.is_(None),
                    TimeEntry.ended_at.is_not(None),
                )
                .order_by(TimeEntry.ended_at.desc())
                .limit(1)
            )
            return to_entry(s, row) if row else None

    def recent(self, user_id: str | None = None, limit: int = 5) -> list[dto.Combination]:
        """The most recently tracked customer/project/task combinations, newest first."""
        with self.db.read() as s:
            user = require_user(s, user_id)
            last = func.max(TimeEntry.created_at).label("last")
            rows = s.execute(
                select(TimeEntry.customer_id, TimeEntry.project_id, TimeEntry.task_id, last)
                .where(TimeEntry.user_id == user.id, TimeEntry.deleted_at.is_(None))
                .group_by(TimeEntry.customer_id, TimeEntry.project_id, TimeEntry.task_id)
                .order_by(last.desc())
                .limit(limit)
            ).all()
            combos = []
            for customer_id, project_id, task_id, last_used in rows:
                c = s.get(Customer, customer_id)
                p = s.get(Project, project_id) if project_id else None
                t = s.get(Task, task_id) if task_id else None
                assert c is not None
                combos.append(
                    dto.Combination(
                        customer_id=c.id,
                        customer=c.name,
                        project_id=p.id if p else None,
                        project=p.name if p else None,
                        task_id=t.id if t else None,
                        task=t.title if t else None,
                        task_ref=t.external_ref if t else None,
                        last_used=last_used,
                    )
                )
            return combos

    # ---------------------------------------------------------------- timer

    def start(
        self,
        user_id: str | None,
        *,
        customer: str | None = None,
        project: str | None = None,
        task: str | None = None,
        description: str = "",
        billable: bool | None = None,
        at: datetime | None = None,
        source: str = "timer",
    ) -> dto.SavedEntry:
        """Start a timer (switching: a running one stops at the same instant)."""
        now = _whole_seconds(self.now())
        at = now if at is None else _whole_seconds(at)
        if at > now:
            raise ValidationError("a timer can't start in the future")
        text = check_description_text(description)
        with self.db.write() as s:
            user = require_user(s, user_id)
            target = resolve_target(s, customer, project, task)
            day = work_date(at, user.timezone)
            check_week_open(s, user, day)
            stopped: TimeEntry | None = None
            current = _running(s, user.id)
            if current is not None:
                assert current.started_at is not None
                if at < current.started_at:
                    raise ValidationError(
                        "the running timer started at "
                        f"{_local_hm(current.started_at, user.timezone)}; "
                        "a new one can't start before that"
                    )
                check_week_open(s, user, current.work_date)
                _finish(current, at)
                outbox.record(s, current, "update", fields=["ended_at", "duration_s"])
                stopped = current
            row = TimeEntry(
                user_id=user.id,
                customer_id=target.customer.id,
                project_id=target.project.id if target.project else None,
                task_id=target.task.id if target.task else None,
                work_date=day,
                started_at=at,
                ended_at=None,
                duration_s=0,
                description=text,
                billable=target.billable if billable is None else billable,
                source=source,
            )
            s.add(row)
            try:
                outbox.record(s, row, "create")
            except IntegrityError as exc:  # pragma: no cover - serialized by BEGIN IMMEDIATE
                raise Conflict("another timer started at the same moment; try again") from exc
            warnings = _overlap_warnings(s, row, now, user.timezone)
            return dto.SavedEntry(
                to_entry(s, row), tuple(warnings), to_entry(s, stopped) if stopped else None
            )

    def stop(self, user_id: str | None = None, *, at: datetime | None = None) -> dto.SavedEntry:
        now = _whole_seconds(self.now())
        at = now if at is None else _whole_seconds(at)
        if at > now:
            raise ValidationError("a timer can't stop in the future")
        with self.db.write() as s:
            user = require_user(s, user_id)
            row = _running(s, user.id)
            if row is None:
                raise NotFound("no timer is running")
            assert row.started_at is not None
            if at < row.started_at:
                raise ValidationError(
                    f"the timer started at {_local_hm(row.started_at, user.timezone)}; "
                    "it can't stop before it started"
                )
            check_week_open(s, user, row.work_date)
            elapsed = int((at - row.started_at).total_seconds())
            _check_day_total(
                s,
                user.id,
                row.work_date,
                elapsed,
                now,
                exclude=row.id,
                hint=" (use --at to stop it when you really stopped)",
            )
            _finish(row, at)
            outbox.record(s, row, "update", fields=["ended_at", "duration_s"])
            return dto.SavedEntry(
                to_entry(s, row), tuple(_overlap_warnings(s, row, now, user.timezone))
            )

    # -------------------------------------------------------------- entries

    def log(
        self,
        user_id: str | None,
        *,
        day: date,
        customer: str | None = None,
        project: str | None = None,
        task: str | None = None,
        duration_s: int | None = None,
        start: time | None = None,
        end: time | None = None,
        description: str = "",
        billable: bool | None = None,
        source: str = "manual",
        guard: Guard | None = None,
    ) -> dto.SavedEntry:
        """A manual entry: ``duration_s`` hours, or a ``start``–``end`` range on ``day``."""
        if source not in SOURCES:
            raise ValidationError(f'unknown source "{source}"')
        text = check_description_text(description)
        now = _whole_seconds(self.now())
        with self.db.write() as s:
            user = require_user(s, user_id)
            if guard is not None:
                guard(s)
            target = resolve_target(s, customer, project, task)
            started, ended, seconds = _span(day, duration_s, start, end, user.timezone)
            check_week_open(s, user, day)
            _check_day_total(s, user.id, day, seconds, now, exclude=None)
            row = TimeEntry(
                user_id=user.id,
                customer_id=target.customer.id,
                project_id=target.project.id if target.project else None,
                task_id=target.task.id if target.task else None,
                work_date=day,
                started_at=started,
                ended_at=ended,
                duration_s=seconds,
                description=text,
                billable=target.billable if billable is None else billable,
                source=source,
            )
            s.add(row)
            outbox.record(s, row, "create")
            return dto.SavedEntry(
                to_entry(s, row), tuple(_overlap_warnings(s, row, now, user.timezone))
            )

    def edit(
        self,
        user_id: str | None,
        entry_id: str,
        *,
        day: date | _Unset = UNSET,
        customer: str | _Unset | None = UNSET,
        project: str | _Unset | None = UNSET,
        task: str | _Unset | None = UNSET,
        duration_s: int | _Unset = UNSET,
        start: time | _Unset = UNSET,
        end: time | _Unset = UNSET,
        description: str | _Unset = UNSET,
        billable: bool | _Unset = UNSET,
        guard: Guard | None = None,
    ) -> dto.SavedEntry:
        """Change an entry. Customer/project/task given together replace the target;
        giving only some keeps the others where they still fit."""
        now = _whole_seconds(self.now())
        with self.db.write() as s:
            user = require_user(s, user_id)
            if guard is not None:
                guard(s)
            row = _find_entry(s, entry_id)
            if not permissions.can_change_entries_of(to_user(s, user), row.user_id):
                raise Forbidden("only the owner of an entry can change it")
            check_week_open(s, user, row.work_date)
            before = outbox.row_data(row)
            running = row.started_at is not None and row.ended_at is None

            if not (customer is UNSET and project is UNSET and task is UNSET):
                target = _retarget(s, row, customer, project, task)
                row.customer_id = target.customer.id
                row.project_id = target.project.id if target.project else None
                row.task_id = target.task.id if target.task else None
            if description is not UNSET:
                row.description = check_description_text(description)
            if billable is not UNSET:
                row.billable = billable

            new_day = row.work_date if day is UNSET else day
            if running:
                if day is not UNSET or duration_s is not UNSET or end is not UNSET:
                    raise ValidationError(
                        "a running timer has no date, hours or end yet; stop it first"
                    )
                if start is not UNSET:
                    assert row.started_at is not None
                    moved = local_to_utc(new_day, start, user.timezone)
                    if moved > now:
                        raise ValidationError("a timer can't start in the future")
                    row.started_at = _whole_seconds(moved)
                    row.work_date = work_date(row.started_at, user.timezone)
            else:
                check_week_open(s, user, new_day)
                started, ended, seconds = _respan(
                    row, new_day, duration_s, start, end, user.timezone
                )
                _check_day_total(s, user.id, new_day, seconds, now, exclude=row.id)
                row.work_date, row.started_at, row.ended_at, row.duration_s = (
                    new_day,
                    started,
                    ended,
                    seconds,
                )

            after = outbox.row_data(row)
            changed = sorted(k for k in after if after[k] != before[k])
            if not changed:
                return dto.SavedEntry(to_entry(s, row))
            if row.rejection_reason is not None:
                row.rejection_reason = None
                changed.append("rejection_reason")
            row.updated_at = now
            changed.append("updated_at")
            outbox.record(s, row, "update", fields=changed)
            return dto.SavedEntry(
                to_entry(s, row), tuple(_overlap_warnings(s, row, now, user.timezone))
            )

    def delete(
        self, user_id: str | None, entry_id: str, *, guard: Guard | None = None
    ) -> dto.Entry:
        """Tombstone an entry (a running timer is discarded)."""
        now = _whole_seconds(self.now())
        with self.db.write() as s:
            user = require_user(s, user_id)
            if guard is not None:
                guard(s)
            row = _find_entry(s, entry_id)
            if not permissions.can_change_entries_of(to_user(s, user), row.user_id):
                raise Forbidden("only the owner of an entry can delete it")
            check_week_open(s, user, row.work_date)
            row.deleted_at = now
            row.updated_at = now
            outbox.record(s, row, "delete", fields=["deleted_at"])
            return to_entry(s, row)


# ------------------------------------------------------------------ helpers


def _running(s: Session, user_id: str) -> TimeEntry | None:
    return s.scalar(
        select(TimeEntry).where(
            TimeEntry.user_id == user_id,
            TimeEntry.started_at.is_not(None),
            TimeEntry.ended_at.is_(None),
            TimeEntry.deleted_at.is_(None),
        )
    )


def _find_entry(s: Session, entry_id: str) -> TimeEntry:
    ref = entry_id.strip()
    row = s.get(TimeEntry, ref)
    if row is None and len(ref) >= 6:
        rows = list(s.scalars(select(TimeEntry).where(TimeEntry.id.startswith(ref)).limit(2)))
        row = rows[0] if len(rows) == 1 else None
    if row is None or row.deleted_at is not None:
        raise NotFound(f'no entry "{entry_id}"')
    return row


def _finish(row: TimeEntry, at: datetime) -> None:
    assert row.started_at is not None
    row.ended_at = at
    row.duration_s = int((at - row.started_at).total_seconds())
    row.updated_at = at


def _local_hm(at: datetime, tz: str) -> str:
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


def _day_total(
    s: Session, user_id: str, day: date, now: datetime, exclude: str | None = None
) -> int:
    total = 0
    for row in s.scalars(
        select(TimeEntry).where(
            TimeEntry.user_id == user_id, TimeEntry.work_date == day, TimeEntry.deleted_at.is_(None)
        )
    ):
        if row.id == exclude:
            continue
        if row.started_at is not None and row.ended_at is None:
            total += max(0, int((now - row.started_at).total_seconds()))
        else:
            total += row.duration_s
    return total


def _check_day_total(
    s: Session,
    user_id: str,
    day: date,
    seconds: int,
    now: datetime,
    *,
    exclude: str | None,
    hint: str = "",
) -> None:
    total = _day_total(s, user_id, day, now, exclude) + seconds
    if total > MAX_DAY_S:
        raise ValidationError(
            f"{day.isoformat()} would total {format_duration(total)}; a day can't pass 24:00{hint}"
        )


def _span(
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


def _respan(
    row: TimeEntry,
    day: date,
    duration_s: int | _Unset,
    start: time | _Unset,
    end: time | _Unset,
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
        return _span(day, None, s_t, e_t, tz)
    if duration_s is not UNSET:
        seconds = _span(day, duration_s, None, None, tz)[2]
        if timed:
            assert row.started_at is not None
            z = zone(tz)
            started = local_to_utc(day, row.started_at.astimezone(z).time(), tz)
            return started, started + timedelta(seconds=seconds), seconds
        return None, None, seconds
    if timed and day != row.work_date:
        assert row.started_at is not None and row.ended_at is not None
        z = zone(tz)
        return _span(
            day,
            None,
            row.started_at.astimezone(z).time().replace(tzinfo=None),
            row.ended_at.astimezone(z).time().replace(tzinfo=None),
            tz,
        )
    return row.started_at, row.ended_at, row.duration_s


def _retarget(
    s: Session,
    row: TimeEntry,
    customer: str | _Unset | None,
    project: str | _Unset | None,
    task: str | _Unset | None,
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


def _overlap_warnings(s: Session, row: TimeEntry, now: datetime, tz: str) -> list[str]:
    if row.started_at is None:
        return []
    end = row.ended_at or now
    others = s.scalars(
        select(TimeEntry).where(
            TimeEntry.user_id == row.user_id,
            TimeEntry.id != row.id,
            TimeEntry.deleted_at.is_(None),
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
                f"{_local_hm(other.started_at, tz)}–{_local_hm(other_end, tz)}"
            )
    return warnings
