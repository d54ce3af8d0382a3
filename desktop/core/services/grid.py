"""The weekly grid: a week's timesheet row, its entries and the grid.

Rules this service enforces:

* A week starts on the owner's first weekday (Monday by default). Its timesheet
  is created on demand, in draft: a week with no row yet *is* a draft, and the
  row is written by its first transition
  (:class:`~desktop.core.services.timesheets.TimesheetService`).
* The grid's rows are the customer › project › task combinations with time in
  the week; a cell holds the seconds of that combination on that day (a
  running timer counts up to now) and the ids of the entries behind it.
* Setting a cell (the grid's edit) is the owner's: it edits the single entry
  behind the cell, creates one with source "grid" when there is none (its
  description: the one typed, else the row's last one — billable time needs
  one, :func:`desktop.core.rules.entry_description_check`), deletes
  the single entry when set to 0, and is refused, listing the entries, when
  several are behind it. The edit goes through
  :class:`~desktop.core.services.tracking.TrackingService`, so every entry rule
  (locked weeks, 24 h days, outbox) applies unchanged, and its write transaction
  re-checks the entries behind the cell: if another process changed them since
  they were read, the edit is refused (Conflict) and nothing is written.
* Reading a week needs :func:`permissions.can_read_entries_of`.

The session-level helpers here (:func:`find_sheet`, :func:`week_rows`,
:func:`to_sheet`, :func:`readable_owner`) are shared with the approval workflow.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.core import dto, permissions
from desktop.core.db import Database
from desktop.core.errors import Conflict, NotFound, Problem, ValidationError
from desktop.core.model import Customer, Project, Task, TimeEntry, Timesheet, User
from desktop.core.outbox import counted
from desktop.core.rules import (
    MAX_DAY_S,
    EntryFacts,
    entry_description_check,
    week_problems,
)
from desktop.core.services.common import (
    Clock,
    Service,
    find_user,
    require_user,
    select_entries,
    to_entry,
    to_user,
)
from desktop.core.services.company import load_policy
from desktop.core.services.entries import check_week_open, last_description, resolve_target
from desktop.core.services.sheetlist import (
    actions_for,
    days_off,
    plain_sheet,
    submit_question,
    week_calendar,
    week_end_utc,
)
from desktop.core.services.tracking import TrackingService
from desktop.core.timeutil import (
    day_bounds_utc,
    utcnow,
    week_days,
    week_start,
    work_date,
)
from desktop.core.workflow import Status, entries_locked

_Combination = tuple[str, str | None, str | None]  # customer, project, task ids


# ------------------------------------------------------- shared session helpers


def find_sheet(s: Session, user_id: str, start: date) -> Timesheet | None:
    """The timesheet row of the week from ``start``; None while it is a draft never
    transitioned."""
    return s.scalar(
        select(Timesheet).where(
            Timesheet.user_id == user_id,
            Timesheet.week_start == start,
            Timesheet.deleted_at.is_(None),
        )
    )


def week_rows(s: Session, user_id: str, start: date) -> list[TimeEntry]:
    """The live entries of the week from ``start``, in date and time order."""
    return list(
        s.scalars(
            select(TimeEntry)
            .where(
                TimeEntry.user_id == user_id,
                counted(TimeEntry),
                TimeEntry.work_date >= start,
                TimeEntry.work_date <= start + timedelta(days=6),
            )
            .order_by(TimeEntry.work_date, TimeEntry.started_at, TimeEntry.created_at)
        )
    )


def to_sheet(s: Session, owner: User, start: date, row: Timesheet | None) -> dto.Sheet:
    decider = s.get(User, row.decided_by) if row is not None and row.decided_by else None
    emails = {decider.id: decider.email} if decider else {}
    return plain_sheet(owner.id, owner.email, start, row, emails)


def readable_owner(s: Session, actor: dto.User, user: str | None) -> User:
    """The owner of the weeks to read: ``user``, or the actor; refused (as not
    found) when the actor may not read their entries."""
    owner = find_user(s, user) if user else require_user(s, actor.id)
    if not permissions.can_read_entries_of(actor, to_user(s, owner)):
        raise NotFound(f'no timesheets of "{user}" that you may see')
    return owner


def entry_facts(row: TimeEntry) -> EntryFacts:
    """What the rules need to know about one stored entry."""
    return EntryFacts(
        id=row.id,
        work_date=row.work_date,
        started_at=row.started_at,
        ended_at=row.ended_at,
        duration_s=row.duration_s,
        billable=row.billable,
        description=row.description,
        running=row.started_at is not None and row.ended_at is None,
    )


def facts_of(e: dto.Entry) -> EntryFacts:
    """What the rules need to know about one entry read by :func:`week_entries`."""
    return EntryFacts(
        e.id, e.work_date, e.started_at, e.ended_at, e.duration_s, e.billable, e.description,
        e.running,
    )


def week_entries(s: Session, user_id: str, start: date) -> list[dto.Entry]:
    """The live entries of the week from ``start`` as plain entries, in date and
    time order (the order of :func:`week_rows`), with a fixed number of queries."""
    return select_entries(
        s,
        TimeEntry.user_id == user_id,
        TimeEntry.work_date >= start,
        TimeEntry.work_date <= start + timedelta(days=6),
    )


def _cell_rows(
    s: Session, user_id: str, start: date, day: date, ids: _Combination
) -> list[TimeEntry]:
    return [
        r
        for r in week_rows(s, user_id, start)
        if r.work_date == day and (r.customer_id, r.project_id, r.task_id) == ids
    ]


# ------------------------------------------------------------------- grid


def row_order(r: dto.GridRow) -> tuple[str, str, str]:
    """Grid rows by customer, project, task name."""
    return (r.customer.lower(), (r.project or "").lower(), (r.task or "").lower())


def build_grid(sheet: dto.Sheet, entries: Iterable[dto.Entry], now: datetime) -> dto.Grid:
    """The grid of a week from its entries (pure; see the module rule)."""
    days = tuple(week_days(sheet.week_start))
    index = {d: i for i, d in enumerate(days)}
    cells: dict[_Combination, list[list[dto.Entry]]] = {}
    first: dict[_Combination, dto.Entry] = {}
    for e in entries:
        if e.work_date not in index:
            continue
        key = (e.customer_id, e.project_id, e.task_id)
        cells.setdefault(key, [[] for _ in days])[index[e.work_date]].append(e)
        first.setdefault(key, e)
    rows = []
    for key, per_day in cells.items():
        e = first[key]
        grid_cells = tuple(
            dto.GridCell(sum(x.elapsed_s(now) for x in day), tuple(x.id for x in day))
            for day in per_day
        )
        rows.append(
            dto.GridRow(
                customer_id=e.customer_id,
                customer=e.customer,
                project_id=e.project_id,
                project=e.project,
                task_id=e.task_id,
                task=e.task,
                task_ref=e.task_ref,
                cells=grid_cells,
                total_s=sum(c.seconds for c in grid_cells),
                billable_s=sum(x.elapsed_s(now) for day in per_day for x in day if x.billable),
            )
        )
    rows.sort(key=row_order)
    day_totals = tuple(sum(r.cells[i].seconds for r in rows) for i in range(len(days)))
    total = sum(day_totals)
    billable = sum(r.billable_s for r in rows)
    return dto.Grid(sheet, days, tuple(rows), day_totals, total, billable, total - billable)


class GridService(Service):
    """A week's grid and its cell edits (see the module rules)."""

    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        super().__init__(db, clock)
        self.tracking = TrackingService(db, clock)

    def week(self, actor_id: str | None, day: date, *, user: str | None = None) -> dto.Grid:
        """The grid of the week containing ``day`` (the actor's, or ``user``'s)."""
        with self.db.read() as s:
            actor = to_user(s, require_user(s, actor_id))
            owner = readable_owner(s, actor, user)
            start = week_start(day, owner.first_weekday)
            sheet = to_sheet(s, owner, start, find_sheet(s, owner.id, start))
            return build_grid(sheet, week_entries(s, owner.id, start), self.now())

    def week_view(
        self, actor_id: str | None, day: date, *, user: str | None = None
    ) -> dto.WeekView:
        """What the timesheet window shows of the week containing ``day``: the grid,
        its entries, the calendar (scheduled hours after holidays and time off), the
        problems a submit would report now, the actions the actor may take and why
        the entries are locked, if they are."""
        now = self.now()
        with self.db.read() as s:
            actor = to_user(s, require_user(s, actor_id))
            owner_row = readable_owner(s, actor, user)
            owner = actor if owner_row.id == actor.id else to_user(s, owner_row)
            start = week_start(day, owner.first_weekday)
            sheet = to_sheet(s, owner_row, start, find_sheet(s, owner.id, start))
            entries = tuple(week_entries(s, owner.id, start))
            facts = [facts_of(e) for e in entries]
            problems = tuple(week_problems(facts, load_policy(s), now))
            off = days_off(s, [owner.id], start, start + timedelta(days=6))
        calendar = week_calendar(owner, start, off)
        status = Status(sheet.status)
        locked = None
        if entries_locked(status):
            locked = f"week {sheet.week} is {status.value}; its entries can't be changed"
        elif not permissions.can_change_entries_of(actor, owner.id):
            locked = f"only {owner.name} can change the entries of their week"
        grid = build_grid(sheet, entries, now)
        scheduled = sum(d.scheduled_s for d in calendar)
        ended = now >= week_end_utc(owner, start)
        return dto.WeekView(
            grid=grid,
            entries=entries,
            days=calendar,
            today=work_date(now, owner.timezone),
            problems=problems,
            actions=actions_for(actor, owner, sheet.status),
            locked=locked,
            scheduled_s=scheduled,
            ended=ended,
            future=now < day_bounds_utc(start, owner.timezone)[0],
            confirm_submit=submit_question(sheet.week, grid.total_s, scheduled, ended),
        )

    def previous_rows(self, actor_id: str | None, day: date) -> list[dto.GridRow]:
        """The rows (never the hours) of the week before the one containing ``day``:
        what "Copy rows from last week" adds, and what a new week starts with."""
        with self.db.read() as s:
            user = require_user(s, actor_id)
            start = week_start(day, user.first_weekday) - timedelta(days=7)
            combos = s.execute(
                select(TimeEntry.customer_id, TimeEntry.project_id, TimeEntry.task_id)
                .distinct()
                .where(
                    TimeEntry.user_id == user.id,
                    counted(TimeEntry),
                    TimeEntry.work_date >= start,
                    TimeEntry.work_date <= start + timedelta(days=6),
                )
            ).all()
            out = []
            empty = tuple(dto.GridCell(0, ()) for _ in range(7))
            for customer_id, project_id, task_id in combos:
                customer = s.get(Customer, customer_id)
                project = s.get(Project, project_id) if project_id else None
                task = s.get(Task, task_id) if task_id else None
                out.append(
                    dto.GridRow(
                        customer_id=customer_id,
                        customer=customer.name if customer else "",
                        project_id=project_id,
                        project=project.name if project else None,
                        task_id=task_id,
                        task=task.title if task else None,
                        task_ref=task.external_ref if task else None,
                        cells=empty,
                        total_s=0,
                        billable_s=0,
                    )
                )
        out.sort(key=row_order)
        return out

    def description_warning(self, text: str, billable: bool, day: date) -> str | None:
        """What the description policy says about ``text`` for an entry on ``day``
        (None: fine) — shown while typing, not only at submit."""
        with self.db.read() as s:
            policy = load_policy(s)
        check = entry_description_check(policy, billable=billable, description=text, work_date=day)
        return check.refusal or check.warning

    def set_cell(
        self,
        actor_id: str | None,
        day_in_week: date,
        *,
        customer: str | None,
        project: str | None,
        task: str | None,
        day_index: int,
        duration_s: int,
        description: str = "",
    ) -> dto.Grid:
        """Set the actor's hours of one row on one day of the week (see the module rule)."""
        if not 0 <= day_index <= 6:
            raise ValidationError("a week has days 0 (its first day) to 6")
        if not 0 <= duration_s <= MAX_DAY_S:
            raise ValidationError("a cell holds 0 to 24 hours")
        with self.db.read() as s:
            user = require_user(s, actor_id)
            target = resolve_target(s, customer, project, task)
            start = week_start(day_in_week, user.first_weekday)
            day = start + timedelta(days=day_index)
            check_week_open(s, user, day)
            ids = (
                target.customer.id,
                target.project.id if target.project else None,
                target.task.id if target.task else None,
            )
            behind = [to_entry(s, r) for r in _cell_rows(s, user.id, start, day, ids)]
            # a new cell without a typed description takes its row's last one
            # (copy descriptions, never time); billable time needs one
            description = description.strip() or last_description(s, user.id, *ids)
        if len(behind) > 1:
            raise ValidationError(
                f"{len(behind)} entries are behind {behind[0].path} on {day.isoformat()}; "
                "edit those entries instead",
                problems=[
                    Problem(e.id, "several_entries", f"{e.description or '(no description)'}")
                    for e in behind
                ],
            )
        seen = [e.id for e in behind]

        def unchanged(ws: Session) -> None:
            """Inside the write: the cell still has the entries read above."""
            if [r.id for r in _cell_rows(ws, user.id, start, day, ids)] != seen:
                raise Conflict(
                    f"the entries behind {behind[0].path if behind else 'this cell'} on "
                    f"{day.isoformat()} changed meanwhile; look at the week again"
                )

        if behind and duration_s == 0:
            self.tracking.delete(user.id, seen[0], guard=unchanged)
        elif behind:
            self.tracking.edit(user.id, seen[0], duration_s=duration_s, guard=unchanged)
        elif duration_s > 0:
            self.tracking.log(
                user.id,
                day=day,
                customer=ids[0],
                project=ids[1],
                task=ids[2],
                duration_s=duration_s,
                description=description,
                source="grid",
                guard=unchanged,
            )
        return self.week(user.id, start)
