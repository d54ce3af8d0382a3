"""Reports: utilization, profitability (with project budgets), timeliness,
overdue weeks and the daily timeline's data.

One implementation, three faces: the CLI prints these, the dashboards and the
timeline draw them, the exports reuse the money rules; nobody re-computes.

Rules this service enforces:

* **Who sees what** (:mod:`desktop.core.permissions`): a report covers the
  people whose reports the reader may read (``can_read_reports_of``: yourself,
  your team as its manager, everyone as an admin). Naming a team you may not
  read, or another person's timeliness as a technician, is refused;
  profitability needs ``can_see_profitability`` (managers, admins) and cost
  figures ``can_see_cost``.
* **Periods** are inclusive dates; a start after the end, or a period of more
  than 5 years, is refused.
* **Available** seconds of a person on a day = the scheduled seconds of that
  weekday − min(scheduled, company holiday + the person's time off). A 24 h
  holiday removes the whole scheduled day.
* **Utilization** = Σ billable ÷ Σ available (teams and the company too —
  never a mean of ratios), on all logged time (``basis="logged"``, a running
  timer up to now) or on approved weeks only (``basis="approved"``). The
  target of a group is its members' targets weighted by available hours.
  Under-utilized: utilization more than 10 points below target (exactly 10 is
  not); over-allocated: logged more than 10 % above available (exactly 10 % is
  not; any time logged with nothing available is). Both are integer
  comparisons, exact at their edges.
* **Trend** points are weeks (Monday to Sunday) or calendar months, clipped
  to the range, so the points of a range add up to the range's report.
* **Profitability** covers approved weeks (``include_submitted`` adds
  submitted ones). Billed seconds are each entry's raw seconds under its
  customer's rounding rule (:func:`desktop.core.rounding.billed_seconds`,
  applied per entry inside SQL); value = billed × the effective billing rate
  (billable entries); standard value = raw × that rate for every entry
  (billable or not); cost = raw × cost rate for every entry. Realization =
  value ÷ standard value; margin = value − cost; margin % = margin ÷ value.
  Money totals are exact integer sums rounded once per row
  (:func:`desktop.core.money.sum_value_minor`).
* **Budgets**: a project's budget is hours or money. Used = all time on the
  project up to the period's end, whatever its week's status (raw hours; or
  billed value). Burn = used ÷ budget; the flag is "80" from 80 % and "100"
  from 100 %.
* **Timeliness**: same-day share = hours whose entry was created on or
  before its work date (local time) ÷ hours logged; the delay of a manual or
  grid entry is its creation − the end of the work (its end, or the end of
  its local day when untimed), at least 0; a week is due once its deadline
  (:func:`desktop.core.services.company.load_deadline`) has passed and it had
  available hours; it is on time when its first submit came by the deadline.
* **Overdue weeks**: the last ``weeks`` weeks past their deadline that are
  not submitted or approved and had available hours or time logged —
  ``draft`` / ``rejected`` / ``returned`` from the sheet, ``missing`` when
  nothing was logged and no sheet exists. Weeks before a person's first
  entry are not owed (someone who never logged time owes no timesheets).
* **Timeline**: a day's timed entries as spans in the person's local time
  (clipped to the day; a running timer ends now), untimed entries apart, the
  gaps inside the working window (this device's working-day setting, on days
  with scheduled hours), and the day's totals.

Speed: every section is a fixed number of SQL statements (GROUP BY over
indexed columns), never one per person or day. No rate changes between two
dates on which some rate changes, so profitability groups by (person,
customer, project, billable) along a covering index and sums each such
segment apart, then resolves one rate per group and segment, not per entry. Timeliness reads one
narrow row per entry (a median is not an SQL aggregate in SQLite).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Integer, String, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from desktop.core import dto, permissions
from desktop.core.errors import Forbidden, ValidationError
from desktop.core.model import (
    Customer,
    Holiday,
    Project,
    Rate,
    Task,
    Team,
    TimeEntry,
    Timesheet,
    TimesheetEvent,
    User,
)
from desktop.core.money import RateRow, resolve_rate, sum_value_minor
from desktop.core.rounding import billed_seconds_sql
from desktop.core.services.common import (
    Service,
    find_team,
    find_user,
    require_user,
    to_user,
    user_dto,
)
from desktop.core.services.company import load_currency, load_deadline
from desktop.core.services.preferences import PreferencesService
from desktop.core.timeutil import day_bounds_utc, week_deadline, week_start, zone

BY_UTILIZATION = ("technician", "team", "company")
BY_PROFIT = ("customer", "project", "technician")
BASES = ("logged", "approved")
STEPS = ("week", "month")
MAX_YEARS = 5
NO_TEAM = "(no team)"
NO_PROJECT = "(no project)"
_PCT = Decimal("0.0001")
_PCT2 = Decimal("0.01")


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


def pct(part: int, whole: int, quantum: Decimal = _PCT) -> Decimal | None:
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


def _median(values: list[int]) -> int | None:
    return int(statistics.median_low(values)) if values else None


# ------------------------------------------------------------- SQL helpers


def week_start_sql(day: Any, first_weekday: Any) -> Any:
    """SQLite: the start of the week (first weekday 0=Monday) containing ``day``."""
    back = (cast(func.strftime("%w", day), Integer) + 6 - first_weekday) % 7
    return func.date(day, literal("-", String) + cast(back, String) + literal(" days", String))


def _bucket_sql(step: str | None) -> Any:
    if step == "week":
        return week_start_sql(TimeEntry.work_date, 0)
    if step == "month":
        return func.strftime("%Y-%m-01", TimeEntry.work_date)
    return literal("")


def _sql_now(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _elapsed_sql(now: datetime) -> Any:
    running = and_(TimeEntry.started_at.is_not(None), TimeEntry.ended_at.is_(None))
    seconds = (func.julianday(_sql_now(now)) - func.julianday(TimeEntry.started_at)) * 86400
    return case((running, cast(seconds, Integer)), else_=TimeEntry.duration_s)


def _as_date(value: Any) -> date | None:
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
            Holiday.deleted_at.is_(None),
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


# -------------------------------------------------------------- utilization


@dataclass
class _Acc:
    available: int = 0
    billable: int = 0
    non_billable: int = 0
    target_x_available: int = 0
    members: int = 0


def _util_row(
    key: str,
    name: str,
    email: str | None,
    team: str | None,
    acc: _Acc,
    person_target: int | None = None,
) -> dto.UtilizationRow:
    logged = acc.billable + acc.non_billable
    utilization = pct(acc.billable, acc.available)
    if person_target is not None:
        target: Decimal | None = Decimal(person_target)
        tx = person_target * acc.available
    else:
        target = (
            (Decimal(acc.target_x_available) / acc.available).quantize(_PCT, ROUND_HALF_UP)
            if acc.available
            else None
        )
        tx = acc.target_x_available
    return dto.UtilizationRow(
        key=key,
        name=name,
        email=email,
        team=team,
        members=acc.members,
        available_s=acc.available,
        logged_s=logged,
        billable_s=acc.billable,
        non_billable_s=acc.non_billable,
        utilization_pct=utilization,
        target_pct=target,
        gap_pts=None if utilization is None or target is None else utilization - target,
        capacity_s=acc.available - logged,
        under_utilized=under_utilized(acc.billable, acc.available, tx),
        over_allocated=over_allocated(logged, acc.available),
    )


def _logged_by_bucket(
    s: Session,
    ids: Sequence[str],
    start: date,
    end: date,
    basis: str,
    step: str | None,
    now: datetime,
) -> dict[tuple[str, str], list[int]]:
    """(person, bucket key) → [billable s, non-billable s]; one query."""
    bucket = _bucket_sql(step).label("bucket")
    q = select(
        TimeEntry.user_id,
        TimeEntry.billable,
        bucket,
        func.sum(_elapsed_sql(now)),
    ).where(
        TimeEntry.deleted_at.is_(None),
        TimeEntry.work_date >= start,
        TimeEntry.work_date <= end,
        TimeEntry.user_id.in_(ids),
    )
    if basis == "approved":
        q = in_weeks_with_status(q, ("approved",))
    q = q.group_by(TimeEntry.user_id, TimeEntry.billable, bucket)
    out: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for user_id, billable, key, seconds in s.execute(q):
        out[(user_id, str(key or ""))][0 if billable else 1] += int(seconds or 0)
    return out


def _utilization_report(
    scope: Scope,
    start: date,
    end: date,
    by: str,
    basis: str,
    logged: Mapping[str, list[int]],
    off: Mapping[str, Mapping[date, int]],
) -> dto.UtilizationReport:
    per_person: dict[str, _Acc] = {}
    for p in scope.people:
        available = available_seconds(p.work_schedule_s, start, end, off.get(p.id, {}))
        billable, non_billable = logged.get(p.id, [0, 0])
        per_person[p.id] = _Acc(
            available, billable, non_billable, p.utilization_target * available, 1
        )
    total = _Acc()
    groups: dict[str, _Acc] = defaultdict(_Acc)
    for p in scope.people:
        acc = per_person[p.id]
        for target in (total, groups[p.team_id or ""]):
            target.available += acc.available
            target.billable += acc.billable
            target.non_billable += acc.non_billable
            target.target_x_available += acc.target_x_available
            target.members += 1
    rows: list[dto.UtilizationRow]
    if by == "technician":
        rows = [
            _util_row(p.id, p.name, p.email, p.team, per_person[p.id], p.utilization_target)
            for p in scope.people
        ]
    elif by == "team":
        rows = sorted(
            (
                _util_row(key or "", scope.teams.get(key, NO_TEAM), None, None, acc)
                for key, acc in groups.items()
            ),
            key=lambda r: (r.name == NO_TEAM, r.name.lower()),
        )
    else:
        rows = []
    company = _util_row("company", "Company", None, None, total)
    if by == "company":
        rows = [company]
    return dto.UtilizationReport(start, end, by, basis, tuple(rows), company)


def _check_choice(value: str, choices: Sequence[str], what: str) -> None:
    if value not in choices:
        raise ValidationError(f'unknown {what} "{value}"; use {", ".join(choices)}')


# ----------------------------------------------------------- profitability


@dataclass
class _Money:
    raw: int = 0
    billable: int = 0
    billed: int = 0
    value_num: int = 0  # Σ seconds × rate (minor units per hour); ÷ 3600 once
    standard_num: int = 0
    cost_num: int = 0


class RateBook:
    """Effective rates per person, resolved once per (person, customer,
    project, rate-change date) — the rate can't change between two changes."""

    def __init__(self, rows: Iterable[Rate]) -> None:
        self.by_user: dict[str, list[RateRow]] = defaultdict(list)
        for r in rows:
            self.by_user[r.user_id].append(
                RateRow(
                    r.id,
                    r.user_id,
                    r.kind,
                    r.amount_minor,
                    r.effective_from,
                    r.customer_id,
                    r.project_id,
                )
            )
        self._memo: dict[tuple[str, str, str | None, date | None, str], int | None] = {}

    def amount(
        self, kind: str, user_id: str, customer_id: str, project_id: str | None, at: date | None
    ) -> int | None:
        key = (user_id, customer_id, project_id, at, kind)
        if key not in self._memo:
            found = (
                None
                if at is None
                else resolve_rate(
                    self.by_user.get(user_id, []),
                    user_id=user_id,
                    kind=kind,
                    work_date=at,
                    customer_id=customer_id,
                    project_id=project_id,
                )
            )
            self._memo[key] = None if found is None else found.amount_minor
        return self._memo[key]


