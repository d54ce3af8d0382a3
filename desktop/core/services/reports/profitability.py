"""Profitability, project budgets and the money rules the exports share (the
rules are in the package docstring)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from desktop.core import dto, permissions
from desktop.core.errors import Forbidden
from desktop.core.model import (
    Customer,
    Project,
    Rate,
    TimeEntry,
)
from desktop.core.money import RateRow, resolve_rate, sum_value_minor
from desktop.core.outbox import counted
from desktop.core.rounding import billed_seconds_sql
from desktop.core.services.common import (
    Service,
    require_user,
    to_user,
)
from desktop.core.services.company import load_currency

# ----------------------------------------------------------- profitability
from desktop.core.services.reports.common import (
    BY_PROFIT,
    NO_PROJECT,
    PCT2,
    as_date,
    check_choice,
    check_period,
    in_weeks_with_status,
    load_scope,
    pct,
)


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
        .where(counted(TimeEntry), *where)
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
    at = as_date(change)
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
        margin_pct=None if margin is None else pct(margin, value, PCT2),
        realization_pct=pct(value, standard, PCT2),
    )


def budget_flag(burn: Decimal | None) -> str | None:
    if burn is None:
        return None
    if burn >= 100:
        return "100"
    if burn >= 80:
        return "80"
    return None



class ProfitabilityReports(Service):
    """Billed hours, value, cost, margin and realization; project budgets."""

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
        check_choice(by, BY_PROFIT, "grouping")
        check_period(start, end)
        statuses = ("approved", "submitted") if include_submitted else ("approved",)
        with self.db.read() as s:
            scope = load_scope(s, actor_id, team=team)
            if not permissions.can_see_profitability(scope.actor):
                raise Forbidden("only managers and admins can see profitability")
            with_cost = permissions.can_see_cost(scope.actor)
            ids = scope.ids
            all_rates = list(s.scalars(select(Rate).where(counted(Rate))))
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
            burn = pct(used.raw, project.budget_s, PCT2)
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
        burn = pct(value, project.budget_minor, PCT2)
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
            rates = list(s.scalars(select(Rate).where(counted(Rate))))
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
