"""Instants, local dates and weeks, DST-safe.

Rules enforced here:

* Instants are aware UTC ``datetime`` values; local wall-clock values only exist
  at the edges (parsing what a person typed, showing a date).
* ``work_date`` is the local date in the user's timezone at the instant.
* A week starts on the user's first weekday (0=Monday .. 6=Sunday, default Monday).
  A week is named by the ISO week of its start + 3 days, so a Sunday-start week
  is named after the ISO week it mostly overlaps; ``parse_week`` is the inverse
  of ``format_week`` for every first weekday.
* Local time -> UTC: a wall-clock time that does not exist (spring-forward gap)
  is refused; an ambiguous one (fall-back) means its first occurrence (fold=0).
* A local day is the half-open UTC range [local midnight, next local midnight),
  which is 23 or 25 hours long on DST change days; consecutive days tile exactly.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.core.errors import ValidationError

_WEEKDAYS: dict[str, int] = {
    "mon": 0, "monday": 0,
    "tue": 1, "tues": 1, "tuesday": 1,
    "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}  # fmt: skip

_ISO_WEEK = re.compile(r"(?P<y>[0-9]{4})-?[Ww](?P<w>[0-9]{1,2})", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_CLOCK = re.compile(r"(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})", re.ASCII)


def utcnow() -> datetime:
    """The current instant as an aware UTC datetime."""
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; ValidationError for unknown names."""
    if not name or not name.strip():
        raise ValidationError("unknown timezone ''; use an IANA name such as Europe/Berlin")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        raise ValidationError(
            f"unknown timezone {name!r}; use an IANA name such as Europe/Berlin"
        ) from None


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(f"{what} must carry a timezone (got {value.isoformat()})")


def work_date(instant_utc: datetime, tz: str) -> date:
    """The local date in ``tz`` at the (aware) instant."""
    _require_aware(instant_utc, "instant")
    return instant_utc.astimezone(zone(tz)).date()


def _check_first_weekday(first_weekday: int) -> None:
    if not 0 <= first_weekday <= 6:
        raise ValidationError(
            f"first weekday must be 0 (Monday) .. 6 (Sunday), not {first_weekday}"
        )


def week_start(d: date, first_weekday: int = 0) -> date:
    """The start of the week containing ``d`` (0=Monday .. 6=Sunday)."""
    _check_first_weekday(first_weekday)
    return d - timedelta(days=(d.weekday() - first_weekday) % 7)


def week_days(start: date) -> list[date]:
    """The 7 days of the week starting at ``start``."""
    return [start + timedelta(days=i) for i in range(7)]


def parse_week(text: str, first_weekday: int = 0) -> date:
    """Parse "2026-W48" (or "2026w48") or a date "2026-11-25" into a week start.

    For an ISO week the result is the ``first_weekday`` week containing that ISO
    week's Thursday, i.e. the start ``s`` with ``format_week(s) == text``; for a
    Monday start that is the ISO Monday, for a Sunday start the Sunday before it.
    """
    _check_first_weekday(first_weekday)
    raw = text.strip()
    m = _ISO_WEEK.fullmatch(raw)
    if m:
        year, week = int(m["y"]), int(m["w"])
        try:
            thursday = date.fromisocalendar(year, week, 4)
        except ValueError:
            raise ValidationError(f"{raw!r} is not a week of {year}") from None
        return week_start(thursday, first_weekday)
    if _ISO_DATE.fullmatch(raw):
        return week_start(_iso_date(raw), first_weekday)
    raise ValidationError(f"can't read {raw!r} as a week; use 2026-W48 or a date like 2026-11-25")


def format_week(start: date) -> str:
    """Name a week by the ISO week of ``start`` + 3 days: "2026-W48"."""
    year, week, _ = (start + timedelta(days=3)).isocalendar()
    return f"{year}-W{week:02d}"


def _iso_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{raw!r} is not a valid date") from None


def parse_date(text: str, today: date) -> date:
    """Parse "2026-11-25", "today", "yesterday" or a weekday name ("mon", "monday").

    A weekday name means the most recent such day, today included.
    """
    raw = text.strip()
    key = raw.lower()
    if key == "today":
        return today
    if key == "yesterday":
        return today - timedelta(days=1)
    if key in _WEEKDAYS:
        return today - timedelta(days=(today.weekday() - _WEEKDAYS[key]) % 7)
    if _ISO_DATE.fullmatch(raw):
        return _iso_date(raw)
    raise ValidationError(
        f"can't read {raw!r} as a date; use 2026-11-25, today, yesterday or a weekday like mon"
    )