def _money_groups(
    s: Session,
    where: Sequence[Any],
    statuses: Sequence[str] | None,
    first: date,
    cuts: Sequence[date],
) -> list[tuple[Any, ...]]:
    """Entries grouped by (person, customer, project, billable) and rate
    segment: Σ raw and Σ billed seconds. One query.

    ``cuts`` are the dates (after ``first``) on which anyone's rate changes;
    between two cuts no rate changes, so a segment's rate is the one in
    effect on its first day. The segments are conditional sums, not a GROUP
    BY key, so the grouping follows ``ix_time_entry_money`` without a sort."""
    bounds = [first, *cuts]
    billed = billed_seconds_sql(
        TimeEntry.duration_s, Customer.round_increment_min, Customer.round_minimum_min
    )
    billed = case((TimeEntry.billable.is_(True), billed), else_=0)
    sums: list[Any] = []
    for i, lo in enumerate(bounds):
        inside = TimeEntry.work_date >= lo
        if i + 1 < len(bounds):
            inside = and_(inside, TimeEntry.work_date < bounds[i + 1])
        sums.append(func.sum(case((inside, TimeEntry.duration_s), else_=0)))
        sums.append(func.sum(case((inside, billed), else_=0)))
    keys = (TimeEntry.user_id, TimeEntry.customer_id, TimeEntry.project_id, TimeEntry.billable)
    q = (
        select(*keys, *sums)
        .join(Customer, Customer.id == TimeEntry.customer_id)
        .where(TimeEntry.deleted_at.is_(None), *where)
        .with_hint(TimeEntry, "INDEXED BY ix_time_entry_money", "sqlite")
    )
    if statuses is not None:
        q = in_weeks_with_status(q, statuses)
    out: list[tuple[Any, ...]] = []
    for row in s.execute(q.group_by(*keys)):
        for i, lo in enumerate(bounds):
            raw, bill = row[4 + 2 * i], row[5 + 2 * i]
            if raw:
                out.append((*row[:4], lo, raw, bill))
    return out


