"""Tests for desktop.core.timeutil."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from desktop.core.errors import ValidationError
from desktop.core.timeutil import (
    day_bounds_utc,
    format_week,
    local_to_utc,
    parse_at,
    parse_clock_time,
    parse_date,
    parse_week,
    utcnow,
    week_days,
    week_start,
    work_date,
    zone,
)

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney"]
# days around DST changes in 2026 (and neighbours) so Hypothesis hits them often
DST_DAYS = [
    date(2026, 3, 29),  # Berlin spring forward
    date(2026, 10, 25),  # Berlin fall back
    date(2026, 3, 8),  # New York spring forward
    date(2026, 11, 1),  # New York fall back
    date(2026, 4, 5),  # Sydney fall back
    date(2026, 10, 4),  # Sydney spring forward
]
dst_dates = st.one_of(
    st.sampled_from(DST_DAYS).flatmap(
        lambda d: st.integers(-1, 1).map(lambda k: d + timedelta(days=k))
    ),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2037, 12, 31)),
)
zones = st.sampled_from(ZONES)
times = st.times()


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.utcoffset() == timedelta(0)
    assert abs((datetime.now(UTC) - now).total_seconds()) < 5


def test_zone_known_and_unknown() -> None:
    assert zone("Europe/Berlin").key == "Europe/Berlin"
    for bad in ["Nope/Nowhere", "", "  ", "../../etc/passwd", "Europe"]:
        with pytest.raises(ValidationError, match="unknown timezone"):
            zone(bad)


def test_work_date_uses_local_date() -> None:
    instant = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    assert work_date(instant, "Europe/Berlin") == date(2026, 11, 26)
    assert work_date(instant, "America/New_York") == date(2026, 11, 25)
    with pytest.raises(ValidationError):
        work_date(datetime(2026, 11, 25, 12), "UTC")


def test_week_start_examples() -> None:
    wed = date(2026, 11, 25)
    assert week_start(wed) == date(2026, 11, 23)
    assert week_start(wed, 6) == date(2026, 11, 22)
    assert week_start(date(2026, 11, 22), 6) == date(2026, 11, 22)
    assert week_start(wed, 2) == wed
    with pytest.raises(ValidationError):
        week_start(wed, 7)


def test_week_days() -> None:
    days = week_days(date(2026, 11, 23))
    assert days[0] == date(2026, 11, 23)
    assert days[-1] == date(2026, 11, 29)
    assert len(days) == 7


@pytest.mark.parametrize(
    ("text", "first", "expected"),
    [
        ("2026-W48", 0, date(2026, 11, 23)),
        ("2026w48", 0, date(2026, 11, 23)),
        (" 2026-W01 ", 0, date(2025, 12, 29)),
        ("2026-W53", 0, date(2026, 12, 28)),
        ("2026-W48", 6, date(2026, 11, 22)),
        ("2026-W48", 5, date(2026, 11, 21)),
        ("2026-11-25", 0, date(2026, 11, 23)),
        ("2026-11-25", 6, date(2026, 11, 22)),
    ],
)
def test_parse_week(text: str, first: int, expected: date) -> None:
    assert parse_week(text, first) == expected


@pytest.mark.parametrize("text", ["2026-W54", "2025-W53", "2026-W00", "garbage", "", "2026-13-01"])
def test_parse_week_refuses(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_week(text)


def test_format_week() -> None:
    assert format_week(date(2026, 11, 23)) == "2026-W48"
    assert format_week(date(2026, 11, 22)) == "2026-W48"  # Sunday-start week
    assert format_week(date(2025, 12, 29)) == "2026-W01"


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 6))
def test_week_roundtrip(d: date, first: int) -> None:
    start = week_start(d, first)
    assert start.weekday() == first
    assert start <= d
    assert (d - start).days < 7
    assert parse_week(format_week(start), first) == start
    assert parse_week(d.isoformat(), first) == start


TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("today", TODAY),
        ("Today", TODAY),
        ("yesterday", date(2026, 11, 24)),
        ("wed", TODAY),
        ("wednesday", TODAY),
        ("mon", date(2026, 11, 23)),
        ("Monday", date(2026, 11, 23)),
        ("thu", date(2026, 11, 19)),
        ("sun", date(2026, 11, 22)),
        ("tues", date(2026, 11, 24)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["", "tomorrow", "2026-02-30", "25.11.2026", "mo"])
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_date(text, TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:15", time(9, 15)), ("9:15", time(9, 15)), ("00:00", time(0)), ("23:59", time(23, 59))],
)
def test_parse_clock_time(text: str, expected: time) -> None:
    assert parse_clock_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "0915", "9:5", "12:60", "", "noon", "123:00"])
def test_parse_clock_time_refuses(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_clock_time(text)


def test_local_to_utc_gap_refused_and_fold_first() -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        local_to_utc(date(2026, 3, 29), time(2, 30), "Europe/Berlin")
    with pytest.raises(ValidationError, match="does not exist"):
        local_to_utc(date(2026, 3, 8), time(2, 0), "America/New_York")
    # 02:30 happens twice on 2026-10-25 in Berlin: first at +02:00
    assert local_to_utc(date(2026, 10, 25), time(2, 30), "Europe/Berlin") == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    assert local_to_utc(date(2026, 11, 1), time(1, 30), "America/New_York") == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


NOW = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # already Nov 26 in Berlin


def test_parse_at_forms() -> None:
    assert parse_at("09:15", "Europe/Berlin", NOW) == datetime(2026, 11, 26, 8, 15, tzinfo=UTC)
    assert parse_at("9:15", "America/New_York", NOW) == datetime(2026, 11, 25, 14, 15, tzinfo=UTC)
    assert parse_at("2026-11-25T09:15", "America/New_York", NOW) == datetime(
        2026, 11, 25, 14, 15, tzinfo=UTC
    )
    assert parse_at("2026-11-25 09:15", "Europe/Berlin", NOW) == datetime(
        2026, 11, 25, 8, 15, tzinfo=UTC
    )
    got = parse_at("2026-11-25T09:15+05:30", "Europe/Berlin", NOW)
    assert got == datetime(2026, 11, 25, 3, 45, tzinfo=UTC)
    assert got.tzinfo is UTC
    assert parse_at("2026-11-25T09:15Z", "Europe/Berlin", NOW) == datetime(
        2026, 11, 25, 9, 15, tzinfo=UTC
    )


@pytest.mark.parametrize("text", ["", "later", "2026-11-25", "25:00", "2026-03-29T02:30"])
def test_parse_at_refuses(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_at(text, "Europe/Berlin", NOW)


def test_parse_at_needs_aware_now() -> None:
    with pytest.raises(ValidationError):
        parse_at("09:15", "Europe/Berlin", datetime(2026, 11, 25, 9))


def test_parse_at_other_offset_is_kept_as_instant() -> None:
    plus_one = timezone(timedelta(hours=1))
    text = datetime(2026, 6, 1, 10, 0, tzinfo=plus_one).isoformat()
    assert parse_at(text, "America/New_York", NOW) == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_day_bounds_dst_days() -> None:
    start, end = day_bounds_utc(date(2026, 3, 29), "Europe/Berlin")
    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=23)
    start, end = day_bounds_utc(date(2026, 10, 25), "Europe/Berlin")
    assert end - start == timedelta(hours=25)
    start, end = day_bounds_utc(date(2026, 11, 25), "Europe/Berlin")
    assert end - start == timedelta(hours=24)


def _is_gap(d: date, t: time, tz: str) -> bool:
    try:
        local_to_utc(d, t, tz)
    except ValidationError:
        return True
    return False


@given(dst_dates, times, zones)
def test_local_to_utc_keeps_work_date(d: date, t: time, tz: str) -> None:
    assume(not _is_gap(d, t, tz))
    instant = local_to_utc(d, t, tz)
    assert instant.utcoffset() == timedelta(0)
    assert work_date(instant, tz) == d
    local = instant.astimezone(zone(tz))
    assert local.time().replace(tzinfo=None) == t.replace(fold=0)


@given(dst_dates, st.integers(0, 6))
def test_week_start_properties(d: date, first: int) -> None:
    start = week_start(d, first)
    assert start.weekday() == first
    assert start <= d
    assert 0 <= (d - start).days < 7


@given(dst_dates, zones)
def test_day_bounds_tile(d: date, tz: str) -> None:
    start, end = day_bounds_utc(d, tz)
    next_start, next_end = day_bounds_utc(d + timedelta(days=1), tz)
    assert end - start in {timedelta(hours=h) for h in (23, 24, 25)}
    assert end == next_start
    assert next_end > next_start
    assert work_date(start, tz) == d
    assert work_date(end - timedelta(microseconds=1), tz) == d


def test_dst_days_are_not_24h() -> None:
    lengths = {}
    for tz in ZONES:
        for d in DST_DAYS:
            start, end = day_bounds_utc(d, tz)
            lengths[(tz, d)] = (end - start) / timedelta(hours=1)
    assert lengths[("Europe/Berlin", date(2026, 3, 29))] == 23
    assert lengths[("America/New_York", date(2026, 11, 1))] == 25
    assert lengths[("Australia/Sydney", date(2026, 10, 4))] == 23
    assert lengths[("Australia/Sydney", date(2026, 4, 5))] == 25
