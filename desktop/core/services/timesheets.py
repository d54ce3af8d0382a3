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
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from desktop.core import dto, outbox, permissions
from desktop.core.errors import Forbidden, Problem, ValidationError
from desktop.core.model import TimeEntry, Timesheet, TimesheetEvent, User
from desktop.core.rules import check_description_text, week_problems
from desktop.core.services import sheetlist
from desktop.core.services.common import (
    Service,
    find_team,
    find_user,
    require_user,
    short_id,
    to_user,
)
from desktop.core.services.company import load_policy
from desktop.core.services.grid import (
    entry_facts,
    facts_of,
    find_sheet,
    readable_owner,
    to_sheet,
    week_entries,
    week_rows,
)
from desktop.core.timeutil import day_bounds_utc, format_week, week_start
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
            return self._events(s, sheet.id)

    def last_decision(self, actor_id: str | None) -> dto.Decision | None:
        """The latest reject or return of one of the actor's own weeks (one query),
        for the tray's notification; None when there was none."""
        with self.db.read() as s:
            user = require_user(s, actor_id)
            found = s.execute(
                select(TimesheetEvent, Timesheet.week_start, User.email)
                .join(Timesheet, Timesheet.id == TimesheetEvent.timesheet_id)
                .join(User, User.id == TimesheetEvent.actor_id, isouter=True)
                .where(
                    Timesheet.user_id == user.id,
                    Timesheet.deleted_at.is_(None),
                    TimesheetEvent.action.in_([Action.REJECT.value, Action.RETURN.value]),
                )
                .order_by(TimesheetEvent.at.desc(), literal_column("timesheet_event.rowid").desc())
                .limit(1)
            ).first()
            if found is None:
                return None
            event, start, email = found
            return dto.Decision(
                event.id,
                start,
                format_week(start),
                event.action,
                event.to_status,
                event.comment,
                email or "",
                event.at,
            )

    @staticmethod
    def _events(s: Session, sheet_id: str | None) -> list[dto.SheetEvent]:
        if sheet_id is None:
            return []
        rows = s.scalars(
            select(TimesheetEvent)
            .where(TimesheetEvent.timesheet_id == sheet_id)
            # events share a timestamp under a fake clock: insertion order breaks ties
            .order_by(TimesheetEvent.at, literal_column("timesheet_event.rowid"))
        )
        emails = {uid: email for uid, email in s.execute(select(User.id, User.email))}
        return [
            dto.SheetEvent(
                r.action,
                r.from_status,
                r.to_status,
                r.actor_id,
                emails.get(r.actor_id, ""),
                r.comment,
                r.at,
                r.content_hash,
            )
            for r in rows
        ]

    def approvals(
        self,
        actor_id: str | None,
        *,
        day: date | None = None,
        until: date | None = None,
        status: str = Status.SUBMITTED.value,
        team: str | None = None,
        user: str | None = None,
    ) -> list[dto.SheetSummary]:
        """Weeks a manager (their teams) or an admin (everyone) reviews, filtered by
        status ("all" for every status), optionally by the week of ``day`` (to the
        week of ``until`` for a range), a team (name or id) and a technician
        (email or id). A fixed number of queries (:mod:`.sheetlist`)."""
        wanted = set(Status) if status == "all" else {_status(status)}
        now = self.now()
        with self.db.read() as s:
            actor = to_user(s, require_user(s, actor_id))
            if actor.role not in (permissions.MANAGER, permissions.ADMIN):
                raise Forbidden("only managers and admins review timesheets")
            return self._summaries(s, actor, wanted, day, until or day, team, user, now)

    def _summaries(
        self,
        s: Session,
        actor: dto.User,
        wanted: set[Status],
        first: date | None,
        last: date | None,
        team: str | None,
        user: str | None,
        now: datetime,
    ) -> list[dto.SheetSummary]:
        owners, emails = self._reviewed(s, actor, team, user)
        if not owners:
            return []
        lo = first - timedelta(days=6) if first else None
        hi = last + timedelta(days=6) if last else None

        def in_range(owner: dto.User, start: date) -> bool:
            fw = owner.first_weekday
            return (first is None or start >= week_start(first, fw)) and (
                last is None or start <= week_start(last, fw)
            )

        q = select(Timesheet).where(
            Timesheet.deleted_at.is_(None), Timesheet.user_id.in_(list(owners))
        )
        if lo is not None:
            q = q.where(Timesheet.week_start >= lo)
        if hi is not None:
            q = q.where(Timesheet.week_start <= hi)
        sheets = {(r.user_id, r.week_start): r for r in s.scalars(q)}
        if Status.DRAFT not in wanted:  # only the weeks of wanted rows need aggregates
            sheets = {k: r for k, r in sheets.items() if Status(r.status) in wanted}
            if not sheets:
                return []
            lo = max(lo or date.min, min(k[1] for k in sheets))
            hi = min(hi or date.max, max(k[1] for k in sheets) + timedelta(days=6))
        weeks = sheetlist.aggregate_weeks(s, owners, lo, hi, load_policy(s), now)
        keys = set(sheets)
        if Status.DRAFT in wanted:  # weeks with time but no row yet are drafts
            keys |= set(weeks)
        off = sheetlist.days_off(s, list(owners), lo, hi)
        out: list[dto.SheetSummary] = []
        for uid, start in keys:
            owner = owners[uid]
            if not in_range(owner, start):
                continue
            row = sheets.get((uid, start))
            sheet = sheetlist.plain_sheet(owner.id, owner.email, start, row, emails)
            if Status(sheet.status) not in wanted:
                continue
            week = weeks.get((uid, start)) or sheetlist.aggregate_empty()
            out.append(sheetlist.summarize(actor, owner, sheet, week, off))
        return sorted(out, key=lambda x: (x.sheet.week_start, x.sheet.user))

    @staticmethod
    def _reviewed(
        s: Session, actor: dto.User, team: str | None, user: str | None
    ) -> tuple[dict[str, dto.User], dict[str, str]]:
        """The people whose weeks ``actor`` reviews (never their own), filtered by
        team and user; and every user's email by id."""
        rows = list(s.scalars(select(User).where(User.deleted_at.is_(None))))
        people = sheetlist.users_by_id(s, rows)
        wanted_team = find_team(s, team).id if team else None
        wanted_user = find_user(s, user).id if user else None
        owners = {
            uid: u
            for uid, u in people.items()
            if uid != actor.id
            and (actor.role == permissions.ADMIN or permissions.manages(actor, u))
            and (wanted_team is None or u.team_id == wanted_team)
            and (wanted_user is None or uid == wanted_user)
        }
        return owners, {r.id: r.email for r in rows}

    def sheet(self, actor_id: str | None, user: str, day: date) -> dto.SheetDetail:
        """One reviewed week, read when it is selected: its summary, entries, the
        problems a submit would report now, and its history."""
        now = self.now()
        with self.db.read() as s:
            actor = to_user(s, require_user(s, actor_id))
            owner = readable_owner(s, actor, user)
            start = week_start(day, owner.first_weekday)
            found = self._summaries(s, actor, set(Status), start, start, None, owner.id, now)
            if found:
                summary = found[0]
            else:  # the reader's own week, or a week with nothing in it
                plain = sheetlist.users_by_id(s, [owner])[owner.id]
                sheet = to_sheet(s, owner, start, find_sheet(s, owner.id, start))
                off = sheetlist.days_off(s, [owner.id], start, start + timedelta(days=6))
                summary = sheetlist.summarize(actor, plain, sheet, sheetlist.aggregate_empty(), off)
            entries = week_entries(s, owner.id, start)
            problems = week_problems([facts_of(e) for e in entries], load_policy(s), now)
            return dto.SheetDetail(
                summary=summary,
                entries=tuple(entries),
                problems=tuple(problems),
                history=tuple(self._events(s, summary.sheet.id)),
            )

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
        if comment is not None:
            comment = check_description_text(comment, "reason")
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
            if action is Action.SUBMIT and now < day_bounds_utc(start, owner.timezone)[0]:
                raise ValidationError(f"week {label} has not started yet; it can't be submitted")
            if action is Action.SUBMIT:
                problems = week_problems([entry_facts(r) for r in rows], load_policy(s), now)
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
            problems.append(
                Problem(None, "not_in_week", f'entry "{short_id(ref)}" is not in week {label}')
            )
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
