"""The approvals list and a week's calendar, computed from aggregate queries.

Rules enforced here (shared by the approvals window and ``punchclock approvals``):

* The list of many sheets is read with a FIXED number of queries, whatever the
  number of people, weeks or entries: the owners and teams, the timesheet rows,
  the holidays, one ``GROUP BY user, day`` of the entries (totals, billable
  time), the running timers, one ``GROUP BY user, day, description`` of the
  billable entries (the description policy is judged once per distinct text)
  and one self-join that finds the overlapping pairs. No entry is turned into a
  :class:`~desktop.core.dto.Entry`; the entries of a sheet are read when it is
  selected (:meth:`TimesheetService.sheet`).
* ``warnings`` is the number of problems :func:`desktop.core.rules.week_problems`
  would report for a submit now (running timers, days over 24 h, each side of
  every overlap, description problems) — the same count as before, computed
  from the aggregates.
* The reviewer's warnings (``flags``): vague or missing descriptions, days over
  ``LONG_DAY_S`` (10 h), overlaps, a running timer, "submitted early" (before
  the week's last day ended in the owner's timezone) and "short" (logged more
  than 10 % below the scheduled hours, the mirror of DESIGN §5's over-allocation).
* Scheduled hours of a day = the user's schedule for that weekday, less company
  holidays and the user's time off (a day off removes at most the day's hours).
  Utilization = billable ÷ scheduled (none when nothing is scheduled).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, String, case, func, literal, or_, select, type_coerce
from sqlalchemy.orm import Session

from desktop.core import dto
from desktop.core.durations import format_duration
from desktop.core.model import Holiday, TimeEntry, Timesheet, User
from desktop.core.outbox import counted
from desktop.core.rules import (
    MAX_DAY_S,
    DescriptionPolicy,
    EntryFacts,
    description_problems,
    normalize_description,
)
from desktop.core.services.common import to_users
from desktop.core.timeutil import day_bounds_utc, format_week, week_start
from desktop.core.workflow import Actor, Role, SheetOwner, Status, allowed_actions

LONG_DAY_S = 10 * 3600
SHORT_RATIO = 0.9  # "short": more than 10 % below the scheduled hours
_Key = tuple[str, date]  # owner id, week start


def users_by_id(s: Session, rows: Iterable[User]) -> dict[str, dto.User]:
    """Plain users for many rows, by id (:func:`.common.to_users`)."""
    return {u.id: u for u in to_users(s, rows)}


def actions_for(actor: dto.User, owner: dto.User, status: str) -> tuple[str, ...]:
    """The workflow actions ``actor`` may take now on ``owner``'s week."""
    who = Actor(actor.id, Role(actor.role), actor.managed_team_ids)
    return tuple(
        a.value for a in allowed_actions(who, SheetOwner(owner.id, owner.team_id), Status(status))
    )


# ---------------------------------------------------------------- calendar


def days_off(
    s: Session, user_ids: Sequence[str], lo: date | None, hi: date | None
) -> dict[tuple[str | None, date], tuple[int, str]]:
    """(user id or None for the company, date) → (hours off, name), one query."""
    q = select(Holiday.user_id, Holiday.date, Holiday.hours_s, Holiday.name).where(
        counted(Holiday),
        Holiday.user_id.is_(None) | Holiday.user_id.in_(list(user_ids)),
    )
    if lo is not None:
        q = q.where(Holiday.date >= lo)
    if hi is not None:
        q = q.where(Holiday.date <= hi)
    return {(u, d): (h, n) for u, d, h, n in s.execute(q)}


def week_calendar(
    owner: dto.User, start: date, off: dict[tuple[str | None, date], tuple[int, str]]
) -> tuple[dto.DayInfo, ...]:
    """The seven days from ``start`` with their scheduled hours (see the module rule)."""
    out = []
    for i in range(7):
        day = start + timedelta(days=i)
        planned = owner.work_schedule_s[day.weekday()] if owner.work_schedule_s else 0
        company = off.get((None, day))
        personal = off.get((owner.id, day))
        off_s = min(planned, sum(x[0] for x in (company, personal) if x))
        names = [x[1] or label for x, label in ((company, "holiday"), (personal, "time off")) if x]
        out.append(
            dto.DayInfo(
                date=day,
                scheduled_s=planned - off_s,
                off_s=off_s if (company or personal) else 0,
                off_name=", ".join(names),
                workday=planned > 0,
            )
        )
    return tuple(out)


def week_end_utc(owner: dto.User, start: date) -> datetime:
    """The instant the week's last day ends in the owner's timezone."""
    return day_bounds_utc(start + timedelta(days=6), owner.timezone)[1]


def submit_question(week: str, total_s: int, scheduled_s: int, ended: bool) -> str | None:
    """What to ask before a submit that is early (the week has not ended) or short
    (fewer hours logged than scheduled); None when neither."""
    why = []
    if not ended:
        why.append(f"week {week} has not ended yet")
    if total_s < scheduled_s:
        why.append("fewer hours are logged than scheduled")
    if not why:
        return None
    reason = " and ".join(why)
    return (
        f"Submit {format_duration(total_s)} of {format_duration(scheduled_s)}? "
        f"({reason[:1].upper()}{reason[1:]}.)"
    )


