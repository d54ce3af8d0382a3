"""What every report shares: the choices, periods and percentages, the SQL
helpers, and the scope (whose figures the reader may see, with their days off)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Integer, String, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from desktop.core import dto, permissions
from desktop.core.errors import Forbidden, ValidationError
from desktop.core.model import (
    Holiday,
    Team,
    TimeEntry,
    Timesheet,
    User,
)
from desktop.core.outbox import counted
from desktop.core.services.common import (
    find_team,
    find_user,
    require_user,
    to_user,
    user_dto,
)

BY_UTILIZATION = ("technician", "team", "company")
BY_PROFIT = ("customer", "project", "technician")
BASES = ("logged", "approved")
STEPS = ("week", "month")
MAX_YEARS = 5
NO_TEAM = "(no team)"
NO_PROJECT = "(no project)"
PCT = Decimal("0.0001")
PCT2 = Decimal("0.01")


# ----------------------------------------------------------- pure helpers


def check_period(start: date, end: date) -> None:
    """Refuse a start after the end and a period of more than 5 years."""
    if start > end:
        raise ValidationError(
            f"the period starts ({start.isoformat()}) after it ends ({end.isoformat()})"
        )
    try:
        limit = start.replace(year=start.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = start.replace(year=start.year + MAX_YEARS, day=28)
    if end >= limit:
        raise ValidationError(f"a report covers at most {MAX_YEARS} years")


def pct(part: int, whole: int, quantum: Decimal = PCT) -> Decimal | None:
    """``part`` ÷ ``whole`` × 100, half-up to ``quantum``; None when ``whole`` is 0."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(quantum, rounding=ROUND_HALF_UP)


def available_seconds(
    schedule_s: Sequence[int], start: date, end: date, off_s: Mapping[date, int]
) -> int:
    """Available seconds from ``start`` to ``end`` (inclusive): each day's
    scheduled seconds minus its time off (``off_s``: seconds off by date,
    holidays and time off together), never below 0 on a day."""
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    total = weeks * sum(schedule_s)
    first = start.weekday()
    total += sum(schedule_s[(first + i) % 7] for i in range(rest))
    for day, off in off_s.items():
        if start <= day <= end:
            total -= min(schedule_s[day.weekday()], off)
    return total


def under_utilized(billable_s: int, available_s: int, target_x_available: int) -> bool:
    """Utilization more than 10 points below target, exactly: with target =
    ``target_x_available`` ÷ available, 100·B/A < T − 10 ⇔ 100·B < T·A − 10·A."""
    if available_s <= 0:
        return False
    return billable_s * 100 < target_x_available - 10 * available_s


def over_allocated(logged_s: int, available_s: int) -> bool:
    """Logged more than 10 % above available, exactly: L > 1.1·A ⇔ 10·L > 11·A."""
    return logged_s * 10 > available_s * 11


def period_buckets(start: date, end: date, step: str) -> list[tuple[date, date, date]]:
    """(bucket key, clipped start, clipped end) of each week (Monday key) or
    month (first-of-month key) touching the range."""
    out: list[tuple[date, date, date]] = []
    if step == "week":
        key = start - timedelta(days=start.weekday())
        while key <= end:
            nxt = key + timedelta(days=7)
            out.append((key, max(key, start), min(nxt - timedelta(days=1), end)))
            key = nxt
    else:
        key = start.replace(day=1)
        while key <= end:
            nxt = (key + timedelta(days=32)).replace(day=1)
            out.append((key, max(key, start), min(nxt - timedelta(days=1), end)))
            key = nxt
    return out


def median(values: list[int]) -> int | None:
    return int(statistics.median_low(values)) if values else None


# ------------------------------------------------------------- SQL helpers


def week_start_sql(day: Any, first_weekday: Any) -> Any:
    """SQLite: the start of the week (first weekday 0=Monday) containing ``day``."""
    back = (cast(func.strftime("%w", day), Integer) + 6 - first_weekday) % 7
    return func.date(day, literal("-", String) + cast(back, String) + literal(" days", String))


