"""Tests for desktop.core.rounding."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.errors import ValidationError
from desktop.core.rounding import billed_seconds


@pytest.mark.parametrize(
    ("raw", "increment", "minimum", "billed"),
    [
        (7 * 60, 6, 0, 12 * 60),
        (6 * 60, 6, 0, 6 * 60),
        (1, 6, 0, 6 * 60),
        (5 * 60, 0, 15, 15 * 60),
        (5 * 60, 6, 15, 15 * 60),
        (16 * 60, 15, 15, 30 * 60),
        (61, 0, 0, 61),
        (0, 15, 60, 0),
        (3600, 15, 60, 3600),
        (3601, 15, 60, 3600 + 900),
        # minimum not a multiple of the increment: the minimum bills as is
        (1, 6, 25, 25 * 60),
        (25 * 60, 6, 25, 25 * 60),
        (25 * 60 + 1, 6, 25, 30 * 60),
    ],
)
def test_examples(raw: int, increment: int, minimum: int, billed: int) -> None:
    assert billed_seconds(raw, increment, minimum) == billed


@pytest.mark.parametrize(("raw", "increment", "minimum"), [(-1, 0, 0), (60, -6, 0), (60, 0, -1)])
def test_refuses_negative(raw: int, increment: int, minimum: int) -> None:
    with pytest.raises(ValidationError):
        billed_seconds(raw, increment, minimum)


raws = st.integers(min_value=0, max_value=2 * 86400)
increments = st.sampled_from([0, 1, 5, 6, 10, 15, 30, 60])
minimums = st.sampled_from([0, 5, 15, 25, 30, 60, 120])


@given(raws, increments, minimums)
def test_properties(raw: int, increment: int, minimum: int) -> None:
    billed = billed_seconds(raw, increment, minimum)
    if raw == 0:
        assert billed == 0
        return
    assert billed >= raw
    assert billed >= minimum * 60
    if increment:
        assert billed % (increment * 60) == 0 or billed == minimum * 60
    if billed > minimum * 60:
        assert billed - raw < max(increment * 60, 1)
    if increment and minimum % increment == 0:
        # the usual case is exactly "round up, then apply the minimum"
        rounded_up = -(-raw // (increment * 60)) * increment * 60
        assert billed == max(rounded_up, minimum * 60)
    assert billed_seconds(billed, increment, minimum) == billed
