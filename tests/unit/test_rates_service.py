"""RateService: effective dating, override order, rounding, exact money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from desktop.core.app import Punchclock
from desktop.core.errors import Forbidden, ValidationError
from desktop.core.money import round_minor

THIS_MONTH = date(2026, 11, 10)


@pytest.fixture
def pc(msp: Punchclock) -> Punchclock:
    """``msp`` plus ACME (6-minute increments) › Server migration, and Globex
    (15-minute minimum)."""
    admin = admin_id(msp)
    msp.directory.add_customer(admin, "ACME", round_increment_min=6)
    msp.directory.add_customer(admin, "Globex", round_minimum_min=15)
    msp.directory.add_project(admin, "ACME", "Server migration")
    return msp


def admin_id(pc: Punchclock) -> str:
    return pc.directory.user("admin@msp.test").id


def tech_id(pc: Punchclock) -> str:
    return pc.directory.user("tech@msp.test").id


def rate(pc: Punchclock, amount: int, start: date, **kw: str) -> None:
    pc.rates.set_rate(
        admin_id(pc),
        "tech@msp.test",
        kind=kw.pop("kind", "billing"),
        amount_minor=amount,
        effective_from=start,
        **kw,
    )


def log(pc: Punchclock, day: date, seconds: int, **target: str) -> str:
    target = target or {"customer": "ACME"}
    return pc.tracking.log(
        tech_id(pc),
        day=day,
        duration_s=seconds,
        description="patched the terminal servers",
        **target,
    ).entry.id


def money_of(pc: Punchclock, actor: str | None = None) -> dict[str, tuple[int | None, ...]]:
    entries = pc.tracking.entries(tech_id(pc), start=date(2026, 1, 1), end=date(2026, 12, 31))
    out = {}
    for m in pc.rates.money(actor or admin_id(pc), entries):
        value = None if m.value is None else round_minor(m.value)
        cost = None if m.cost is None else round_minor(m.cost)
        out[m.entry_id] = (m.billed_s, m.rate_minor, value, cost)
    return out


def test_rate_change_next_month_keeps_this_month(pc: Punchclock) -> None:
    rate(pc, 10000, date(2026, 1, 1))
    entry = log(pc, THIS_MONTH, 3600)
    assert money_of(pc)[entry][2] == 10000
    rate(pc, 12000, date(2026, 12, 1))
    assert money_of(pc)[entry][2] == 10000


def test_past_from_changes_values_from_that_date_only(pc: Punchclock) -> None:
    rate(pc, 10000, date(2026, 1, 1))
    before = log(pc, date(2026, 11, 2), 3600)
    after = log(pc, date(2026, 11, 20), 3600)
    rate(pc, 15000, date(2026, 11, 16))
    values = money_of(pc)
    assert (values[before][2], values[after][2]) == (10000, 15000)


def test_project_beats_customer_beats_user(pc: Punchclock) -> None:
    rate(pc, 10000, date(2026, 1, 1))
    plain = log(pc, THIS_MONTH, 3600, customer="Globex")
    on_customer = log(pc, THIS_MONTH, 3600)
    on_project = log(pc, THIS_MONTH, 3600, project="Server migration")
    rate(pc, 11000, date(2026, 1, 1), customer="ACME")
    rate(pc, 12000, date(2026, 1, 1), project="Server migration")
    rates = {k: v[1] for k, v in money_of(pc).items()}
    assert rates == {plain: 10000, on_customer: 11000, on_project: 12000}


def test_same_date_replaces_and_list_hides_cost_from_technicians(pc: Punchclock) -> None:
    rate(pc, 10000, date(2026, 1, 1))
    rate(pc, 10500, date(2026, 1, 1))
    rate(pc, 4000, date(2026, 1, 1), kind="cost")
    admin_view = pc.rates.list_rates(admin_id(pc), "tech@msp.test")
    assert [(r.kind, r.amount_minor, r.currency) for r in admin_view] == [
        ("billing", 10500, "EUR"),
        ("cost", 4000, "EUR"),
    ]
    assert [r.kind for r in pc.rates.list_rates(tech_id(pc))] == ["billing"]
    entry = log(pc, THIS_MONTH, 3600)
    assert money_of(pc)[entry][3] == 4000
    assert money_of(pc, tech_id(pc))[entry][3] is None


def test_only_admins_set_rates_and_cost_has_no_overrides(pc: Punchclock) -> None:
    with pytest.raises(Forbidden):
        pc.rates.set_rate(
            pc.directory.user("boss@msp.test").id,
            "tech@msp.test",
            kind="billing",
            amount_minor=1,
            effective_from=THIS_MONTH,
        )
    with pytest.raises(ValidationError):
        rate(pc, 4000, THIS_MONTH, kind="cost", customer="ACME")
    with pytest.raises(ValidationError):
        rate(pc, -1, THIS_MONTH)


def test_rounding_bills_rounded_time_and_keeps_raw(pc: Punchclock) -> None:
    rate(pc, 6000, date(2026, 1, 1))
    seven = log(pc, THIS_MONTH, 7 * 60)
    five = log(pc, THIS_MONTH, 5 * 60, customer="Globex")
    values = money_of(pc)
    assert values[seven][:3] == (12 * 60, 6000, 1200)
    assert values[five][:3] == (15 * 60, 6000, 1500)
    assert pc.tracking.get(tech_id(pc), seven).duration_s == 7 * 60


def test_non_billable_entries_have_cost_but_no_value(pc: Punchclock) -> None:
    rate(pc, 9000, date(2026, 1, 1))
    rate(pc, 3000, date(2026, 1, 1), kind="cost")
    entry = pc.tracking.log(
        tech_id(pc),
        day=THIS_MONTH,
        customer="ACME",
        duration_s=1800,
        description="internal training",
        billable=False,
    ).entry.id
    assert money_of(pc)[entry] == (None, None, None, 1500)


@pytest.mark.parametrize("amount", [10, 3333])
def test_money_sums_exactly_over_many_entries(pc: Punchclock, amount: int) -> None:
    rate(pc, amount, date(2026, 1, 1))
    rate(pc, amount, date(2026, 1, 1), kind="cost")
    durations = [60 * (1 + (i * 7) % 53) + i % 59 for i in range(300)]
    for i, seconds in enumerate(durations):
        pc.tracking.log(
            tech_id(pc),
            day=date(2026, 1 + i % 11, 1 + i % 28),
            customer="Globex",
            duration_s=seconds,
            description="patched the terminal servers",
        )
    entries = pc.tracking.entries(tech_id(pc), start=date(2026, 1, 1), end=date(2026, 12, 31))
    money = pc.rates.money(admin_id(pc), entries)
    totals = pc.rates.totals(money)
    billed = [max(s, 900) for s in durations]  # Globex: 15-minute minimum, no increment
    exact_value = sum(Fraction(s * amount, 3600) for s in billed)
    exact_cost = sum(Fraction(s * amount, 3600) for s in durations)
    assert totals.billed_s == sum(billed)
    assert totals.value_minor == int(exact_value + Fraction(1, 2))
    assert totals.cost_minor == int(exact_cost + Fraction(1, 2))
    assert all(isinstance(m.value, Decimal) for m in money)
    assert round_minor(sum((m.value for m in money if m.value is not None), Decimal(0))) == (
        totals.value_minor
    )