def rate_cuts(rates: Iterable[Rate], first: date, last: date) -> list[date]:
    """The dates after ``first`` up to ``last`` on which any rate changes."""
    return sorted({r.effective_from for r in rates if first < r.effective_from <= last})


def _merge(total: _Money, acc: _Money) -> None:
    total.raw += acc.raw
    total.billable += acc.billable
    total.billed += acc.billed
    total.value_num += acc.value_num
    total.standard_num += acc.standard_num
    total.cost_num += acc.cost_num


def _add_money(acc: _Money, group: Any, rates: RateBook, with_cost: bool) -> None:
    user_id, customer_id, project_id, billable, change, raw, billed = group
    raw, billed = int(raw or 0), int(billed or 0)
    at = _as_date(change)
    rate = rates.amount("billing", user_id, customer_id, project_id, at)
    acc.raw += raw
    if billable:
        acc.billable += raw
        acc.billed += billed
        if rate is not None:
            acc.value_num += billed * rate
    if rate is not None:
        acc.standard_num += raw * rate
    if with_cost:
        cost = rates.amount("cost", user_id, customer_id, None, at)
        if cost is not None:
            acc.cost_num += raw * cost


def _minor(numerator: int) -> int:
    return sum_value_minor([(numerator, 1)])


def _profit_row(
    key: str, name: str, customer: str | None, acc: _Money, with_cost: bool
) -> dto.ProfitRow:
    value, standard = _minor(acc.value_num), _minor(acc.standard_num)
    cost = _minor(acc.cost_num) if with_cost else None
    margin = None if cost is None else value - cost
    return dto.ProfitRow(
        key=key,
        name=name,
        customer=customer,
        raw_s=acc.raw,
        billable_s=acc.billable,
        billed_s=acc.billed,
        value_minor=value,
        standard_minor=standard,
        cost_minor=cost,
        margin_minor=margin,
        margin_pct=None if margin is None else pct(margin, value, _PCT2),
        realization_pct=pct(value, standard, _PCT2),
    )


