"""Billed time from raw time.

Rule: billed seconds = raw seconds rounded UP to the customer's increment
(``increment_min`` minutes; 0 = no rounding), and at least the customer's
minimum (``minimum_min`` minutes; 0 = none). Nothing logged (raw 0) bills
nothing. Raw time is always kept; this only computes the billed figure.

Precisely: raw time up to the minimum bills the minimum; raw time above the
minimum is rounded up to the increment. When the minimum is a multiple of the
increment (the usual case) this is exactly "round up, then apply the minimum".
When it is not (6-minute increment, 25-minute minimum) the minimum itself is
billed as is rather than being rounded up again, which keeps the rule
idempotent: billing an already billed figure never changes it.
"""

from __future__ import annotations

from typing import Any

from desktop.core.errors import ValidationError


def billed_seconds(raw_s: int, increment_min: int, minimum_min: int) -> int:
    """Apply the rounding rule to ``raw_s`` seconds (see the module rule)."""
    if raw_s < 0:
        raise ValidationError(f"a duration can't be negative ({raw_s} s)")
    if increment_min < 0 or minimum_min < 0:
        raise ValidationError(
            f"rounding increment and minimum can't be negative "
            f"(increment {increment_min} min, minimum {minimum_min} min)"
        )
    if raw_s == 0:
        return 0
    minimum_s = minimum_min * 60
    if raw_s <= minimum_s:
        return minimum_s
    if not increment_min:
        return raw_s
    step = increment_min * 60
    return -(-raw_s // step) * step


def billed_seconds_sql(raw: Any, increment_min: Any, minimum_min: Any) -> Any:
    """:func:`billed_seconds` as an SQL expression over columns, for reports that
    round each entry inside a GROUP BY (integer arithmetic only; the inputs are
    valid by the schema's checks). A test holds the two to the same answers."""
    from sqlalchemy import case

    minimum_s = minimum_min * 60
    step = increment_min * 60
    return case(
        (raw <= 0, 0),
        (raw <= minimum_s, minimum_s),
        (increment_min <= 0, raw),
        else_=((raw + step - 1) // step) * step,
    )
