"""Tracking: the timer and manual time entries.

Rules this service enforces (each write is one ``BEGIN IMMEDIATE`` transaction
that also writes the outbox row of every row it changes):

* A timer runs on a customer, a project or a task; the customer and project are
  inferred from the task (or the customer from the project). Naming a project of
  another customer is refused.
* At most one running timer per user (also enforced by a partial unique index).
  Starting while one runs stops the running one at the same instant (switch).
* A timer switched or stopped within its first minute (``SHORT_TIMER``) is
  dropped (tombstoned) instead of leaving a 0:00 entry; the result says so
  (``SavedEntry.dropped``) so the popup and the CLI can tell the user.
* The description policy applies at entry time
  (:func:`desktop.core.rules.entry_description_check`): a manual entry, or an
  edit that sets the description or billable, is refused when billable with an
  empty description; short or vague descriptions are saved with a warning. A
  running timer may have no description; a stop is never refused and carries
  the warning instead.
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
* An entry exported to accounting (``exported_at``) is locked: only an admin
  may still change or delete it, and only an admin unlocks it
  (:func:`desktop.core.services.entries.check_not_exported`).
* Delete is a tombstone (``deleted_at``), never a hard delete.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.core import dto, outbox, permissions
from desktop.core.errors import Conflict, Forbidden, NotFound, ValidationError
from desktop.core.model import Customer, Project, Task, TimeEntry, User
from desktop.core.outbox import counted
from desktop.core.rules import ENTRY_SOURCES, check_description_text
from desktop.core.services.common import (
    Service,
    find_user,
    require_user,
    short_id,
    to_entry,
    to_user,
)
from desktop.core.services.day import read_today
from desktop.core.services.entries import (
    UNSET,
    Guard,
    Unset,
    add_entry,
    check_day_total,
    check_not_exported,
    check_week_open,
    day_total,
    description_rule,
    find_entry,
    finish,
    last_description,
    local_hm,
    overlap_warnings,
    resolve_target,
    respan,
    retarget,
    running_timer,
    span,
    whole_seconds,
)
from desktop.core.timeutil import local_to_utc, work_date

SHORT_TIMER = timedelta(minutes=1)


def _drop(s: Session, row: TimeEntry, at: datetime, now: datetime) -> None:
    """Tombstone a timer that ran under ``SHORT_TIMER`` (it ends where it was dropped)."""
    finish(row, at)
    row.deleted_at = now
    row.updated_at = now
    outbox.record(s, row, "delete", fields=["deleted_at", "duration_s", "ended_at"])


class TrackingService(Service):
    # ----------------------------------------------------------------- reads

    def running(self, user_id: str | None = None) -> dto.Entry | None:
        with self.db.read() as s:
            user = require_user(s, user_id)
            row = running_timer(s, user.id)
            return to_entry(s, row) if row else None

    def get(self, user_id: str | None, entry_id: str) -> dto.Entry:
        with self.db.read() as s:
            actor = to_user(s, require_user(s, user_id))
            row = find_entry(s, entry_id)
            owner = s.get(User, row.user_id)
            assert owner is not None
            if not permissions.can_read_entries_of(actor, to_user(s, owner)):
                raise NotFound(f'no entry "{short_id(entry_id)}"')
            return to_entry(s, row)

    def entries(
        self,
        user_id: str | None,
        *,
        start: date,
        end: date,
        all_users: bool = False,
        owner: str | None = None,
    ) -> list[dto.Entry]:
        """Entries with ``start <= work_date <= end``; ``all_users`` widens to
        everyone the actor may read (their team for a manager, all for an admin);
        ``owner`` (an email or id) narrows to one person the actor may read."""
        with self.db.read() as s:
            actor = to_user(s, require_user(s, user_id))
            if owner is not None:
                person = to_user(s, find_user(s, owner))
                if not permissions.can_read_entries_of(actor, person):
                    raise Forbidden(f"you can't see the entries of {person.email}")
                actor, all_users = person, False
            q = select(TimeEntry).where(
                counted(TimeEntry),
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

    def today(self, user_id: str | None = None) -> dto.Today:
        """The user's day now: its entries, each with why it is locked and what
        the description policy says of it, the day's and the week's totals and
        the day's scheduled hours (:mod:`desktop.core.services.day`)."""
        with self.db.read() as s:
            return read_today(s, require_user(s, user_id), self.now())

    def day_total_s(self, user_id: str | None, day: date) -> int:
        """Seconds logged on ``day`` including a running timer's elapsed time."""
        with self.db.read() as s:
            user = require_user(s, user_id)
            return day_total(s, user.id, day, self.now())

    def last_stopped(self, user_id: str | None = None) -> dto.Entry | None:
        with self.db.read() as s:
            user = require_user(s, user_id)
            row = s.scalar(
                select(TimeEntry)
                .where(
                    TimeEntry.user_id == user.id,
                    counted(TimeEntry),
                    TimeEntry.ended_at.is_not(None),
                )
                .order_by(TimeEntry.ended_at.desc())
                .limit(1)
            )
            return to_entry(s, row) if row else None

    def recent(self, user_id: str | None = None, limit: int = 5) -> list[dto.Combination]:
        """The most recently tracked customer/project/task combinations, newest
        first, each with the last description said on it."""
        with self.db.read() as s:
            user = require_user(s, user_id)
            last = func.max(TimeEntry.created_at).label("last")
            rows = s.execute(
                select(TimeEntry.customer_id, TimeEntry.project_id, TimeEntry.task_id, last)
                .where(TimeEntry.user_id == user.id, counted(TimeEntry))
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
                # the last description said on it (a restart reuses it, editable)
                said = last_description(s, user.id, customer_id, project_id, task_id)
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
                        description=said,
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
        """Start a timer (switching: a running one stops at the same instant, or is
        dropped when it ran under a minute).

        Without ``at`` the instant is read once the write lock is held, so of
        two processes starting at once the later one never starts before the
        earlier one's timer."""
        now = whole_seconds(self.now())
        given = at
        at = now if at is None else whole_seconds(at)
        if at > now:
            raise ValidationError("a timer can't start in the future")
        text = check_description_text(description)
        with self.db.write() as s:
            user = require_user(s, user_id)  # the first statement: BEGIN IMMEDIATE
            if given is None:
                at = now = whole_seconds(self.now())
            target = resolve_target(s, customer, project, task)
            day = work_date(at, user.timezone)
            check_week_open(s, user, day)
            stopped: TimeEntry | None = None
            dropped: TimeEntry | None = None
            current = running_timer(s, user.id)
            if current is not None:
                assert current.started_at is not None
                if at < current.started_at:
                    raise ValidationError(
                        "the running timer started at "
                        f"{local_hm(current.started_at, user.timezone)}; "
                        "a new one can't start before that"
                    )
                check_week_open(s, user, current.work_date)
                if at - current.started_at < SHORT_TIMER:
                    _drop(s, current, at, now)
                    dropped = current
                else:
                    finish(current, at)
                    outbox.record(s, current, "update", fields=["ended_at", "duration_s"])
                    stopped = current
            try:
                row = add_entry(
                    s,
                    user.id,
                    target,
                    day=day,
                    started_at=at,
                    ended_at=None,
                    duration_s=0,
                    description=text,
                    billable=billable,
                    source=source,
                )
            except IntegrityError as exc:  # pragma: no cover - serialized by BEGIN IMMEDIATE
                raise Conflict("another timer started at the same moment; try again") from exc
            # the new timer's description may still be typed: only short/vague warn
            warnings = [
                *(description_rule(s, row, refuse=False) if text else []),
                *overlap_warnings(s, row, now, user.timezone),
            ]
            return dto.SavedEntry(
                to_entry(s, row),
                tuple(warnings),
                to_entry(s, stopped) if stopped else None,
                to_entry(s, dropped) if dropped else None,
            )

    def stop(self, user_id: str | None = None, *, at: datetime | None = None) -> dto.SavedEntry:
        """Stop the running timer; one that ran under a minute is dropped
        (``SavedEntry.dropped``). Never refused for its description: the stop
        carries the policy's warning."""
        now = whole_seconds(self.now())
        given = at
        at = now if at is None else whole_seconds(at)
        if at > now:
            raise ValidationError("a timer can't stop in the future")
        with self.db.write() as s:
            user = require_user(s, user_id)  # as in start: "now" once the lock is held
            if given is None:
                at = now = whole_seconds(self.now())
            row = running_timer(s, user.id)
            if row is None:
                raise NotFound("no timer is running")
            assert row.started_at is not None
            if at < row.started_at:
                raise ValidationError(
                    f"the timer started at {local_hm(row.started_at, user.timezone)}; "
                    "it can't stop before it started"
                )
            check_week_open(s, user, row.work_date)
            if at - row.started_at < SHORT_TIMER:
                _drop(s, row, at, now)
                return dto.SavedEntry(to_entry(s, row), dropped=to_entry(s, row))
            elapsed = int((at - row.started_at).total_seconds())
            check_day_total(
                s,
                user.id,
                row.work_date,
                elapsed,
                now,
                exclude=row.id,
                hint=" (use --at to stop it when you really stopped)",
            )
            finish(row, at)
            outbox.record(s, row, "update", fields=["ended_at", "duration_s"])
            warnings = [
                *description_rule(s, row, refuse=False),
                *overlap_warnings(s, row, now, user.timezone),
            ]
            return dto.SavedEntry(to_entry(s, row), tuple(warnings))

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
        """A manual entry: ``duration_s`` hours, or a ``start``–``end`` range on ``day``;
        refused when billable without a description (short/vague: a warning)."""
        if source not in ENTRY_SOURCES:
            raise ValidationError(f'unknown source "{source}"')
        text = check_description_text(description)
        now = whole_seconds(self.now())
        with self.db.write() as s:
            user = require_user(s, user_id)
            if guard is not None:
                guard(s)
            target = resolve_target(s, customer, project, task)
            started, ended, seconds = span(day, duration_s, start, end, user.timezone)
            check_week_open(s, user, day)
            check_day_total(s, user.id, day, seconds, now, exclude=None)
            row = add_entry(
                s,
                user.id,
                target,
                day=day,
                started_at=started,
                ended_at=ended,
                duration_s=seconds,
                description=text,
                billable=billable,
                source=source,
            )
            warnings = [
                *description_rule(s, row, refuse=True),
                *overlap_warnings(s, row, now, user.timezone),
            ]
            return dto.SavedEntry(to_entry(s, row), tuple(warnings))

    def edit(
        self,
        user_id: str | None,
        entry_id: str,
        *,
        day: date | Unset = UNSET,
        customer: str | Unset | None = UNSET,
        project: str | Unset | None = UNSET,
        task: str | Unset | None = UNSET,
        duration_s: int | Unset = UNSET,
        start: time | Unset = UNSET,
        end: time | Unset = UNSET,
        description: str | Unset = UNSET,
        billable: bool | Unset = UNSET,
        guard: Guard | None = None,
    ) -> dto.SavedEntry:
        """Change an entry. Customer/project/task given together replace the target;
        giving only some keeps the others where they still fit. Setting the
        description or billable of a finished entry applies the description rule."""
        now = whole_seconds(self.now())
        with self.db.write() as s:
            user = require_user(s, user_id)
            if guard is not None:
                guard(s)
            row = find_entry(s, entry_id)
            actor = to_user(s, user)
            if not permissions.can_change_entries_of(actor, row.user_id):
                raise Forbidden("only the owner of an entry can change it")
            check_not_exported(row, actor)
            if not outbox.is_held_back(s, row):  # a held-back row was never in its week
                check_week_open(s, user, row.work_date)
            before = outbox.row_data(row)
            running = row.started_at is not None and row.ended_at is None

            if not (customer is UNSET and project is UNSET and task is UNSET):
                target = retarget(s, row, customer, project, task)
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
                    row.started_at = whole_seconds(moved)
                    row.work_date = work_date(row.started_at, user.timezone)
            else:
                check_week_open(s, user, new_day)
                started, ended, seconds = respan(
                    row, new_day, duration_s, start, end, user.timezone
                )
                check_day_total(s, user.id, new_day, seconds, now, exclude=row.id)
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
            # a running timer may lack a description; a finished entry whose
            # description or billable is being set must meet the rule
            touched = not running and (description is not UNSET or billable is not UNSET)
            warnings = [
                *description_rule(s, row, refuse=touched),
                *overlap_warnings(s, row, now, user.timezone),
            ]
            row.updated_at = now
            changed.append("updated_at")
            outbox.record(s, row, "update", fields=changed)
            return dto.SavedEntry(to_entry(s, row), tuple(warnings))

    def delete(
        self, user_id: str | None, entry_id: str, *, guard: Guard | None = None
    ) -> dto.Entry:
        """Tombstone an entry (a running timer is discarded)."""
        now = whole_seconds(self.now())
        with self.db.write() as s:
            user = require_user(s, user_id)
            if guard is not None:
                guard(s)
            row = find_entry(s, entry_id)
            actor = to_user(s, user)
            if not permissions.can_change_entries_of(actor, row.user_id):
                raise Forbidden("only the owner of an entry can delete it")
            check_not_exported(row, actor)
            if not outbox.is_held_back(s, row):  # a held-back row was never in its week
                check_week_open(s, user, row.work_date)
            row.deleted_at = now
            row.updated_at = now
            outbox.record(s, row, "delete", fields=["deleted_at"])
            return to_entry(s, row)
