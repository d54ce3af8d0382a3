"""Reading and writing durations typed by people.

Rule: a duration a technician types is a positive amount of time of at most
24 hours, returned as whole seconds. Accepted spellings (surrounding whitespace
ignored, letters case-insensitive):

* decimal hours ``1.5``, ``1,5``, ``.25``, ``2`` (at most 4 fractional digits),
  optionally followed by an hour unit: ``1.5h``, ``2 hours``;
* clock form ``H:MM`` such as ``1:30`` or ``0:05`` (exactly two minute digits, < 60);
* whole minutes ``90m``, ``45 min``, ``45 minutes``;
* hours and minutes ``1h30m``, ``1h 30m``, ``1 h 30 min`` (whole hours, minutes < 60).

Arithmetic is exact (``Decimal``, never ``float``); decimal hours are rounded
half-up to whole seconds. Empty, unreadable, zero, negative and over-24-hour
inputs are refused with a ``ValidationError`` whose message quotes the input.
Formatting shows ``H:MM`` rounded *down* to whole minutes, or decimal hours.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from desktop.core.errors import ValidationError

MAX_DURATION_S = 24 * 3600

_HOUR_UNIT = r"(?:h|hr|hrs|hour|hours)"
_MIN_UNIT = r"(?:m|min|mins|minute|minutes)"
_DECIMAL_HOURS = re.compile(
    rf"(?P<int>[0-9]*)(?:[.,](?P<frac>[0-9]*))?\s*{_HOUR_UNIT}?", re.ASCII | re.IGNORECASE
)
_CLOCK = re.compile(r"(?P<h>[0-9]+):(?P<m>[0-9]{2})", re.ASCII)
_MINUTES = re.compile(rf"(?P<m>[0-9]+)\s*{_MIN_UNIT}", re.ASCII | re.IGNORECASE)
_HOURS_MINUTES = re.compile(
    rf"(?P<h>[0-9]+)\s*{_HOUR_UNIT}\s*(?P<m>[0-9]+)\s*{_MIN_UNIT}?", re.ASCII | re.IGNORECASE
)
_MAX_DIGITS = 12  # longer numbers are certainly more than 24 hours


def _quote(text: str) -> str:
    return '"' + text + '"'


def parse_duration(text: str) -> int:
    """Parse a typed duration into whole seconds (1..86400); see the module rule."""
    raw = text.strip()
    shown = _quote(raw)
    if not raw:
        raise ValidationError("a duration is required; use 1.5, 1:30, 90m or 1h30m")
    if raw.startswith("-"):
        raise ValidationError(f"{shown} is negative; a duration must be more than zero")
    seconds = _parse_positive(raw, shown)
    if seconds <= 0:
        raise ValidationError(f"{shown} is zero; a duration must be more than zero")
    if seconds > MAX_DURATION_S:
        raise ValidationError(f"{shown} is more than 24 hours")
    return seconds


def _parse_positive(raw: str, shown: str) -> int:
    if any(len(run) > _MAX_DIGITS for run in re.findall(r"[0-9]+", raw, re.ASCII)):
        raise ValidationError(f"{shown} is more than 24 hours")

    m = _CLOCK.fullmatch(raw)
    if m:
        hours, minutes = int(m["h"]), int(m["m"])
        if minutes >= 60:
            raise ValidationError(f"{shown}: minutes must be below 60 (use 1:30, not 0:90)")
        return hours * 3600 + minutes * 60

    m = _MINUTES.fullmatch(raw)
    if m:
        return int(m["m"]) * 60

    m = _HOURS_MINUTES.fullmatch(raw)
    if m:
        hours, minutes = int(m["h"]), int(m["m"])
        if minutes >= 60:
            raise ValidationError(f"{shown}: minutes must be below 60 (use 2h30m, not 1h90m)")
        return hours * 3600 + minutes * 60

    m = _DECIMAL_HOURS.fullmatch(raw)
    if m and (m["int"] or m["frac"]):
        frac = m["frac"] or ""
        if len(frac) > 4:
            raise ValidationError(f"{shown} has too many decimals; use at most 4 (e.g. 1.2575)")
        decimal_hours = Decimal(f"{m['int'] or '0'}.{frac or '0'}")
        return int((decimal_hours * 3600).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    raise ValidationError(f"can't read {shown} as hours; use 1.5, 1:30, 90m or 1h30m")


def format_duration(seconds: int) -> str:
    """Format seconds as ``H:MM``, rounding down to whole minutes (5400 -> "1:30").

    Negative values keep their sign ("-0:30"); the magnitude is rounded down.
    """
    sign = "-" if seconds < 0 else ""
    minutes_total = abs(seconds) // 60
    hours, minutes = divmod(minutes_total, 60)
    return f"{sign}{hours}:{minutes:02d}"


def format_hours(seconds: int) -> str:
    """Format seconds as decimal hours with 2 decimals, rounded half-up (5400 -> "1.50")."""
    hours = (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{hours:.2f}"


_ZERO = re.compile(
    rf"(?:0+(?:[.,]0*)?|[.,]0+)\s*{_HOUR_UNIT}?|0+\s*{_MIN_UNIT}|0+:00", re.ASCII | re.IGNORECASE
)


def parse_cell_duration(text: str) -> int:
    """The hours typed into a grid cell (the grid and ``week set --hours``): any
    spelling of :func:`parse_duration`, or zero ("0", "0:00", "0h", "0m", "0.0")
    or nothing, meaning "clear the cell" (0)."""
    raw = text.strip()
    if not raw or _ZERO.fullmatch(raw):
        return 0
    return parse_duration(raw)
