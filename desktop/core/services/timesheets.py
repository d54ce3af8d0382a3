"""Timesheets: the approval workflow and its audit trail. The weekly
grid, and what a week and its timesheet row are, live in
:mod:`desktop.core.services.grid`.

Rules this service enforces:

* Every transition is checked by :func:`desktop.core.workflow.check_transition`
  (who, then state, then the reason/note), and submit additionally needs an
  empty :func:`desktop.core.rules.week_problems` under the company's
  description policy: EVERY problem is reported, each with its entry.
* A transition writes, in ONE transaction, the timesheet row (created by the
  week's first transition), an append-only ``timesheet_event`` (actor, from, to,
  comment, time, the content hash of the week's entries at that moment) and, for
  reject, the per-entry reasons. The sheet's note is the comment of its last
  transition (the rejection reason, the return note, the reopen reason).
* The outbox gets ONE ``action`` mutation per transition
  (:func:`desktop.core.outbox.record_action`: action, owner, week, comment,
  per-entry reasons), never the raw sheet, event or reason rows: the server
  re-runs the transition, writes those rows itself and sends them back through
  pull. The local rows are provisional (the event keeps version 0) and the
  mutation carries what they were before, so a transition the server refuses
  can be taken back.
* Reading a week's history needs :func:`permissions.can_read_entries_of`;
  the approvals list shows a manager their teams' weeks and an admin everyone's,
  never the reader's own week (nobody decides on their own week).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from desktop.core import dto, outbox, permissions
from desktop.core.errors import Forbidden, Problem, ValidationError
from desktop.core.model import TimeEntry, Timesheet, TimesheetEvent, User
from desktop.core.rules import EntryFacts, check_description_text, week_problems
from desktop.core.services.common import Service, find_user, require_user, to_entry, to_user
from desktop.core.services.company import load_policy
from desktop.core.services.grid import find_sheet, readable_owner, to_sheet, week_rows
from desktop.core.timeutil import format_week, week_start
from desktop.core.workflow import (
    ENTRY_HASH_FIELDS,
    Action,
    Actor,
    Role,
    SheetOwner,
    Status,
    check_transition,
    make_event,
)

_HASHED = ENTRY_HASH_FIELDS


# ------------------------------------------------------------------ helpers


def _actor(u: dto.User) -> Actor:
    return Actor(u.id, Role(u.role), u.managed_team_ids)


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


class TimesheetService(Service):
    """The submit/approve workflow and its audit trail (see the module rules)."""

    # ----------------------------------------------------------------- reads

    def history(
        self, actor_id: str | None, day: date, *, user: str | None = None
    ) -> list[dto.SheetEvent]:
        """The audit events of a week, oldest first."""
        with self.db.read() as s:
            actor = to_user(s, require_user(s, actor_id))
            owner = readable_owner(s, actor, user)
            sheet = find_sheet(s, owner.id, week_start(day, owner.first_weekday))
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
                    sheet = to_sheet(s, owner, start, sheets.get(start))
                    if Status(sheet.status) not in wanted:
                        continue
                    rows = week_rows(s, owner.id, start)
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
            sheet = find_sheet(s, owner.id, start)
            status = Status(sheet.status) if sheet else Status.DRAFT
            target = check_transition(
                _actor(actor),
                SheetOwner(owner.id, owner.team_id),
                status,
                action,
                comment,
                week_label=label,
            )
            rows = week_rows(s, owner.id, start)
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
            reasons: dict[str, str] = {}
            previous: dict[str, str | None] = {}
            if entry_reasons:
                reasons, previous = _mark_rejected(s, rows, entry_reasons, label, now)
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
            outbox.record_action(
                s,
                sheet,
                {
                    "action": action.value,
                    "user_id": owner.id,
                    "week_start": start.isoformat(),
                    "comment": event.comment,
                    "entry_reasons": reasons,
                },
                undo={"sheet": before, "reasons": previous},
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
            return to_sheet(s, owner, start, sheet)


def _status(text: str) -> Status:
    try:
        return Status(text)
    except ValueError:
        names = ", ".join(x.value for x in Status)
        raise ValidationError(f'unknown status "{text}"; use {names} or all') from None


def _mark_rejected(
    s: Session, rows: list[TimeEntry], reasons: Mapping[str, str], label: str, now: datetime
) -> tuple[dict[str, str], dict[str, str | None]]:
    """Put each per-entry reason on its entry; every unknown entry or empty reason
    is listed at once. Returns the reasons by full entry id, and each entry's
    reason before."""
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
    previous: dict[str, str | None] = {}
    for row, text in marks:
        previous[row.id] = row.rejection_reason
        if row.rejection_reason != text:
            row.rejection_reason, row.updated_at = text, now
    return {row.id: text for row, text in marks}, previous