def budget_flag(burn: Decimal | None) -> str | None:
    if burn is None:
        return None
    if burn >= 100:
        return "100"
    if burn >= 80:
        return "80"
    return None


# ------------------------------------------------------------------ service


class ReportsService(Service):
    """Utilization, profitability, timeliness, overdue weeks and the timeline
    (see the module rules)."""

    # ------------------------------------------------------------ utilization

    def utilization(
        self,
        start: date,
        end: date,
        *,
        by: str = "technician",
        basis: str = "logged",
        team: str | None = None,
        actor_id: str | None = None,
    ) -> dto.UtilizationReport:
        """Available, logged, billable, utilization, target and flags per
        technician, team or for the company; with the company's change against
        the period of the same length just before."""
        _check_choice(by, BY_UTILIZATION, "grouping")
        _check_choice(basis, BASES, "basis")
        check_period(start, end)
        now = self.now()
        length = end - start
        prev_end = start - timedelta(days=1)
        prev_start = prev_end - length
        with self.db.read() as s:
            scope = load_scope(s, actor_id, team=team)
            ids = scope.ids
            off = days_off(s, ids, prev_start, end)
            logged = _logged_by_bucket(s, ids, start, end, basis, None, now)
            before = _logged_by_bucket(s, ids, prev_start, prev_end, basis, None, now)
        report = _utilization_report(
            scope, start, end, by, basis, {u: v for (u, _), v in logged.items()}, off
        )
        previous = _utilization_report(
            scope,
            prev_start,
            prev_end,
            "company",
            basis,
            {u: v for (u, _), v in before.items()},
            off,
        ).total.utilization_pct
        now_pct = report.total.utilization_pct
        change = None if previous is None or now_pct is None else now_pct - previous
        return dto.UtilizationReport(
            report.start,
            report.end,
            report.by,
            report.basis,
            report.rows,
            report.total,
            previous_pct=previous,
            change_pts=change,
        )

    def utilization_trend(
        self,
        start: date,
        end: date,
        *,
        step: str = "week",
        by: str = "company",
        basis: str = "logged",
        team: str | None = None,
        actor_id: str | None = None,
    ) -> dto.UtilizationTrend:
        """The utilization figures per week (Monday start) or month, clipped to
        the range (for charts); ``change_pts`` = last point − the one before."""
        _check_choice(step, STEPS, "step")
        _check_choice(by, BY_UTILIZATION, "grouping")
        _check_choice(basis, BASES, "basis")
        check_period(start, end)
        now = self.now()
        with self.db.read() as s:
            scope = load_scope(s, actor_id, team=team)
            off = days_off(s, scope.ids, start, end)
            logged = _logged_by_bucket(s, scope.ids, start, end, basis, step, now)
        by_bucket: dict[str, dict[str, list[int]]] = defaultdict(dict)
        for (user_id, key), value in logged.items():
            by_bucket[key][user_id] = value
        points = tuple(
            _utilization_report(scope, lo, hi, by, basis, by_bucket.get(key.isoformat(), {}), off)
            for key, lo, hi in period_buckets(start, end, step)
        )
        change = None
        if len(points) >= 2:
            last, before = points[-1].total.utilization_pct, points[-2].total.utilization_pct
            if last is not None and before is not None:
                change = last - before
        return dto.UtilizationTrend(start, end, step, by, basis, points, change)

    # ---------------------------------------------------------- profitability

    def profitability(
        self,
        start: date,
        end: date,
        *,
        by: str = "customer",
        include_submitted: bool = False,
        team: str | None = None,
        actor_id: str | None = None,
    ) -> dto.ProfitabilityReport:
        """Billed hours, value, cost, margin and realization per customer,
        project or technician (approved weeks; ``include_submitted`` adds
        submitted ones); budgets for projects."""
        _check_choice(by, BY_PROFIT, "grouping")
        check_period(start, end)
        statuses = ("approved", "submitted") if include_submitted else ("approved",)
        with self.db.read() as s:
            scope = load_scope(s, actor_id, team=team)
            if not permissions.can_see_profitability(scope.actor):
                raise Forbidden("only managers and admins can see profitability")
            with_cost = permissions.can_see_cost(scope.actor)
            ids = scope.ids
            all_rates = list(s.scalars(select(Rate).where(Rate.deleted_at.is_(None))))
            groups = _money_groups(
                s,
                (
                    TimeEntry.work_date >= start,
                    TimeEntry.work_date <= end,
                    TimeEntry.user_id.in_(ids),
                ),
                statuses,
                start,
                rate_cuts(all_rates, start, end),
            )
            customers = {c.id: c.name for c in s.scalars(select(Customer))}
            projects = {p.id: p for p in s.scalars(select(Project))}
            budgeted = [
                pid
                for pid in {g[2] for g in groups}
                if pid is not None
                and pid in projects
                and (projects[pid].budget_s or projects[pid].budget_minor)
            ]
            usage = (
                _money_groups(
                    s,
                    (TimeEntry.work_date <= end, TimeEntry.project_id.in_(budgeted)),
                    None,
                    date.min,
                    rate_cuts(all_rates, date.min, end),
                )
                if by == "project" and budgeted
                else []
            )
            rates = RateBook(all_rates)
            currency = load_currency(s)
        people = {p.id: p for p in scope.people}
        accs: dict[str, _Money] = defaultdict(_Money)
        total = _Money()
        names: dict[str, tuple[str, str | None]] = {}
        for g in groups:
            user_id, customer_id, project_id = g[0], g[1], g[2]
            if by == "customer":
                key = customer_id
                names[key] = (customers.get(customer_id, ""), None)
            elif by == "project":
                key = f"{customer_id}:{project_id or ''}"
                pname = projects[project_id].name if project_id in projects else NO_PROJECT
                names[key] = (pname, customers.get(customer_id, ""))
            else:
                key = user_id
                names[key] = (people[user_id].name if user_id in people else "", None)
            _add_money(accs[key], g, rates, with_cost)
        used: dict[str, _Money] = defaultdict(_Money)
        for g in usage:
            _add_money(used[g[2]], g, rates, False)
        rows = []
        for key, acc in accs.items():
            _merge(total, acc)
            name, customer = names[key]
            row = _profit_row(key, name, customer, acc, with_cost)
            project_id = key.split(":", 1)[1] if by == "project" else ""
            project = projects.get(project_id)
            if project is not None and (project.budget_s or project.budget_minor):
                row = self._with_budget(row, project, used[project_id])
            rows.append(row)
        rows.sort(key=lambda r: (-r.value_minor, (r.customer or "").lower(), r.name.lower()))
        return dto.ProfitabilityReport(
            start,
            end,
            by,
            statuses,
            currency,
            tuple(rows),
            _profit_row("total", "Total", None, total, with_cost),
        )

    @staticmethod
    def _with_budget(row: dto.ProfitRow, project: Project, used: _Money) -> dto.ProfitRow:
        from dataclasses import replace

        if project.budget_s:
            burn = pct(used.raw, project.budget_s, _PCT2)
            return replace(
                row,
                budget_s=project.budget_s,
                used_s=used.raw,
                remaining_s=project.budget_s - used.raw,
                burn_pct=burn,
                budget_flag=budget_flag(burn),
            )
        assert project.budget_minor
        value = _minor(used.value_num)
        burn = pct(value, project.budget_minor, _PCT2)
        return replace(
            row,
            budget_minor=project.budget_minor,
            used_minor=value,
            remaining_minor=project.budget_minor - value,
            burn_pct=burn,
            budget_flag=budget_flag(burn),
        )

    def project_budget(
        self,
        project: str,
        *,
        customer: str | None = None,
        as_of: date | None = None,
        actor_id: str | None = None,
    ) -> dto.ProfitRow | None:
        """A project's budget burn up to ``as_of`` (default today, UTC), or None
        without a budget — what the tray may say when a timer starts on it.
        Anyone may ask; only those who see profitability get the money used."""
        from dataclasses import replace

        from desktop.core.services.common import find_customer, find_project

        day = as_of or self.now().date()
        with self.db.read() as s:
            actor = to_user(s, require_user(s, actor_id))
            row = find_project(s, project, find_customer(s, customer) if customer else None)
            if not (row.budget_s or row.budget_minor):
                return None
            rates = list(s.scalars(select(Rate).where(Rate.deleted_at.is_(None))))
            groups = _money_groups(
                s,
                (TimeEntry.work_date <= day, TimeEntry.project_id == row.id),
                None,
                date.min,
                rate_cuts(rates, date.min, day),
            )
            owner = s.get(Customer, row.customer_id)
        used = _Money()
        book = RateBook(rates)
        for g in groups:
            _add_money(used, g, book, False)
        result = self._with_budget(
            _profit_row(row.id, row.name, owner.name if owner else None, used, False), row, used
        )
        if permissions.can_see_profitability(actor):
            return result
        return replace(
            result,
            value_minor=0,
            standard_minor=0,
            realization_pct=None,
            used_minor=None,
            remaining_minor=None,
        )

    # -------------------------------------------------------------- timeliness

    def timeliness(
        self,
        start: date,
        end: date,
        *,
        team: str | None = None,
        user_refs: Sequence[str] | None = None,
        actor_id: str | None = None,
    ) -> dto.TimelinessReport:
        """Same-day logging, manual-entry delay and on-time submission per
        technician, per team and overall (see the module rule)."""
        check_period(start, end)
        now = self.now()
        with self.db.read() as s:
            actor = to_user(s, require_user(s, actor_id))
            own_only = actor.role == permissions.TECHNICIAN
            if own_only and (
                team is not None or any(find_user(s, ref).id != actor.id for ref in user_refs or ())
            ):
                raise Forbidden("technicians see only their own timeliness")
            scope = load_scope(s, actor.id, team=team, user_refs=user_refs, own_only=own_only)
            ids = scope.ids
            entries = s.execute(
                select(
                    TimeEntry.user_id,
                    TimeEntry.work_date,
                    TimeEntry.created_at,
                    TimeEntry.ended_at,
                    TimeEntry.duration_s,
                    TimeEntry.source,
                ).where(
                    TimeEntry.deleted_at.is_(None),
                    TimeEntry.work_date >= start,
                    TimeEntry.work_date <= end,
                    TimeEntry.user_id.in_(ids),
                    or_(TimeEntry.started_at.is_(None), TimeEntry.ended_at.is_not(None)),
                )
            ).all()
            first_submit = func.min(TimesheetEvent.at)
            sheets = s.execute(
                select(Timesheet.user_id, Timesheet.week_start, first_submit)
                .join(
                    TimesheetEvent,
                    and_(
                        TimesheetEvent.timesheet_id == Timesheet.id,
                        TimesheetEvent.action == "submit",
                    ),
                )
                .where(
                    Timesheet.deleted_at.is_(None),
                    Timesheet.user_id.in_(ids),
                    Timesheet.week_start >= start - timedelta(days=6),
                    Timesheet.week_start <= end,
                )
                .group_by(Timesheet.user_id, Timesheet.week_start)
            ).all()
            off = days_off(s, ids, start - timedelta(days=6), end + timedelta(days=6))
            weekday, at = load_deadline(s)
        people = {p.id: p for p in scope.people}
        submitted = {(u, _as_date(w)): when for u, w, when in sheets}
        stats: dict[str, dict[str, Any]] = {
            p.id: {"logged": 0, "same": 0, "delays": [], "due": 0, "on_time": 0}
            for p in scope.people
        }
        for user_id, day, created, ended, seconds, source in entries:
            p = people[user_id]
            st = stats[user_id]
            st["logged"] += seconds
            z = zone(p.timezone)
            if created.astimezone(z).date() <= day:
                st["same"] += seconds
            if source in ("manual", "grid"):
                finished = ended if ended is not None else day_bounds_utc(day, p.timezone)[1]
                st["delays"].append(max(0, int((created - finished).total_seconds())))
        for p in scope.people:
            st = stats[p.id]
            ws = week_start(start, p.first_weekday)
            if ws < start:
                ws += timedelta(days=7)
            while ws <= end:
                deadline = week_deadline(ws, weekday, at, p.timezone)
                week_end = ws + timedelta(days=6)
                if deadline <= now and available_seconds(
                    p.work_schedule_s, ws, week_end, off.get(p.id, {})
                ):
                    st["due"] += 1
                    when = submitted.get((p.id, ws))
                    if when is not None and when <= deadline:
                        st["on_time"] += 1
                ws += timedelta(days=7)

        def row(
            key: str, name: str, email: str | None, team: str | None, members: list[str]
        ) -> dto.TimelinessRow:
            logged = sum(stats[m]["logged"] for m in members)
            same = sum(stats[m]["same"] for m in members)
            delays = [d for m in members for d in stats[m]["delays"]]
            due = sum(stats[m]["due"] for m in members)
            on_time = sum(stats[m]["on_time"] for m in members)
            return dto.TimelinessRow(
                key=key,
                name=name,
                email=email,
                team=team,
                logged_s=logged,
                same_day_s=same,
                same_day_pct=pct(same, logged, _PCT2),
                manual_entries=len(delays),
                median_delay_s=_median(delays),
                weeks_due=due,
                weeks_on_time=on_time,
                on_time_pct=pct(on_time, due, _PCT2),
            )

        rows = tuple(row(p.id, p.name, p.email, p.team, [p.id]) for p in scope.people)
        by_team: dict[str, list[str]] = defaultdict(list)
        for p in scope.people:
            by_team[p.team_id or ""].append(p.id)
        teams = tuple(
            sorted(
                (
                    row(k, scope.teams.get(k, NO_TEAM), None, None, members)
                    for k, members in by_team.items()
                ),
                key=lambda r: (r.name == NO_TEAM, r.name.lower()),
            )
        )
        total = row("company", "Company", None, None, list(people))
        return dto.TimelinessReport(start, end, weekday, at.strftime("%H:%M"), rows, teams, total)

    # ----------------------------------------------------------------- overdue

    def overdue(
        self,
        actor_id: str | None = None,
        *,
        team: str | None = None,
        as_of: datetime | None = None,
        weeks: int = 8,
    ) -> list[dto.OverdueWeek]:
        """Weeks past their deadline, not submitted or approved, of the people
        the actor may read (a team with ``team``), oldest deadline first."""
        if not 1 <= weeks <= 260:
            raise ValidationError("look back 1 to 260 weeks")
        now = as_of or self.now()
        if now.tzinfo is None:
            raise ValidationError("as_of must carry a timezone")
        with self.db.read() as s:
            scope = load_scope(s, actor_id, team=team)
            ids = scope.ids
            horizon = now.date() - timedelta(days=7 * (weeks + 2))
            sheets = {
                (u, _as_date(w)): status
                for u, w, status in s.execute(
                    select(Timesheet.user_id, Timesheet.week_start, Timesheet.status).where(
                        Timesheet.deleted_at.is_(None),
                        Timesheet.user_id.in_(ids),
                        Timesheet.week_start >= horizon,
                    )
                )
            }
            owner = User.__table__.alias("owner")
            wk = week_start_sql(TimeEntry.work_date, owner.c.first_weekday).label("wk")
            logged = {
                (u, _as_date(w)): int(seconds or 0)
                for u, w, seconds in s.execute(
                    select(TimeEntry.user_id, wk, func.sum(_elapsed_sql(now)))
                    .join(owner, owner.c.id == TimeEntry.user_id)
                    .where(
                        TimeEntry.deleted_at.is_(None),
                        TimeEntry.user_id.in_(ids),
                        TimeEntry.work_date >= horizon,
                    )
                    .group_by(TimeEntry.user_id, wk)
                )
            }
            first = dict(
                s.execute(
                    select(TimeEntry.user_id, func.min(TimeEntry.work_date))
                    .where(TimeEntry.deleted_at.is_(None), TimeEntry.user_id.in_(ids))
                    .group_by(TimeEntry.user_id)
                ).all()
            )
            off = days_off(s, ids, horizon, now.date())
            weekday, at = load_deadline(s)
        out: list[dto.OverdueWeek] = []
        for p in scope.people:
            began = _as_date(first.get(p.id))
            ws = week_start(now.astimezone(zone(p.timezone)).date(), p.first_weekday)
            found = 0
            while found < weeks and ws >= horizon:
                deadline = week_deadline(ws, weekday, at, p.timezone)
                if deadline > now:
                    ws -= timedelta(days=7)
                    continue
                found += 1
                if began is None or ws + timedelta(days=6) < began:
                    break
                status = sheets.get((p.id, ws))
                seconds = logged.get((p.id, ws), 0)
                scheduled = available_seconds(
                    p.work_schedule_s, ws, ws + timedelta(days=6), off.get(p.id, {})
                )
                if status in ("submitted", "approved") or (scheduled == 0 and seconds == 0):
                    ws -= timedelta(days=7)
                    continue
                shown = status or ("draft" if seconds else "missing")
                out.append(
                    dto.OverdueWeek(
                        user_id=p.id,
                        user_name=p.name,
                        user_email=p.email,
                        team_name=p.team,
                        week_start=ws,
                        status=shown,
                        logged_s=seconds,
                        scheduled_s=scheduled,
                        deadline=deadline,
                        overdue_s=int((now - deadline).total_seconds()),
                    )
                )
                ws -= timedelta(days=7)
        return sorted(out, key=lambda w: (w.deadline, w.user_name.lower(), w.user_email))

    # ---------------------------------------------------------------- timeline

    def timeline(
        self,
        day: date,
        user_refs: Sequence[str] | None = None,
        *,
        team: str | None = None,
        actor_id: str | None = None,
    ) -> list[dto.TimelineDay]:
        """Each person's ``day``: spans in local time, untimed entries, gaps in
        the working window, totals (the actor alone when no one is named)."""
        now = self.now()
        settings = PreferencesService(self.db, self.now).settings()
        with self.db.read() as s:
            scope = load_scope(
                s, actor_id, team=team, user_refs=user_refs, own_only=not user_refs and not team
            )
            ids = scope.ids
            project = Project.__table__.alias("p")
            task = Task.__table__.alias("t")
            rows = s.execute(
                select(
                    TimeEntry.id,
                    TimeEntry.user_id,
                    TimeEntry.work_date,
                    TimeEntry.started_at,
                    TimeEntry.ended_at,
                    TimeEntry.duration_s,
                    TimeEntry.description,
                    TimeEntry.billable,
                    Customer.name,
                    project.c.name,
                    task.c.title,
                    task.c.external_ref,
                )
                .join(Customer, Customer.id == TimeEntry.customer_id)
                .outerjoin(project, project.c.id == TimeEntry.project_id)
                .outerjoin(task, task.c.id == TimeEntry.task_id)
                .where(
                    TimeEntry.deleted_at.is_(None),
                    TimeEntry.user_id.in_(ids),
                    TimeEntry.work_date >= day - timedelta(days=1),
                    TimeEntry.work_date <= day + timedelta(days=1),
                )
                .order_by(TimeEntry.started_at, TimeEntry.created_at)
            ).all()
            off = days_off(s, ids, day, day)
        by_user: dict[str, list[Any]] = defaultdict(list)
        for r in rows:
            by_user[r[1]].append(r)
        return [
            _timeline_day(p, day, by_user.get(p.id, []), off.get(p.id, {}), now, settings)
            for p in scope.people
        ]