def bucket_sql(step: str | None) -> Any:
    if step == "week":
        return week_start_sql(TimeEntry.work_date, 0)
    if step == "month":
        return func.strftime("%Y-%m-01", TimeEntry.work_date)
    return literal("")


def sql_now(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def elapsed_sql(now: datetime) -> Any:
    running = and_(TimeEntry.started_at.is_not(None), TimeEntry.ended_at.is_(None))
    seconds = (func.julianday(sql_now(now)) - func.julianday(TimeEntry.started_at)) * 86400
    return case((running, cast(seconds, Integer)), else_=TimeEntry.duration_s)


def as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --------------------------------------------------------------- the scope


Person = dto.User  # a person a report covers (team name filled in)


@dataclass
class Scope:
    actor: dto.User
    people: list[Person]
    teams: dict[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.people]


def load_scope(
    s: Session,
    actor_id: str | None,
    *,
    team: str | None = None,
    user_refs: Sequence[str] | None = None,
    own_only: bool = False,
) -> Scope:
    """The people a report covers (see the module rule); 3 queries."""
    actor = to_user(s, require_user(s, actor_id))
    teams = {t.id: t.name for t in s.scalars(select(Team).where(Team.deleted_at.is_(None)))}
    rows = list(s.scalars(select(User).where(User.deleted_at.is_(None)).order_by(User.name)))
    chosen: list[User]
    if user_refs:
        chosen = []
        for ref in user_refs:
            row = find_user(s, ref)
            if not permissions.can_read_reports_of(actor, user_dto(row)):
                raise Forbidden(f"you can't see the reports of {row.email}")
            if row not in chosen:
                chosen.append(row)
    elif team is not None:
        found = find_team(s, team)
        chosen = [r for r in rows if r.team_id == found.id]
        if not all(permissions.can_read_reports_of(actor, user_dto(r)) for r in chosen) or (
            actor.role != permissions.ADMIN and found.id not in actor.managed_team_ids
        ):
            raise Forbidden(f'you can\'t see the reports of team "{found.name}"')
    elif own_only:
        chosen = [r for r in rows if r.id == actor.id]
    else:
        chosen = [r for r in rows if permissions.can_read_reports_of(actor, user_dto(r))]
    people = [user_dto(r, teams.get(r.team_id) if r.team_id else None) for r in chosen]
    return Scope(actor, people, teams)


def days_off(s: Session, ids: Sequence[str], start: date, end: date) -> dict[str, dict[date, int]]:
    """Seconds off per person per date (company holidays + own time off); one query."""
    rows = s.execute(
        select(Holiday.date, Holiday.user_id, func.sum(Holiday.hours_s))
        .where(
            counted(Holiday),
            Holiday.date >= start,
            Holiday.date <= end,
            or_(Holiday.user_id.is_(None), Holiday.user_id.in_(ids)),
        )
        .group_by(Holiday.date, Holiday.user_id)
    ).all()
    company: dict[date, int] = defaultdict(int)
    own: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for day, user_id, seconds in rows:
        if user_id is None:
            company[day] += int(seconds)
        else:
            own[user_id][day] += int(seconds)
    out: dict[str, dict[date, int]] = {}
    for user_id in ids:
        merged = dict(company)
        for day, seconds in own.get(user_id, {}).items():
            merged[day] = merged.get(day, 0) + seconds
        out[user_id] = merged
    return out


def in_weeks_with_status(q: Any, statuses: Sequence[str]) -> Any:
    """Restrict entries to weeks whose timesheet is in ``statuses``: a sheet of
    the entry's owner starting in the 7 days up to the entry's work date (one
    index seek per entry on the sheet's (user, week_start) key)."""
    sheet = Timesheet.__table__.alias("sheet")
    return q.where(
        exists().where(
            sheet.c.user_id == TimeEntry.user_id,
            sheet.c.deleted_at.is_(None),
            sheet.c.status.in_(list(statuses)),
            sheet.c.week_start <= TimeEntry.work_date,
            sheet.c.week_start > func.date(TimeEntry.work_date, "-7 days"),
        )
    )



def check_choice(value: str, choices: Sequence[str], what: str) -> None:
    if value not in choices:
        raise ValidationError(f'unknown {what} "{value}"; use {", ".join(choices)}')