# --------------------------------------------------------------- aggregates


@dataclass
class _Week:
    total_s: int = 0
    billable_s: int = 0
    day_s: dict[date, int] = field(default_factory=dict)  # stored durations (24 h rule)
    running: int = 0
    vague: int = 0
    short: int = 0
    overlaps: int = 0


def aggregate_empty() -> _Week:
    """The aggregates of a week with no entries."""
    return _Week()


def _entry_scope(
    owner_ids: Sequence[str], lo: date | None, hi: date | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        counted(TimeEntry),
        TimeEntry.user_id.in_(list(owner_ids)),
    ]
    if lo is not None:
        where.append(TimeEntry.work_date >= lo)
    if hi is not None:
        where.append(TimeEntry.work_date <= hi)
    return where


_BLANKS = " \t\n\r"


def may_break_policy(policy: DescriptionPolicy) -> ColumnElement[bool]:
    """A superset, in SQL, of the descriptions the policy refuses — too short
    after trimming, or holding the first word of a vague phrase (a vague text,
    once normalized, is that phrase) — so that only those few are read and
    judged exactly by :func:`description_problems`. A phrase that is not plain
    ASCII (SQLite's LIKE folds ASCII case only) makes every text a candidate."""
    text = TimeEntry.description
    short = func.length(func.trim(text, _BLANKS)) < policy.min_length
    words = {normalize_description(v).split(" ")[0] for v in policy.vague}
    words.discard("")
    if any(not w.isascii() or not w.isalnum() for w in words):
        return literal(True)
    return or_(short, *(text.like(f"%{w}%") for w in sorted(words)))


def aggregate_weeks(
    s: Session,
    owners: dict[str, dto.User],
    lo: date | None,
    hi: date | None,
    policy: DescriptionPolicy,
    now: datetime,
) -> dict[_Key, _Week]:
    """Per (owner, week start): totals, the 24 h days, running timers, description
    problems and overlaps, from four queries (see the module rule)."""
    ids = list(owners)
    weeks: dict[_Key, _Week] = defaultdict(_Week)
    if not ids:
        return weeks

    def key(user_id: str, day: date) -> _Key:
        return user_id, week_start(day, owners[user_id].first_weekday)

    scope = _entry_scope(ids, lo, hi)
    billable_s = func.sum(case((TimeEntry.billable, TimeEntry.duration_s), else_=0))
    for user_id, day, total, billable in s.execute(
        select(TimeEntry.user_id, TimeEntry.work_date, func.sum(TimeEntry.duration_s), billable_s)
        .where(*scope)
        .group_by(TimeEntry.user_id, TimeEntry.work_date)
    ):
        w = weeks[key(user_id, day)]
        w.total_s += int(total or 0)
        w.billable_s += int(billable or 0)
        w.day_s[day] = int(total or 0)
    running_where = [*scope, TimeEntry.started_at.is_not(None), TimeEntry.ended_at.is_(None)]
    for user_id, day, started, stored, billable in s.execute(
        select(
            TimeEntry.user_id,
            TimeEntry.work_date,
            TimeEntry.started_at,
            TimeEntry.duration_s,
            TimeEntry.billable,
        ).where(*running_where)
    ):
        w = weeks[key(user_id, day)]
        assert started is not None  # the query asks for started timers
        elapsed = max(0, int((now - started).total_seconds())) - stored
        w.total_s += elapsed
        w.billable_s += elapsed if billable else 0
        w.running += 1
    verdict: dict[str, str | None] = {}
    for user_id, day, text, n in s.execute(
        select(TimeEntry.user_id, TimeEntry.work_date, TimeEntry.description, func.count())
        .where(*scope, TimeEntry.billable.is_(True), may_break_policy(policy))
        .group_by(TimeEntry.user_id, TimeEntry.work_date, TimeEntry.description)
    ):
        if text not in verdict:
            facts = EntryFacts("", day, None, None, 0, True, text, False)
            found = description_problems(policy, facts)
            verdict[text] = found[0].code if found else None
        code = verdict[text]
        if code == "vague_description":
            weeks[key(user_id, day)].vague += int(n)
        elif code is not None:
            weeks[key(user_id, day)].short += int(n)
    for user_id, day_a, day_b in _overlapping_pairs(s, ids, lo, hi, now):
        k = key(user_id, day_a)
        if k == key(user_id, day_b):
            weeks[k].overlaps += 1
    return weeks


