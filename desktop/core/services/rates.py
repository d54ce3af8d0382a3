"""Rates and money: effective-dated billing and cost rates, and what an entry is
worth.

Rules this service enforces:

* Only admins set rates (:func:`desktop.core.permissions.can_manage_company`).
  A rate is integer minor units per hour in the company currency, from a date
  on. Setting a rate for the same user, kind, override and date again replaces
  its amount; any other date adds a new effective-dated row, so a change never
  rewrites what an entry was worth before that date.
* Billing rates may be overridden per customer or per project (a project
  override also names the project's customer); cost rates are per user only.
* Which rate applies is :func:`desktop.core.money.resolve_rate` (project
  override → customer override → user rate; latest ``effective_from`` on or
  before the work date).
* Billed time is :func:`desktop.core.rounding.billed_seconds` with the
  customer's increment and minimum, on billable entries only; raw time is
  never changed. Value = billed time × billing rate (billable entries only);
  cost = raw time × cost rate (every entry). Both stay unrounded ``Decimal``
  per entry; totals are exact integers rounded once
  (:func:`desktop.core.money.sum_value_minor`). Never float.
* Cost rates and costs are shown only to those who may see cost
  (:func:`desktop.core.permissions.can_see_cost`); the rest read rates of the
  people whose entries they may read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.core import dto, outbox, permissions
from desktop.core.errors import Forbidden, ValidationError
from desktop.core.model import Customer, Project, Rate, User
from desktop.core.money import RATE_KINDS, RateRow, resolve_rate, sum_value_minor, value_minor
from desktop.core.outbox import counted
from desktop.core.rounding import billed_seconds
from desktop.core.services.common import (
    Service,
    find_customer,
    find_project,
    find_user,
    require_user,
    to_user,
)
from desktop.core.services.company import load_currency

MAX_RATE_MINOR = 10**9


@dataclass(frozen=True)
class MoneyTotals:
    """Exact totals in minor units (each rounded once, half-up)."""

    billed_s: int
    value_minor: int
    cost_minor: int | None

    @property
    def margin_minor(self) -> int | None:
        return None if self.cost_minor is None else self.value_minor - self.cost_minor


def _to_rate(s: Session, row: Rate) -> dto.Rate:
    owner = s.get(User, row.user_id)
    customer = s.get(Customer, row.customer_id) if row.customer_id else None
    project = s.get(Project, row.project_id) if row.project_id else None
    return dto.Rate(
        id=row.id,
        user_id=row.user_id,
        user=owner.email if owner else "",
        kind=row.kind,
        amount_minor=row.amount_minor,
        currency=row.currency,
        effective_from=row.effective_from,
        customer_id=row.customer_id,
        customer=customer.name if customer else None,
        project_id=row.project_id,
        project=project.name if project else None,
    )


def _rate_row(row: Rate) -> RateRow:
    return RateRow(
        id=row.id,
        user_id=row.user_id,
        kind=row.kind,
        amount_minor=row.amount_minor,
        effective_from=row.effective_from,
        customer_id=row.customer_id,
        project_id=row.project_id,
    )


def entry_money(
    entry: dto.Entry,
    rates: Sequence[RateRow],
    customer: Customer,
    currency: str,
    *,
    with_cost: bool,
) -> dto.EntryMoney:
    """Billed time, value and (``with_cost``) cost of one entry (see the module rule)."""
    billed = rate = cost_rate = None
    value = cost = None
    if entry.billable:
        billed = billed_seconds(
            entry.duration_s, customer.round_increment_min, customer.round_minimum_min
        )
        found = resolve_rate(
            rates,
            user_id=entry.user_id,
            kind="billing",
            work_date=entry.work_date,
            customer_id=entry.customer_id,
            project_id=entry.project_id,
        )
        if found is not None:
            rate = found.amount_minor
            value = value_minor(billed, rate)
    if with_cost:
        found = resolve_rate(
            rates,
            user_id=entry.user_id,
            kind="cost",
            work_date=entry.work_date,
            customer_id=None,
            project_id=None,
        )
        if found is not None:
            cost_rate = found.amount_minor
            cost = value_minor(entry.duration_s, cost_rate)
    return dto.EntryMoney(
        entry.id, entry.duration_s, billed, rate, value, cost_rate, cost, currency
    )


class RateService(Service):
    """Effective-dated rates and the money of entries (see the module rules)."""

    def set_rate(
        self,
        actor_id: str | None,
        user: str,
        *,
        kind: str,
        amount_minor: int,
        effective_from: date,
        customer: str | None = None,
        project: str | None = None,
    ) -> dto.Rate:
        """Add (or, for the same user/kind/override/date, replace) a rate. Admins only."""
        if kind not in RATE_KINDS:
            raise ValidationError(f'unknown rate kind "{kind}"; use billing or cost')
        if not 0 <= amount_minor <= MAX_RATE_MINOR:
            raise ValidationError("a rate can't be negative or absurdly large")
        if kind == "cost" and (customer or project):
            raise ValidationError("cost rates are per user; overrides exist for billing only")
        with self.db.write() as s:
            if not permissions.can_manage_company(to_user(s, require_user(s, actor_id))):
                raise Forbidden("only admins can set rates")
            owner = find_user(s, user)
            c = find_customer(s, customer) if customer else None
            p = find_project(s, project, c) if project else None
            if p is not None and c is None:
                c = s.get(Customer, p.customer_id)
            same = s.scalar(
                select(Rate).where(
                    Rate.deleted_at.is_(None),
                    Rate.user_id == owner.id,
                    Rate.kind == kind,
                    Rate.effective_from == effective_from,
                    Rate.customer_id.is_(None) if c is None else Rate.customer_id == c.id,
                    Rate.project_id.is_(None) if p is None else Rate.project_id == p.id,
                )
            )
            currency = load_currency(s)
            if same is None:
                same = Rate(
                    user_id=owner.id,
                    kind=kind,
                    amount_minor=amount_minor,
                    currency=currency,
                    effective_from=effective_from,
                    customer_id=c.id if c else None,
                    project_id=p.id if p else None,
                    updated_at=self.now(),
                )
                s.add(same)
                outbox.record(s, same, "create")
            elif (same.amount_minor, same.currency) != (amount_minor, currency):
                same.amount_minor, same.currency = amount_minor, currency
                same.updated_at = self.now()
                outbox.record(s, same, "update", fields=["amount_minor", "currency", "updated_at"])
            return _to_rate(s, same)

    def list_rates(self, actor_id: str | None, user: str | None = None) -> list[dto.Rate]:
        """Rates of the people the actor may read (one person with ``user``);
        cost rates only for those who may see cost."""
        with self.db.read() as s:
            actor = to_user(s, require_user(s, actor_id))
            q = select(Rate).where(counted(Rate))
            if user is not None:
                q = q.where(Rate.user_id == find_user(s, user).id)
            if not permissions.can_see_cost(actor):
                q = q.where(Rate.kind == "billing")
            readable: dict[str, bool] = {}
            out: list[dto.Rate] = []
            for row in s.scalars(q):
                if row.user_id not in readable:
                    owner = s.get(User, row.user_id)
                    readable[row.user_id] = owner is not None and permissions.can_read_entries_of(
                        actor, to_user(s, owner)
                    )
                if readable[row.user_id]:
                    out.append(_to_rate(s, row))
            return sorted(
                out,
                key=lambda r: (r.user, r.kind, r.customer or "", r.project or "", r.effective_from),
            )

    def money(self, actor_id: str | None, entries: Iterable[dto.Entry]) -> list[dto.EntryMoney]:
        """Billed time, rate, value and (when the actor may see cost) cost per entry."""
        with self.db.read() as s:
            actor = to_user(s, require_user(s, actor_id))
            with_cost = permissions.can_see_cost(actor)
            entries = list(entries)
            user_ids = {e.user_id for e in entries}
            rates = [
                _rate_row(r)
                for r in s.scalars(
                    select(Rate).where(counted(Rate), Rate.user_id.in_(user_ids))
                )
            ]
            currency = load_currency(s)
            customers: dict[str, Customer] = {}
            out = []
            for e in entries:
                if e.customer_id not in customers:
                    found = s.get(Customer, e.customer_id)
                    assert found is not None
                    customers[e.customer_id] = found
                out.append(
                    entry_money(e, rates, customers[e.customer_id], currency, with_cost=with_cost)
                )
            return out

    @staticmethod
    def totals(money: Iterable[dto.EntryMoney]) -> MoneyTotals:
        """Exact totals: Σ billed time, Σ value and Σ cost, each rounded once.

        Cost is None when no entry carries a cost (not visible, or no cost rate)."""
        items = list(money)
        value = sum_value_minor(
            (m.billed_s or 0, m.rate_minor) for m in items if m.rate_minor is not None
        )
        with_cost = [m for m in items if m.cost_rate_minor is not None]
        cost = None
        if with_cost:
            cost = sum_value_minor((m.raw_s, m.cost_rate_minor or 0) for m in with_cost)
        return MoneyTotals(sum(m.billed_s or 0 for m in items), value, cost)
