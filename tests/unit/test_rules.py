"""Tests for desktop.core.rules."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.errors import Problem, ValidationError
from desktop.core.rules import (
    MAX_DAY_S,
    MAX_DESCRIPTION,
    DescriptionPolicy,
    EntryFacts,
    check_description_text,
    day_totals,
    description_problems,
    find_overlaps,
    normalize_description,
    week_problems,
)

D = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
GOOD = "Replaced failing RAID disk on FS01 for Acme"
POLICY = DescriptionPolicy()


def timed(
    eid: str,
    start_h: float,
    end_h: float | None,
    *,
    day: date = D,
    running: bool = False,
    billable: bool = True,
    description: str = GOOD,
) -> EntryFacts:
    start = T0 + timedelta(days=(day - D).days, hours=start_h)
    end = None if end_h is None else T0 + timedelta(days=(day - D).days, hours=end_h)
    duration = 0 if end is None else int((end - start).total_seconds())
    return EntryFacts(eid, day, start, end, duration, billable, description, running)


def manual(
    eid: str, seconds: int, *, day: date = D, billable: bool = True, description: str = GOOD
) -> EntryFacts:
    return EntryFacts(eid, day, None, None, seconds, billable, description, False)


# --- description text -------------------------------------------------------------


def test_check_description_strips_and_keeps_newlines_and_tabs() -> None:
    assert (
        check_description_text("  fixed printer\n\tand scanner  ") == "fixed printer\n\tand scanner"
    )
    assert check_description_text("") == ""
    assert check_description_text("x" * MAX_DESCRIPTION) == "x" * MAX_DESCRIPTION
    assert check_description_text(" " + "x" * MAX_DESCRIPTION + " ") == "x" * MAX_DESCRIPTION


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("x" * (MAX_DESCRIPTION + 1), "limit is 2000"),
        ("bell\x07", "control character (U+0007)"),
        ("nul\x00here", "control character (U+0000)"),
        ("cr\rlf", "control character (U+000D)"),
        ("esc\x1b[31m", "control character (U+001B)"),
        ("del\x7f", "control character (U+007F)"),
        ("abc\u202edcba", "text-direction character (U+202E)"),
        ("abc\u202adcba", "U+202A"),
        ("abc\u2066x\u2069", "U+2066"),
        ("abc\u2069", "U+2069"),
    ],
)
def test_check_description_refuses(text: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_description_text(text)
    assert fragment in str(info.value)


def test_check_description_allows_other_unicode() -> None:
    text = "Überprüfung für Müller GmbH — ✓ 日本語 \u200d"
    assert check_description_text(text) == text


# --- overlaps ---------------------------------------------------------------------


def test_overlaps_basic() -> None:
    entries = [timed("a", 0, 2), timed("b", 1, 3), timed("c", 3, 4), timed("d", 5, 6)]
    assert find_overlaps(entries, NOW) == [("a", "b")]


def test_touching_is_not_overlap() -> None:
    assert find_overlaps([timed("a", 0, 1), timed("b", 1, 2)], NOW) == []


def test_running_entry_ends_now() -> None:
    now = T0 + timedelta(hours=3)
    entries = [timed("run", 1, None, running=True), timed("later", 2.5, 4), timed("x", 4, 5)]
    assert find_overlaps(entries, now) == [("run", "later")]


def test_untimed_and_empty_entries_ignored() -> None:
    entries = [manual("m", 3600), timed("a", 0, 2), timed("z", 1, 1), timed("b", 1.5, 1.5)]
    assert find_overlaps(entries, NOW) == []


def test_overlaps_many_and_order_is_deterministic() -> None:
    entries = [timed("c", 0, 10), timed("a", 1, 2), timed("b", 1, 3), timed("d", 2.5, 4)]
    expected = [("c", "a"), ("c", "b"), ("c", "d"), ("a", "b"), ("b", "d")]
    for perm in itertools.permutations(entries):
        assert find_overlaps(list(perm), NOW) == expected


spans = st.lists(st.tuples(st.integers(0, 48), st.integers(0, 12)), min_size=0, max_size=25)


@given(spans)
def test_overlaps_match_brute_force(raw: list[tuple[int, int]]) -> None:
    entries = [
        EntryFacts(
            f"e{i:02d}",
            D,
            T0 + timedelta(minutes=15 * s),
            T0 + timedelta(minutes=15 * (s + length)),
            length * 900,
            True,
            GOOD,
            False,
        )
        for i, (s, length) in enumerate(raw)
    ]
    got = find_overlaps(entries, NOW)
    brute = set()
    for x, y in itertools.combinations(entries, 2):
        assert x.started_at and x.ended_at and y.started_at and y.ended_at
        empty = x.duration_s == 0 or y.duration_s == 0  # [s, s) intersects nothing
        if not empty and x.started_at < y.ended_at and y.started_at < x.ended_at:
            brute.add(frozenset((x.id, y.id)))
    assert {frozenset(p) for p in got} == brute
    assert len(got) == len(brute)
    assert find_overlaps(entries[::-1], NOW) == got


def test_overlaps_scale() -> None:
    # 20,000 back-to-back entries: a quadratic pass would take far too long
    entries = [timed(f"e{i}", i * 0.1, (i + 1) * 0.1) for i in range(20_000)]
    assert find_overlaps(entries, NOW) == []


# --- day totals -------------------------------------------------------------------


def test_day_totals() -> None:
    tue = D + timedelta(days=1)
    entries = [manual("a", 3600, day=tue), manual("b", 1800), timed("c", 0, 1)]
    assert day_totals(entries) == {D: 5400, tue: 3600}
    assert list(day_totals(entries)) == [D, tue]
    assert MAX_DAY_S == 86400


# --- description policy -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("  Client   stuff!! ", "client stuff"),
        ("...Work.", "work"),
        ("Fixed\tprinter\nqueue", "fixed printer queue"),
        ("«Meeting»", "meeting"),
        ("", ""),
    ],
)
def test_normalize_description(text: str, normalized: str) -> None:
    assert normalize_description(text) == normalized


@pytest.mark.parametrize(
    "text",
    [
        "work",
        "Work.",
        "Client stuff!!",
        "client   STUFF",
        "Client stuff, 4 h",
        "client stuff 4h",
        "Client stuff - 2:30",
        "worked on client stuff (3.5 hours)",
        "Support 1h 30m",
        "meeting, 45 min",
    ],
)
def test_vague_descriptions(text: str) -> None:
    problems = description_problems(POLICY, manual("x", 3600, description=text))
    assert [p.code for p in problems] == ["vague_description"]
    assert problems[0].entry_id == "x"
    assert text.strip() in problems[0].message


@pytest.mark.parametrize("text", ["", "   ", "fixed vpn", "Printer jam"])
def test_short_descriptions(text: str) -> None:
    problems = description_problems(POLICY, manual("x", 3600, description=text))
    assert [p.code for p in problems] == ["short_description"]
    assert "15 characters" in problems[0].message


@pytest.mark.parametrize(
    "text",
    [GOOD, "Support call re Outlook profile rebuild", "Meeting with Acme about backup plan"],
)
def test_good_descriptions(text: str) -> None:
    assert description_problems(POLICY, manual("x", 3600, description=text)) == []


def test_non_billable_entries_are_not_policed() -> None:
    assert description_problems(POLICY, manual("x", 60, billable=False, description="")) == []


def test_policy_is_configurable() -> None:
    policy = DescriptionPolicy(min_length=3, vague=("Tickets!",))
    assert description_problems(policy, manual("x", 60, description="abc")) == []
    codes = [p.code for p in description_problems(policy, manual("x", 60, description="tickets"))]
    assert codes == ["vague_description"]
    assert description_problems(policy, manual("x", 60, description="work")) == []


# --- week problems ----------------------------------------------------------------


def test_clean_week_has_no_problems() -> None:
    entries = [timed("a", 0, 2), timed("b", 2, 4), manual("c", 3600, day=D + timedelta(days=1))]
    assert week_problems(entries, POLICY, NOW) == []


def test_week_problems_lists_every_problem_in_order() -> None:
    tue = D + timedelta(days=1)
    wed = D + timedelta(days=2)
    entries = [
        manual("vague", 600, day=wed, description="client stuff"),
        timed("o2", 1, 3),
        timed("o1", 0, 2),
        timed("run", 30, None, day=tue, running=True),
        manual("big1", 20 * 3600, day=wed),
        manual("big2", 5 * 3600, day=wed, description="short"),
        manual("free", 60, billable=False, description=""),
    ]
    problems = week_problems(entries, POLICY, NOW)
    assert [(p.code, p.entry_id) for p in problems] == [
        ("running", "run"),
        ("day_over_24h", "vague"),
        ("overlap", "o1"),
        ("overlap", "o2"),
        ("short_description", "big2"),
        ("vague_description", "vague"),
    ]
    day_msg = problems[1].message
    assert "2026-11-25" in day_msg and "25:10" in day_msg
    assert "o2" in problems[2].message and "o1" in problems[3].message
    assert "client stuff" in problems[5].message
    assert all(isinstance(p, Problem) for p in problems)
    # order does not depend on input order
    assert week_problems(entries[::-1], POLICY, NOW) == problems


def test_exactly_24h_is_fine() -> None:
    entries = [manual("a", MAX_DAY_S - 60), manual("b", 60)]
    assert week_problems(entries, POLICY, NOW) == []
    entries.append(manual("c", 1))
    assert [p.code for p in week_problems(entries, POLICY, NOW)] == ["day_over_24h"]


@pytest.mark.parametrize(
    ("billable", "text", "refusal", "warning"),
    [
        (True, "", True, None),
        (True, "   \n", True, None),
        (True, "stuff", False, "too vague"),
        (True, "Client stuff, 4 h", False, "too vague"),
        (True, "fixed it", False, "at least 15 characters"),
        (True, GOOD, False, None),
        (False, "", False, None),
        (False, "stuff", False, None),
    ],
)
def test_entry_description_check(billable: bool, text: str, refusal: bool,
                                 warning: str | None) -> None:
    from desktop.core.rules import EMPTY_BILLABLE, entry_description_check

    check = entry_description_check(POLICY, billable=billable, description=text, work_date=D)
    assert check.refusal == (EMPTY_BILLABLE if refusal else None)
    if warning is None:
        assert check.warning is None
    else:
        assert check.warning is not None and warning in check.warning


def test_entry_description_check_without_a_minimum_asks_for_nothing_empty() -> None:
    from desktop.core.rules import entry_description_check

    lax = DescriptionPolicy(min_length=0)
    assert entry_description_check(lax, billable=True, description="", work_date=D).refusal is None
    assert "vague" in (entry_description_check(lax, billable=True, description="misc",
                                               work_date=D).warning or "")