def _overlapping_pairs(
    s: Session, ids: list[str], lo: date | None, hi: date | None, now: datetime
) -> list[tuple[str, date, date]]:
    """(owner, day of one, day of the other) of every pair of the owner's timed
    entries whose [start, end) ranges intersect (a running one ends now).

    One query reads the timed entries' instants in each owner's start order, as
    the stored text (fixed-width ISO, so text order is time order: no datetime
    is built), and one sweep finds the pairs: an entry starting after every
    earlier one ended overlaps none; otherwise it overlaps each earlier one
    still open (the rule of :func:`desktop.core.rules.find_overlaps`)."""
    moment = literal(now, TimeEntry.started_at.type)
    end = func.coalesce(TimeEntry.ended_at, moment)
    where = [
        counted(TimeEntry),
        TimeEntry.user_id.in_(ids),
        TimeEntry.started_at.is_not(None),
        end > TimeEntry.started_at,
    ]
    if lo is not None:
        where.append(TimeEntry.work_date >= lo)
    if hi is not None:
        where.append(TimeEntry.work_date <= hi)
    q = (
        select(
            TimeEntry.user_id,
            type_coerce(TimeEntry.work_date, String),
            type_coerce(TimeEntry.started_at, String),
            type_coerce(end, String),
        )
        .where(*where)
        .order_by(TimeEntry.user_id, TimeEntry.started_at)
    )
    pairs: list[tuple[str, date, date]] = []
    owner: str | None = None
    active: list[tuple[str, str]] = []  # (end, work date) of the entries still open
    reach = ""  # the latest end among them
    for user_id, day, start, stop in s.execute(q):
        if user_id != owner:
            owner, active, reach = user_id, [], ""
        if start >= reach:  # everything before has ended: the usual case
            active, reach = [(stop, day)], stop
            continue
        active = [a for a in active if a[0] > start]
        pairs.extend((user_id, date.fromisoformat(d), date.fromisoformat(day)) for _e, d in active)
        active.append((stop, day))
        reach = max(reach, stop)
    return pairs


# ------------------------------------------------------------------ summary


def problem_count(w: _Week) -> int:
    """What :func:`week_problems` would count for the week (see the module rule)."""
    over_24h = sum(1 for v in w.day_s.values() if v > MAX_DAY_S)
    return w.running + over_24h + 2 * w.overlaps + w.vague + w.short


def flags(w: _Week, sheet: dto.Sheet, scheduled_s: int, week_end: datetime) -> tuple[str, ...]:
    """The reviewer's warnings of one week, in words (see the module rule)."""
    out: list[str] = []
    if w.vague:
        out.append(f"{w.vague} vague description{'s' if w.vague != 1 else ''}")
    if w.short:
        out.append(f"{w.short} missing or short description{'s' if w.short != 1 else ''}")
    long_days = sorted(d for d, v in w.day_s.items() if v > LONG_DAY_S)
    if long_days:
        out.append("over 10 h on " + ", ".join(d.strftime("%a") for d in long_days))
    if w.overlaps:
        out.append(f"{w.overlaps} overlap{'s' if w.overlaps != 1 else ''}")
    if w.running:
        out.append("timer running")
    if sheet.submitted_at is not None and sheet.submitted_at < week_end:
        out.append("submitted early")
    if scheduled_s and w.total_s < SHORT_RATIO * scheduled_s:
        out.append(f"short: {format_duration(w.total_s)} of {format_duration(scheduled_s)}")
    return tuple(out)


def scheduled_in_week(
    owner: dto.User, start: date, off: dict[tuple[str | None, date], tuple[int, str]]
) -> int:
    """The week's scheduled hours (the sum of :func:`week_calendar`'s days): a week
    holds each weekday once, less what days off take."""
    total = sum(owner.work_schedule_s)
    if off:
        for i in range(7):
            day = start + timedelta(days=i)
            taken = sum(x[0] for x in (off.get((None, day)), off.get((owner.id, day))) if x)
            if taken:
                total -= min(owner.work_schedule_s[day.weekday()], taken)
    return total


def summarize(
    reader: dto.User,
    owner: dto.User,
    sheet: dto.Sheet,
    w: _Week,
    off: dict[tuple[str | None, date], tuple[int, str]],
) -> dto.SheetSummary:
    scheduled = scheduled_in_week(owner, sheet.week_start, off)
    return dto.SheetSummary(
        sheet=sheet,
        name=owner.name,
        total_s=w.total_s,
        billable_s=w.billable_s,
        warnings=problem_count(w),
        team=owner.team,
        scheduled_s=scheduled,
        utilization_pct=round(100 * w.billable_s / scheduled) if scheduled else None,
        target_pct=owner.utilization_target,
        flags=flags(w, sheet, scheduled, week_end_utc(owner, sheet.week_start)),
        actions=actions_for(reader, owner, sheet.status),
    )


def plain_sheet(
    owner_id: str, owner_email: str, start: date, row: Timesheet | None, emails: dict[str, str]
) -> dto.Sheet:
    """A sheet from its row (None: a draft never transitioned) without a query;
    ``emails`` (user id → email) names the decider."""
    return dto.Sheet(
        id=row.id if row else None,
        user_id=owner_id,
        user=owner_email,
        week_start=start,
        week=format_week(start),
        status=row.status if row else Status.DRAFT.value,
        note=row.note if row else None,
        submitted_at=row.submitted_at if row else None,
        decided_at=row.decided_at if row else None,
        decided_by=emails.get(row.decided_by) if row and row.decided_by else None,
    )
