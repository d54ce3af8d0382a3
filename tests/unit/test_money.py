"""Tests for desktop.core.money."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.errors import ValidationError
from desktop.core.money import (
    RateRow,
    format_amount,
    parse_amount,
    resolve_rate,
    round_minor,
    sum_value_minor,
    value_minor,
)


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("95", 9500),
        ("95.5", 9550),
        ("95.50", 9550),
        ("95,50", 9550),
        ("95,5", 9550),
        (" 95.50 ", 9550),
        ("1,234.50", 123450),
        ("1,234,567.89", 123456789),
        ("1,234,567", 123456700),
        (".5", 50),
        ("95.", 9500),
        ("0", 0),
        ("0.01", 1),
    ],
)
def test_parse_amount(text: str, minor: int) -> None:
    assert parse_amount(text) == minor


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "required"),
        ("-3", "negative"),
        ("-3.20", "negative"),
        ("95.505", "more than 2 decimals"),
        ("1,234.505", "more than 2 decimals"),
        ("95,505", "ambiguous"),
        ("1,234", "ambiguous"),
        ("abc", "can't read"),
        ("1,23.45", "can't read"),
        ("1.234,50", "can't read"),
        ("95,", "can't read"),
        ("1e3", "can't read"),
        ("$95", "can't read"),
        ("9" * 20, "too large"),
    ],
)
def test_parse_amount_refuses(text: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_amount(text)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("minor", "text"), [(9550, "95.50"), (-320, "-3.20"), (0, "0.00"), (5, "0.05"), (-5, "-0.05")]
)
def test_format_amount(minor: int, text: str) -> None:
    assert format_amount(minor) == text


@given(st.integers(min_value=0, max_value=10**12))
def test_amount_round_trip(minor: int) -> None:
    assert parse_amount(format_amount(minor)) == minor


@given(st.text(max_size=20))
def test_parse_amount_never_crashes(text: str) -> None:
    try:
        minor = parse_amount(text)
    except ValidationError:
        return
    assert minor >= 0


def test_value_minor_exact_cases() -> None:
    assert value_minor(3600, 9550) == Decimal(9550)
    assert value_minor(1800, 9550) == Decimal(4775)
    assert abs(Fraction(value_minor(60, 10)) - Fraction(1, 6)) < Fraction(1, 10**55)
    assert round_minor(value_minor(60, 10)) == 0  # 0.1666 cents
    assert round_minor(value_minor(180, 10)) == 1  # exactly 0.5 cent rounds up
    assert round_minor(Decimal("2.5")) == 3
    assert round_minor(Decimal("2.49")) == 2
    assert round_minor(Decimal("-2.5")) == -3


def _half_up(f: Fraction) -> int:
    return int((f + Fraction(1, 2)) // 1) if f >= 0 else -int((-f + Fraction(1, 2)) // 1)


@pytest.mark.parametrize("rate", [10, 3333])  # 0.10 and 33.33 per hour
def test_sum_of_10000_entries_matches_fractions(rate: int) -> None:
    rng = random.Random(rate)
    seconds = [rng.randint(1, 8 * 3600) for _ in range(10_000)]
    exact = sum((Fraction(s * rate, 3600) for s in seconds), Fraction(0))
    decimal_total = sum((value_minor(s, rate) for s in seconds), Decimal(0))
    assert round_minor(decimal_total) == _half_up(exact)
    assert sum_value_minor((s, rate) for s in seconds) == _half_up(exact)


def test_rational_half_rounds_up_despite_division_error() -> None:
    # 450 entries of 4 s at 1 minor/hour = 1800/3600 = exactly 0.5 minor units,
    # but each 4/3600 = 0.00111... is truncated in Decimal.
    parts = [value_minor(4, 1) for _ in range(450)]
    total = sum(parts, Decimal(0))
    assert total < Decimal("0.5")  # the raw Decimal sum is a hair below .5
    assert round_minor(total) == 1
    assert sum_value_minor([(4, 1)] * 450) == 1


@given(
    st.lists(st.tuples(st.integers(0, 86400), st.integers(0, 100_000)), min_size=0, max_size=200)
)
def test_decimal_and_integer_totals_agree(items: list[tuple[int, int]]) -> None:
    exact = sum((Fraction(s * r, 3600) for s, r in items), Fraction(0))
    assert sum_value_minor(items) == _half_up(exact)
    assert round_minor(sum((value_minor(s, r) for s, r in items), Decimal(0))) == _half_up(exact)


U = "u1"


def rate(
    rid: str,
    amount: int,
    effective: date,
    *,
    kind: str = "billing",
    user: str = U,
    customer: str | None = None,
    project: str | None = None,
) -> RateRow:
    return RateRow(rid, user, kind, amount, effective, customer, project)


RATES = [
    rate("user-old", 9000, date(2025, 1, 1)),
    rate("user-new", 9500, date(2026, 7, 1)),
    rate("user-future", 9900, date(2027, 1, 1)),
    rate("cust", 12000, date(2026, 1, 1), customer="c1"),
    rate("proj", 15000, date(2026, 9, 1), customer="c1", project="p1"),
    rate("cost-old", 4000, date(2025, 1, 1), kind="cost"),
    rate("cost-new", 4500, date(2026, 6, 1), kind="cost"),
    rate("cost-cust", 1, date(2025, 1, 1), kind="cost", customer="c1"),
    rate("other-user", 1, date(2020, 1, 1), user="u2"),
]


@pytest.mark.parametrize(
    ("kind", "day", "customer", "project", "expected"),
    [
        # future rate doesn't apply today
        ("billing", date(2026, 11, 25), None, None, "user-new"),
        # a past-dated rate applies from its date only
        ("billing", date(2026, 6, 30), None, None, "user-old"),
        ("billing", date(2026, 7, 1), None, None, "user-new"),
        ("billing", date(2027, 1, 1), None, None, "user-future"),
        # project beats customer beats user
        ("billing", date(2026, 11, 25), "c1", "p1", "proj"),
        ("billing", date(2026, 11, 25), "c1", None, "cust"),
        ("billing", date(2026, 11, 25), "c1", "p2", "cust"),
        ("billing", date(2026, 11, 25), "c2", "p2", "user-new"),
        # project override not yet in effect -> customer override
        ("billing", date(2026, 8, 31), "c1", "p1", "cust"),
        # customer override not yet in effect -> user rate
        ("billing", date(2025, 12, 31), "c1", None, "user-old"),
        # nothing in effect yet
        ("billing", date(2024, 12, 31), None, None, None),
        # cost: plain user cost rate only
        ("cost", date(2026, 11, 25), "c1", "p1", "cost-new"),
        ("cost", date(2026, 5, 31), "c1", None, "cost-old"),
        ("cost", date(2024, 1, 1), None, None, None),
    ],
)
def test_resolve_rate(
    kind: str, day: date, customer: str | None, project: str | None, expected: str | None
) -> None:
    found = resolve_rate(
        RATES, user_id=U, kind=kind, work_date=day, customer_id=customer, project_id=project
    )
    assert (found.id if found else None) == expected


def test_resolve_rate_other_user_and_bad_kind() -> None:
    found = resolve_rate(
        RATES,
        user_id="u2",
        kind="billing",
        work_date=date(2026, 1, 1),
        customer_id=None,
        project_id=None,
    )
    assert found is not None and found.amount_minor == 1
    assert (
        resolve_rate(
            RATES,
            user_id="u3",
            kind="billing",
            work_date=date(2026, 1, 1),
            customer_id=None,
            project_id=None,
        )
        is None
    )
    with pytest.raises(ValidationError):
        resolve_rate(
            RATES,
            user_id=U,
            kind="price",
            work_date=date(2026, 1, 1),
            customer_id=None,
            project_id=None,
        )


def test_resolve_rate_tie_is_deterministic() -> None:
    rows = [rate("b", 2, date(2026, 1, 1)), rate("a", 1, date(2026, 1, 1))]
    for ordering in (rows, rows[::-1]):
        found = resolve_rate(
            ordering,
            user_id=U,
            kind="billing",
            work_date=date(2026, 2, 1),
            customer_id=None,
            project_id=None,
        )
        assert found is not None and found.id == "b"
