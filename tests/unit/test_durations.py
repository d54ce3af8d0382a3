"""Tests for desktop.core.durations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.durations import format_duration, format_hours, parse_duration
from desktop.core.errors import ValidationError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1.5", 5400),
        ("1,5", 5400),
        ("1:30", 5400),
        ("90m", 5400),
        ("1h30m", 5400),
        ("1h 30m", 5400),
        ("1 h 30 min", 5400),
        ("1H30M", 5400),
        ("2h", 7200),
        ("1.5h", 5400),
        ("2 hours", 7200),
        ("45 min", 2700),
        ("45 minutes", 2700),
        (".25", 900),
        ("0:05", 300),
        ("  2  ", 7200),
        ("\t1:30\n", 5400),
        ("24", 86400),
        ("24:00", 86400),
        ("1440m", 86400),
        ("0.0002", 1),  # 0.72 s rounds half-up to 1 s
        ("1.2575", 4527),
        ("0.0125", 45),
        ("1.", 3600),
    ],
)
def test_parse_accepts(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "required"),
        ("   ", "required"),
        ("abc", 'can\'t read "abc" as hours; use 1.5, 1:30, 90m or 1h30m'),
        ("1:5", 'can\'t read "1:5"'),
        ("1.5.5", "can't read"),
        ("h", "can't read"),
        (".", "can't read"),
        ("1e3", "can't read"),
        ("٣", "can't read"),
        ("0", '"0" is zero'),
        ("0:00", "is zero"),
        ("0m", "is zero"),
        ("0.0001", "is zero"),
        ("-1", '"-1" is negative'),
        ("-0:30", "is negative"),
        ("0:60", "minutes must be below 60"),
        ("1:75", "minutes must be below 60"),
        ("1h60m", "minutes must be below 60"),
        ("24.01", "more than 24 hours"),
        ("25:00", "more than 24 hours"),
        ("24:01", "more than 24 hours"),
        ("1441m", "more than 24 hours"),
        ("99999999999999999999", "more than 24 hours"),
        ("1.00001", "too many decimals"),
    ],
)
def test_parse_refuses(text: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_duration(text)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (59, "0:00"), (60, "0:01"), (5400, "1:30"), (5459, "1:30"), (90000, "25:00")],
)
def test_format_duration(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


def test_format_duration_negative_keeps_sign() -> None:
    assert format_duration(-1800) == "-0:30"


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0.00"), (5400, "1.50"), (900, "0.25"), (18, "0.01"), (17, "0.00")]
)
def test_format_hours(seconds: int, text: str) -> None:
    assert format_hours(seconds) == text


@given(st.integers(min_value=1, max_value=1440))
def test_round_trip_whole_minutes(minutes: int) -> None:
    assert parse_duration(format_duration(minutes * 60)) == minutes * 60


@given(st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_spellings_agree(hours: int, minutes: int) -> None:
    total = hours * 3600 + minutes * 60
    if total == 0:
        return
    spellings = [
        f"{hours}:{minutes:02d}",
        f"{hours * 60 + minutes}m",
        f"{hours * 60 + minutes} min",
        f"{hours}h{minutes}m",
        f"{hours}h {minutes}m",
        f" {hours} h {minutes} min ",
    ]
    if minutes % 15 == 0:  # exact in decimal hours with <= 2 digits
        decimal = f"{hours}.{minutes * 100 // 60:02d}"
        spellings += [decimal, decimal.replace(".", ",")]
    assert {parse_duration(s) for s in spellings} == {total}


@given(
    st.one_of(
        st.text(),
        st.text(alphabet="0123456789.,:hm in-", max_size=12),
    )
)
def test_garbage_parses_in_range_or_raises_validation(text: str) -> None:
    try:
        seconds = parse_duration(text)
    except ValidationError as exc:
        assert str(exc)
    else:
        assert 1 <= seconds <= 86400