def parse_clock_time(text: str) -> time:
    """Parse a wall-clock time "HH:MM" or "H:MM" (00:00 .. 23:59)."""
    raw = text.strip()
    m = _CLOCK.fullmatch(raw)
    if m:
        hour, minute = int(m["h"]), int(m["m"])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValidationError(f"can't read {raw!r} as a time of day; use 09:15 (00:00 to 23:59)")


def local_to_utc(d: date, t: time, tz: str) -> datetime:
    """The UTC instant of local date ``d`` at wall-clock ``t`` in ``tz``.

    A time inside a spring-forward gap is refused; an ambiguous fall-back time
    is its first occurrence (fold=0). Any tzinfo on ``t`` is ignored.
    """
    z = zone(tz)
    naive = datetime.combine(d, t.replace(tzinfo=None, fold=0))
    local = naive.replace(tzinfo=z)
    instant = local.astimezone(UTC)
    if instant.astimezone(z).replace(tzinfo=None) != naive:
        raise ValidationError(
            f"{naive.strftime('%Y-%m-%d %H:%M')} does not exist in {tz} "
            "(clocks jump forward then); pick a time after the change"
        )
    return instant


def parse_at(text: str, tz: str, now_utc: datetime) -> datetime:
    """Parse the timer's ``--at``: "09:15" (today in ``tz``), an ISO datetime with
    an offset (taken as is) or a naive ISO datetime (local in ``tz``). Aware UTC.
    """
    _require_aware(now_utc, "now")
    raw = text.strip()
    if _CLOCK.fullmatch(raw):
        return local_to_utc(work_date(now_utc, tz), parse_clock_time(raw), tz)
    if _ISO_DATE.fullmatch(raw):
        raise ValidationError(f"{raw!r} has no time of day; use 09:15 or 2026-11-25T09:15")
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            f"can't read {raw!r} as a time; use 09:15 or 2026-11-25T09:15"
        ) from None
    if parsed.tzinfo is not None and parsed.utcoffset() is not None:
        return parsed.astimezone(UTC)
    return local_to_utc(parsed.date(), parsed.time(), tz)


def day_bounds_utc(d: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of local day ``d`` in ``tz`` (23/24/25 h long).

    A midnight that falls in a DST gap starts the day at the first existing instant.
    """
    z = zone(tz)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=z).astimezone(UTC)

    return midnight(d), midnight(d + timedelta(days=1))


def week_deadline(start: date, weekday: int, at: time, tz: str) -> datetime:
    """The UTC instant a week starting ``start`` is due: the first ``weekday``
    (0=Monday) on or after the day after its last day, at local ``at`` in
    ``tz`` (a time inside a DST gap moves to the next existing minute)."""
    after = start + timedelta(days=7)
    day = after + timedelta(days=(weekday - after.weekday()) % 7)
    z = zone(tz)
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=z).astimezone(UTC)


_MONTH = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})", re.ASCII)
_QUARTER = re.compile(r"(?P<y>[0-9]{4})-?[Qq](?P<q>[1-4])", re.ASCII)


def month_bounds(text: str) -> tuple[date, date]:
    """ "2026-11" → (2026-11-01, 2026-11-30)."""
    m = _MONTH.fullmatch(text.strip())
    if not m or not 1 <= int(m["m"]) <= 12:
        raise ValidationError(f"can't read {text.strip()!r} as a month; use 2026-11")
    first = date(int(m["y"]), int(m["m"]), 1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


def quarter_bounds(text: str) -> tuple[date, date]:
    """ "2026-Q4" → (2026-10-01, 2026-12-31)."""
    m = _QUARTER.fullmatch(text.strip())
    if not m:
        raise ValidationError(f"can't read {text.strip()!r} as a quarter; use 2026-Q4")
    year, q = int(m["y"]), int(m["q"])
    first = date(year, 3 * q - 2, 1)
    last = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return first, last - timedelta(days=1)
