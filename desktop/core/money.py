"""Money: amounts, entry values and effective-dated rates.

Rules enforced here:

* Money is ``int`` minor units (cents) or ``Decimal``; it never passes through
  ``float``. Amounts typed by people have at most 2 decimals and are not negative.
* The value of an entry is ``seconds * rate_minor_per_hour / 3600`` kept as an
  unrounded ``Decimal`` (``value_minor``). Totals are summed on those unrounded
  values and rounded ONCE, half-up, with ``round_minor`` -- never round per entry
  and then add. ``sum_value_minor`` does the same on integers and is exact.
  Because ``/3600`` is not always a terminating decimal, ``value_minor`` carries
  60 significant digits and ``round_minor`` first snaps the accumulated
  division error (below 1e-12 minor units) away, so a total that is rationally
  exactly x.5 rounds up as it should.
* The rate that applies on a work date is the latest one whose
  ``effective_from <= work_date``. Billing: project override -> customer override
  -> plain user rate. Cost: the plain user cost rate only. A tier with no rate in
  effect on that date falls through to the next tier.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal

from desktop.core.errors import ValidationError

RATE_KINDS = ("billing", "cost")

_PLAIN = re.compile(r"(?P<int>[0-9]+)(?:\.(?P<frac>[0-9]*))?|\.(?P<onlyfrac>[0-9]+)", re.ASCII)
_GROUPED = re.compile(r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+)(?:\.(?P<frac>[0-9]*))?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"(?P<int>[0-9]+),(?P<frac>[0-9]{1,2})", re.ASCII)
_AMBIGUOUS = re.compile(r"[0-9]{1,3},[0-9]{3}", re.ASCII)
_LOOKS_NUMERIC = re.compile(r"[0-9.,]+", re.ASCII)
_CONTEXT = Context(prec=60)
_SNAP = Decimal("1e-12")
_MAX_DIGITS = 15


def parse_amount(text: str) -> int:
    """Parse a typed amount into minor units: "95" -> 9500, "95,50" -> 9550.

    "." is the decimal separator; "," is a thousands separator when grouped in
    threes ("1,234.50") and the decimal separator when there is no "." and one or
    two digits follow it ("95,5", "95,50"). A single comma followed by exactly three
    digits and no "." ("1,234") is refused as ambiguous. At most 2 decimals; no
    negatives.
    """
    raw = text.strip()
    shown = '"' + raw + '"'
    if not raw:
        raise ValidationError("an amount is required, e.g. 95.50")
    if raw.startswith("-"):
        raise ValidationError(f"{shown} is negative; an amount can't be below zero")
    if _AMBIGUOUS.fullmatch(raw):
        raise ValidationError(
            f"{shown} is ambiguous (thousands or decimals?); write it without the comma "
            "or add the decimals, e.g. 1234 or 1,234.00"
        )
    integer = frac = None
    for pattern in (_PLAIN, _GROUPED, _DECIMAL_COMMA):
        m = pattern.fullmatch(raw)
        if m:
            groups = m.groupdict()
            integer = (groups.get("int") or "0").replace(",", "")
            frac = groups.get("frac") or groups.get("onlyfrac") or ""
            break
    if integer is None or frac is None:
        if _LOOKS_NUMERIC.fullmatch(raw) and re.search(r"[.,][0-9]{3,}$", raw):
            raise ValidationError(f"{shown} has more than 2 decimals")
        raise ValidationError(f"can't read {shown} as an amount; use 95, 95.50 or 95,50")
    if len(frac) > 2:
        raise ValidationError(f"{shown} has more than 2 decimals")
    if len(integer) > _MAX_DIGITS:
        raise ValidationError(f"{shown} is too large")
    return int(integer) * 100 + int(frac.ljust(2, "0"))


def format_amount(minor: int) -> str:
    """Plain decimal string of minor units: 9550 -> "95.50", -320 -> "-3.20"."""
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(minor), 100)
    return f"{sign}{units}.{cents:02d}"


def value_minor(seconds: int, rate_minor_per_hour: int) -> Decimal:
    """Unrounded value in minor units of ``seconds`` at an hourly rate.

    Sum these and call ``round_minor`` once on the total.
    """
    return _CONTEXT.divide(Decimal(seconds * rate_minor_per_hour), Decimal(3600))


def round_minor(d: Decimal) -> int:
    """Round an unrounded money value (or a sum of them) half-up to whole minor units."""
    snapped = d.quantize(_SNAP, rounding=ROUND_HALF_EVEN, context=_CONTEXT)
    return int(snapped.quantize(Decimal(1), rounding=ROUND_HALF_UP, context=_CONTEXT))


def sum_value_minor(items: Iterable[tuple[int, int]]) -> int:
    """Exact total in minor units of (seconds, rate_minor_per_hour) pairs, rounded
    half-up once. Integer arithmetic only."""
    numerator = sum(seconds * rate for seconds, rate in items)
    sign = -1 if numerator < 0 else 1
    whole, rest = divmod(abs(numerator), 3600)
    return sign * (whole + (1 if rest * 2 >= 3600 else 0))


@dataclass(frozen=True)
class RateRow:
    """One effective-dated rate: ``amount_minor`` per hour from ``effective_from``."""

    id: str
    user_id: str
    kind: str  # "billing" | "cost"
    amount_minor: int
    effective_from: date
    customer_id: str | None = None
    project_id: str | None = None


def _latest(candidates: Iterable[RateRow], work_date: date) -> RateRow | None:
    in_effect = [r for r in candidates if r.effective_from <= work_date]
    if not in_effect:
        return None
    # ties on the same date are broken by id so the choice is deterministic
    return max(in_effect, key=lambda r: (r.effective_from, r.id))


def resolve_rate(
    rates: Iterable[RateRow],
    *,
    user_id: str,
    kind: str,
    work_date: date,
    customer_id: str | None,
    project_id: str | None,
) -> RateRow | None:
    """The rate of ``kind`` that applies to ``user_id``'s work on ``work_date``
    (see the module rule), or None when no rate is in effect."""
    if kind not in RATE_KINDS:
        raise ValidationError(f"unknown rate kind {kind!r}; use billing or cost")
    mine = [r for r in rates if r.user_id == user_id and r.kind == kind]
    plain = [r for r in mine if r.customer_id is None and r.project_id is None]
    if kind == "cost":
        return _latest(plain, work_date)
    tiers: list[list[RateRow]] = []
    if project_id is not None:
        tiers.append([r for r in mine if r.project_id == project_id])
    if customer_id is not None:
        tiers.append([r for r in mine if r.customer_id == customer_id and r.project_id is None])
    tiers.append(plain)
    for tier in tiers:
        found = _latest(tier, work_date)
        if found is not None:
            return found
    return None
