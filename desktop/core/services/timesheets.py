"""Timesheets: the weekly grid and the approval workflow (DESIGN §4).

Rules this service enforces:

* A week starts on the owner's first weekday (Monday by default). Its timesheet
  is created on demand, in draft: a week with no row yet *is* a draft, and the
  row is written by its first transition.
* The grid's rows are the customer › project › task combinations with time in
  the week; a cell holds the seconds of that combination on that day (a
  running timer counts up to now) and the ids of the entries behind it.
* Setting a cell (the grid's edit) is the owner's: it edits the single entry
  behind the cell, creates one with source "grid" when there is none, deletes
  the single entry when set to 0, and is refused, listing the entries, when
  several are behind it. The edit goes through
  :class:`~desktop.core.services.tracking.TrackingService`, so every entry rule
  (locked weeks, 24 h days, outbox) applies unchanged.
* Every transition is checked by :func:`desktop.core.workflow.check_transition`
  (who, then state, then the reason/note), and submit additionally needs an
  empty :func:`desktop.core.rules.week_problems` under the company's
  description policy: EVERY problem is reported, each with its entry.
* A transition writes, in ONE transaction, the timesheet row, an append-only
  ``timesheet_event`` (actor, from, to, comment, time, the content hash of the
  week's entries at that moment) and, for reject, the per-entry reasons; each
  changed row gets its outbox row. The sheet's note is the comment of its last
  transition (the rejection reason, the return note, the reopen reason).
* Reading a week (grid, history) needs :func:`permissions.can_read_entries_of`;
  the approvals list shows a manager their teams' weeks and an admin everyone's,
  never the reader's own week (nobody decides on their own week).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from desktop.core import dto, outbox, permissions
from desktop.core.db import Database
from desktop.core.errors import Forbidden, NotFound, Problem, ValidationError
from desktop.core.model import TimeEntry, Timesheet, TimesheetEvent, User
from desktop.core.rules import MAX_DAY_S, EntryFacts, check_description_text, week_problems
from desktop.core.services.common import (
    Clock,
    Service,
    find_user,
    require_user,
    to_entry,
    to_user,
)
from desktop.core.services.company import load_policy
from desktop.core.services.tracking import TrackingService, resolve_target
from desktop.core.timeutil import format_week, utcnow, week_days, week_start
from desktop.core.workflow import (
    Action,
    Actor,
    Role,
    SheetOwner,
    Status,
    check_entry_editable,
    check_transition,
    make_event,
)

_HASHED = (
    "id",
    "customer_id",
    "project_id",
    "task_id",
    "work_date",
    "started_at",
    "ended_at",
    "duration_s",
    "description",
    "billable",
)


# ------------------------------------------------------------------ helpers


def _actor(u: dto.User) -> Actor:
    return Actor(u.id, Role(u.role), u.managed_team_ids)


def _find_sheet(s: Session, user_id: str, start: date) -> Timesheet | None:
    return s.scalar(
        select(Timesheet).where(
            Timesheet.user_id == user_id,
            Timesheet.week_start == start,
            Timesheet.deleted_at.is_(None),
        )
    )


def _week_rows(s: Session, user_id: str, start: date) -> list[TimeEntry]:
    return list(
        s.scalars(
            select(TimeEntry)
            .where(
                TimeEntry.user_id == user_id,
                TimeEntry.deleted_at.is_(None),
                TimeEntry.work_date >= start,
                TimeEntry.work_date <= start + timedelta(days=6),
            )
            .order_by(TimeEntry.work_date, TimeEntry.started_at, TimeEntry.created_at)
        )
    )


def _facts(row: TimeEntry) -> EntryFacts:
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


def _content(row: TimeEntry) -> dict[str, object]:
    return {key: getattr(row, key) for key in _HASHED}


def _to_sheet(s: Session, owner: User, start: date, row: Timesheet | None) -> dto.Sheet:
    decider = s.get(User, row.decided_by) if row is not None and row.decided_by else None
    return dto.Sheet(
        id=row.id if row else None,
        user_id=owner.id,
        user=owner.email,
        week_start=start,
        week=format_week(start),
        status=row.status if row else Status.DRAFT.value,
        note=row.note if row else None,
        submitted_at=row.submitted_at if row else None,
        decided_at=row.decided_at if row else None,
        decided_by=decider.email if decider else None,
    )


def build_grid(sheet: dto.Sheet, entries: Iterable[dto.Entry], now: datetime) -> dto.Grid:
    """The grid of a week from its entries (pure; see the module rule)."""
    days = tuple(week_days(sheet.week_start))
    index = {d: i for i, d in enumerate(days)}
    cells: dict[tuple[str, str | None, str | None], list[list[dto.Entry]]] = {}
    first: dict[tuple[str, str | None, str | None], dto.Entry] = {}
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
    rows.sort(key=lambda r: (r.customer.lower(), (r.project or "").lower(), (r.task or "").lower()))
    day_totals = tuple(sum(r.cells[i].seconds for r in rows) for i in range(len(days)))
    total = sum(day_totals)
    billable = sum(r.billable_s for r in rows)
    return dto.Grid(sheet, days, tuple(rows), day_totals, total, billable, total - billable)


class TimesheetService(Service):
    """The weekly grid, the submit/approve workflow and its audit trail (see the
    module rules)."""

    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        super().__init__(db, clock)
        self.tracking = TrackingService(db, clock)

    # ----------------------------------------------------------------- reads

    def _owner(self, s: Session, actor: dto.User, user: str | None) -> User:
        owner = find_user(s, user) if user else require_user(s, actor.id)
        if not permissions.can_read_entries_of(actor, to_user(s, owner)):
            raise NotFound(f'no timesheets of "{user}" that you may see')
        return owner

    def week(self, actor_id: str | None, day: date, *, user: str | None = None) -> dto.Grid:
        """The grid of the week containing ``day`` (the actor's, or ``user``'s)."""
        with self.db.read() as s:
            actor = to_user(s, require_user(s, actor_id))
            owner = self._owner(s, actor, user)
            start = week_start(day, owner.first_weekday)
            sheet = _to_sheet(s, owner, start, _find_sheet(s, owner.id, start))
            entries = [to_entry(s, r) for r in _week_rows(s, owner.id, start)]
            return build_grid(sheet, entries, self.now())

    def history(
        self, actor_id: str | None, day: date, *, user: str | None = None
    ) -> list[dto.SheetEvent]:
        """The audit events of a week, oldest first."""
        with self.db.read() as s:
            actor = to_user(s, require_user(s, actor_id))
            owner = self._owner(s, actor, user)
            sheet = _find_sheet(s, owner.id, week_start(day, owner.first_weekday))
            if sheet is None:
                return []
            rows = s.scalars(
                select(TimesheetEvent)
                .where(TimesheetEvent.timesheet_id == sheet.id)
                # events share a timestamp under a fake clock: insertion order breaks ties
                .order_by(TimesheetEvent.at, literal_column("timesheet_event.rowid"))
            )
            out = []
            for r in rows:
                who = s.get(User, r.actor_id)
                out.append(
                    dto.SheetEvent(
                        r.action,
                        r.from_status,
                        r.to_status,
                        r.actor_id,
                        who.email if who else "",
                        r.comment,
                        r.at,
                        r.content_hash,
                    )
                )
            return out

    def approvals(
        self, actor_id: str | None, *, day: date | None = None, status: str = Status.SUBMITTED.value
    ) -> list[dto.SheetSummary]:
        """Weeks a manager (their teams) or an admin (everyone) reviews, filtered by
        status ("all" for every status) and optionally by the week of ``day``."""
        wanted = set(Status) if status == "all" else {_status(status)}
        now = self.now()
        with self.db.read() as s:
            actor = to_user(s, require_user(s, actor_id))
            if actor.role not in (permissions.MANAGER, permissions.ADMIN):
                raise Forbidden("only managers and admins review timesheets")
            policy = load_policy(s)
            out: list[dto.SheetSummary] = []
            for owner in s.scalars(select(User).where(User.deleted_at.is_(None))):
                if owner.id == actor.id or not (
                    actor.role == permissions.ADMIN or permissions.manages(actor, to_user(s, owner))
                ):
                    continue
                sheets = {
                    r.week_start: r
                    for r in s.scalars(
                        select(Timesheet).where(
                            Timesheet.user_id == owner.id, Timesheet.deleted_at.is_(None)
                        )
                    )
                }
                starts = set(sheets)
                if Status.DRAFT in wanted:  # weeks with time but no row yet are drafts
                    starts |= {
                        week_start(d, owner.first_weekday)
                        for d in s.scalars(
                            select(TimeEntry.work_date)
                            .distinct()
                            .where(TimeEntry.user_id == owner.id, TimeEntry.deleted_at.is_(None))
                        )
                    }
                if day is not None:
                    starts &= {week_start(day, owner.first_weekday)}
                for start in starts:
                    sheet = _to_sheet(s, owner, start, sheets.get(start))
                    if Status(sheet.status) not in wanted:
                        continue
                    rows = _week_rows(s, owner.id, start)
                    entries = [to_entry(s, r) for r in rows]
                    out.append(
                        dto.SheetSummary(
                            sheet=sheet,
                            name=owner.name,
                            total_s=sum(e.elapsed_s(now) for e in entries),
                            billable_s=sum(e.elapsed_s(now) for e in entries if e.billable),
                            warnings=len(week_problems([_facts(r) for r in rows], policy, now)),
                        )
                    )
            return sorted(out, key=lambda x: (x.sheet.week_start, x.sheet.user))

    # ------------------------------------------------------------------ grid

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
            sheet = _find_sheet(s, user.id, start)
            check_entry_editable(Status(sheet.status if sheet else "draft"), format_week(start))
            ids = (
                target.customer.id,
                target.project.id if target.project else None,
                target.task.id if target.task else None,
            )
            behind = [
                to_entry(s, r)
                for r in _week_rows(s, user.id, start)
                if r.work_date == day and (r.customer_id, r.project_id, r.task_id) == ids
            ]
        if len(behind) > 1:
            raise ValidationError(
                f"{len(behind)} entries are behind {behind[0].path} on {day.isoformat()}; "
                "edit those entries instead",
                problems=[
                    Problem(e.id, "several_entries", f"{e.description or '(no description)'}")
                    for e in behind
                ],
            )
        if behind and duration_s == 0:
            self.tracking.delete(user.id, behind[0].id)
        elif behind:
            self.tracking.edit(user.id, behind[0].id, duration_s=duration_s)
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
            )
        return self.week(user.id, start)

    # ------------------------------------------------------------- workflow

    def submit(self, actor_id: str | None, day: date) -> dto.Sheet:
        """The owner submits their week; refused with every problem listed."""
        return self._transition(actor_id, None, day, Action.SUBMIT)

    def recall(self, actor_id: str | None, day: date) -> dto.Sheet:
        """The owner takes a submitted week back to draft before a decision."""
        return self._transition(actor_id, None, day, Action.RECALL)

    def approve(self, actor_id: str | None, user: str, day: date) -> dto.Sheet:
        """The owner's team manager or an admin (never the owner) approves."""
        return self._transition(actor_id, user, day, Action.APPROVE)

    def reject(
        self,
        actor_id: str | None,
        user: str,
        day: date,
        reason: str,
        entry_reasons: Mapping[str, str] | None = None,
    ) -> dto.Sheet:
        """Reject with a reason; ``entry_reasons`` (entry id → reason) mark single
        entries, which carry the reason until they are edited."""
        return self._transition(actor_id, user, day, Action.REJECT, reason, entry_reasons or {})

    def return_for_revision(
        self, actor_id: str | None, user: str, day: date, note: str
    ) -> dto.Sheet:
        """Send a submitted week back with a note saying what to fix."""
        return self._transition(actor_id, user, day, Action.RETURN, note)

    def reopen(self, actor_id: str | None, user: str, day: date, reason: str) -> dto.Sheet:
        """An admin reopens an approved week (to returned); a reason is required."""
        return self._transition(actor_id, user, day, Action.REOPEN, reason)

    def _transition(
        self,
        actor_id: str | None,
        user: str | None,
        day: date,
        action: Action,
        comment: str | None = None,
        entry_reasons: Mapping[str, str] | None = None,
    ) -> dto.Sheet:
        now = self.now()
        with self.db.write() as s:
            actor = to_user(s, require_user(s, actor_id))
            owner = find_user(s, user) if user else require_user(s, actor.id)
            start = week_start(day, owner.first_weekday)
            label = format_week(start)
            sheet = _find_sheet(s, owner.id, start)
            status = Status(sheet.status) if sheet else Status.DRAFT
            target = check_transition(
                _actor(actor),
                SheetOwner(owner.id, owner.team_id),
                status,
                action,
                comment,
                week_label=label,
            )
            rows = _week_rows(s, owner.id, start)
            if action is Action.SUBMIT:
                problems = week_problems([_facts(r) for r in rows], load_policy(s), now)
                if problems:
                    raise ValidationError(
                        f"week {label} can't be submitted: {len(problems)} "
                        f"problem{'s' if len(problems) != 1 else ''}",
                        problems=problems,
                    )
            event = make_event(
                action=action,
                from_status=status,
                actor_id=actor.id,
                comment=comment,
                at=now,
                entries=[_content(r) for r in rows],
            )
            if entry_reasons:
                _mark_rejected(s, rows, entry_reasons, label, now)
            if sheet is None:
                sheet = Timesheet(user_id=owner.id, week_start=start, status=status.value)
                s.add(sheet)
                before: dict[str, Any] | None = None
            else:
                before = outbox.row_data(sheet)
            sheet.status, sheet.note, sheet.updated_at = target.value, event.comment, now
            if action is Action.SUBMIT:
                sheet.submitted_at, sheet.decided_at, sheet.decided_by = now, None, None
            elif action is Action.RECALL:
                sheet.submitted_at = None
            else:
                sheet.decided_at, sheet.decided_by = now, actor.id
            if before is None:
                outbox.record(s, sheet, "create")
            else:
                after = outbox.row_data(sheet)
                outbox.record(
                    s, sheet, "update", fields=[k for k in after if after[k] != before[k]]
                )
            audit = TimesheetEvent(
                timesheet_id=sheet.id,
                actor_id=actor.id,
                action=event.action.value,
                from_status=event.from_status.value,
                to_status=event.to_status.value,
                comment=event.comment,
                at=event.at,
                content_hash=event.content_hash,
                updated_at=now,
            )
            s.add(audit)
            outbox.record(s, audit, "create")
            return _to_sheet(s, owner, start, sheet)


