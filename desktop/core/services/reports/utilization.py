"""Utilization for a period and its trend (the rules are in the package docstring)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.core import dto
from desktop.core.model import (
    TimeEntry,
)
from desktop.core.outbox import counted
from desktop.core.services.common import (
    Service,
)

# -------------------------------------------------------------- utilization
from desktop.core.services.reports.common import (
    BASES,
    BY_UTILIZATION,
    NO_TEAM,
    PCT,
    STEPS,
    Scope,
    available_seconds,
    bucket_sql,
    check_choice,
    check_period,
    days_off,
    elapsed_sql,
    in_weeks_with_status,
    load_scope,
    over_allocated,
    pct,
    period_buckets,
    under_utilized,
)


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
            (Decimal(acc.target_x_available) / acc.available).quantize(PCT, ROUND_HALF_UP)
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
    bucket = bucket_sql(step).label("bucket")
    q = select(
        TimeEntry.user_id,
        TimeEntry.billable,
        bucket,
        func.sum(elapsed_sql(now)),
    ).where(
        counted(TimeEntry),
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



class UtilizationReports(Service):
    """Utilization per technician, team or company, and its trend."""

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
        check_choice(by, BY_UTILIZATION, "grouping")
        check_choice(basis, BASES, "basis")
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
        check_choice(step, STEPS, "step")
        check_choice(by, BY_UTILIZATION, "grouping")
        check_choice(basis, BASES, "basis")
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