def _timeline_day(
    p: Person,
    day: date,
    rows: list[Any],
    off: Mapping[date, int],
    now: datetime,
    settings: Any,
) -> dto.TimelineDay:
    z = zone(p.timezone)
    lo, hi = day_bounds_utc(day, p.timezone)
    spans: list[dto.TimelineSpan] = []
    untimed: list[dto.TimelineSpan] = []
    total = billable = 0
    for (
        entry_id,
        _user,
        work_date,
        started,
        ended,
        duration,
        description,
        is_billable,
        customer,
        project,
        task,
        ticket,
    ) in rows:
        running = started is not None and ended is None
        seconds = max(0, int((now - started).total_seconds())) if running else duration
        if work_date == day:
            total += seconds
            billable += seconds if is_billable else 0
        common = {
            "entry_id": entry_id,
            "customer": customer,
            "project": project,
            "task": task,
            "ticket": ticket,
            "description": description,
            "billable": bool(is_billable),
            "running": running,
        }
        if started is None:
            if work_date == day:
                untimed.append(dto.TimelineSpan(start=None, end=None, duration_s=seconds, **common))
            continue
        end = now if running else ended
        if end <= lo or started >= hi:
            continue
        a, b = max(started, lo), min(end, hi)
        spans.append(
            dto.TimelineSpan(
                start=a.astimezone(z),
                end=b.astimezone(z),
                duration_s=int((b - a).total_seconds()),
                **common,
            )
        )
    scheduled = max(
        0, p.work_schedule_s[day.weekday()] - min(p.work_schedule_s[day.weekday()], off.get(day, 0))
    )
    window_start = window_end = None
    gaps: list[dto.TimelineGap] = []
    if scheduled > 0:
        window_start = _local_instant(day, settings.workday_start_time, z)
        window_end = _local_instant(day, settings.workday_end_time, z)
        cursor = window_start
        for sp in sorted(spans, key=lambda x: x.start or window_start):
            assert sp.start is not None and sp.end is not None
            if sp.start > cursor and (sp.start - cursor).total_seconds() >= 60:
                gaps.append(dto.TimelineGap(cursor, min(sp.start, window_end)))
            cursor = max(cursor, sp.end)
            if cursor >= window_end:
                break
        if window_end > cursor and (window_end - cursor).total_seconds() >= 60:
            gaps.append(dto.TimelineGap(cursor, window_end))
        gaps = [g for g in gaps if g.end > g.start]
    return dto.TimelineDay(
        user_id=p.id,
        user_name=p.name,
        user_email=p.email,
        team=p.team,
        day=day,
        timezone=p.timezone,
        window_start=window_start,
        window_end=window_end,
        spans=tuple(spans),
        untimed=tuple(untimed),
        gaps=tuple(gaps),
        total_s=total,
        billable_s=billable,
        non_billable_s=total - billable,
        scheduled_s=scheduled,
    )


def _local_instant(day: date, at: time, z: Any) -> datetime:
    """Local wall-clock ``at`` on ``day`` as an aware local datetime (a time in
    a DST gap is read with the offset before the gap)."""
    return datetime.combine(day, at).replace(tzinfo=z).astimezone(UTC).astimezone(z)