def _status(text: str) -> Status:
    try:
        return Status(text)
    except ValueError:
        names = ", ".join(x.value for x in Status)
        raise ValidationError(f'unknown status "{text}"; use {names} or all') from None


def _mark_rejected(
    s: Session, rows: list[TimeEntry], reasons: Mapping[str, str], label: str, now: datetime
) -> None:
    """Put each per-entry reason on its entry; every unknown entry or empty reason
    is listed at once."""
    problems: list[Problem] = []
    marks: list[tuple[TimeEntry, str]] = []
    for ref, reason in reasons.items():
        key = ref.strip()
        found = [r for r in rows if r.id == key or (len(key) >= 6 and r.id.startswith(key))]
        text = check_description_text(reason)
        if len(found) != 1:
            problems.append(Problem(None, "not_in_week", f'entry "{ref}" is not in week {label}'))
        elif not text:
            problems.append(Problem(found[0].id, "reason_required", "the entry's reason is empty"))
        else:
            marks.append((found[0], text))
    if problems:
        raise ValidationError("some per-entry reasons can't be used", problems=problems)
    for row, text in marks:
        if row.rejection_reason != text:
            row.rejection_reason, row.updated_at = text, now
            outbox.record(s, row, "update", fields=["rejection_reason", "updated_at"])
