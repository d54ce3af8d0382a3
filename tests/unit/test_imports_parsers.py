"""The readers, one per source, on fixtures written from each vendor's
documented columns (tests/fixtures/imports): dates, 12 h clocks, decimal
commas, translated headers, tags → ticket refs, stable keys, refusals with
their line."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from desktop.core.imports import PARSERS
from desktop.core.imports.common import DateReader, RowError, read_clock, read_hours
from desktop.core.imports.jsonfile import item_lines

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def parse(source: str, name: str):
    parsed = PARSERS[source]((FIXTURES / name).read_text(encoding="utf-8-sig"))
    return parsed


def test_toggl_detailed_csv():
    p = parse("toggl", "toggl.csv")
    assert p.refused == []
    first, internal, late = p.rows
    assert (first.customer, first.project, first.task) == ("ACME Corp", "Server migration", None)
    assert first.start == datetime(2026, 11, 23, 9, 0) and first.end == datetime(
        2026, 11, 23, 10, 30
    )
    assert first.ticket == "4521" and first.tags == ("onsite",)
    assert first.billable is True and first.line == 2 and first.person == "admin@msp.test"
    assert (
        internal.customer is None and internal.project == "Internal" and internal.billable is False
    )
    assert late.end == datetime(2026, 11, 25, 0, 15)  # across midnight
    assert late.description == "Cleared the print spooler, again"


def test_toggl_us_dates_and_12_hour_clock():
    p = parse("toggl", "toggl_12h.csv")
    assert p.refused == []
    assert p.rows[0].start == datetime(2026, 11, 23, 13, 5)
    assert p.rows[0].end == datetime(2026, 11, 23, 14, 35)
    assert p.rows[1].start == datetime(2026, 11, 25, 0, 10)  # 12:10 AM


def test_clockify_default_export_with_bom_quotes_and_12_hour_clock():
    p = parse("clockify", "clockify.csv")
    assert p.refused == []
    a, b = p.rows
    assert (a.customer, a.project, a.ticket) == ("Initech", "Backups", "7788")
    assert a.start == datetime(2026, 11, 24, 8, 15) and a.end == datetime(2026, 11, 24, 9, 0)
    assert b.task == "Restore" and b.billable is False
    assert b.start == datetime(2026, 11, 24, 13, 0) and b.end == datetime(2026, 11, 24, 15, 30)


def test_clockify_decimal_comma_locale():
    p = parse("clockify", "clockify_decimal_comma.csv")
    assert p.refused == []
    timed, duration_only = p.rows
    assert timed.start == datetime(2026, 11, 24, 14, 0) and timed.end == datetime(
        2026, 11, 24, 15, 30
    )
    assert duration_only.start is None and duration_only.day == date(2026, 11, 25)
    assert duration_only.duration_s == 4500  # "1,25" hours


def test_harvest_hours_only():
    p = parse("harvest", "harvest.csv")
    assert p.refused == []
    a, b = p.rows
    assert a.day == date(2026, 11, 23) and a.duration_s == 5400 and a.start is None
    assert (a.customer, a.project, a.task, a.ticket) == (
        "ACME Corp",
        "Server migration",
        "Project Management",
        "4521",
    )
    assert a.person == "Ada Admin"
    assert b.duration_s == 900 and b.ticket == "9001"


def test_kimai_english_and_german_exports():
    en = parse("kimai", "kimai.csv")
    assert en.refused == []
    assert en.rows[0].start == datetime(2026, 11, 23, 11, 0)
    assert en.rows[0].end == datetime(2026, 11, 23, 12, 15)
    assert en.rows[0].task == "Support" and en.rows[0].ticket == "4521"
    de = parse("kimai", "kimai_de.csv")
    assert de.refused == []
    row = de.rows[0]
    assert (row.customer, row.project, row.task) == ("Umbrella", "Wartung", "Patching")
    assert row.start == datetime(2026, 11, 25, 9, 0) and row.duration_s == 5400


def test_watson_frames():
    p = parse("watson", "watson_frames.json")
    assert p.refused == []
    a, b = p.rows
    assert a.key == "0a4c2b0e8f0b4c9e9f3b1d2a5c6e7f80"
    assert (a.customer, a.project, a.ticket, a.description) == (
        "ACME Corp",
        "Server migration",
        "4521",
        "cabling",
    )
    assert a.start == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert a.line == 2 and b.line == 13
    assert b.customer == "Globex" and b.project is None


def test_timewarrior_export():
    p = parse("timewarrior", "timew_export.json")
    assert p.refused == []
    a, b = p.rows
    assert a.start == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert (a.customer, a.project, a.ticket) == ("ACME Corp", "Server migration", "4521")
    assert a.description == "Swapped the UPS battery"
    assert b.customer == "Initech" and b.description == "phone" and b.line == 3


def test_an_open_timewarrior_interval_is_refused_with_its_line():
    text = (
        '[\n{"id":2,"start":"20261123T150000Z","end":"20261123T160000Z"},\n'
        '{"id":1,"start":"20261124T150000Z","tags":["x"]}\n]\n'
    )
    p = PARSERS["timewarrior"](text)
    assert len(p.rows) == 1
    assert p.refused[0].line == 3 and "still open" in p.refused[0].reason


def test_a_bad_csv_row_is_refused_with_its_line_and_the_rest_read():
    lines = (FIXTURES / "toggl.csv").read_text().splitlines()
    lines.insert(2, lines[1].replace("2026-11-23,09:00:00", "2026-11-23,9h"))
    p = PARSERS["toggl"]("\n".join(lines) + "\n")
    assert len(p.rows) == 3
    assert [(r.line, "start time" in r.reason) for r in p.refused] == [(3, True)]


def test_a_file_of_the_wrong_kind_is_refused_at_line_1():
    p = PARSERS["harvest"]((FIXTURES / "kimai.csv").read_text())
    assert p.rows == [] and p.refused[0].line == 1 and '"Hours"' in p.refused[0].reason
    assert PARSERS["watson"]("{}").refused[0].line == 1


def test_keys_are_stable_and_identical_rows_stay_two():
    text = (FIXTURES / "toggl.csv").read_text()
    lines = text.splitlines()
    doubled = "\n".join([*lines, lines[1]]) + "\n"
    keys1 = [r.key for r in PARSERS["toggl"](text).rows]
    keys2 = [r.key for r in PARSERS["toggl"](doubled).rows]
    assert keys2[:3] == keys1 and keys2[3] != keys2[0] and len(set(keys2)) == 4


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1:30", 5400),
        ("01:30:15", 5415),
        ("1.5", 5400),
        ("1,5", 5400),
        ("0,25", 900),
        ("26:00:00", 93600),
        ("1.234,5", 4444200),
    ],
)
def test_durations(text, seconds):
    assert read_hours(text) == seconds


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("14:05", time(14, 5)),
        ("14:05:30", time(14, 5, 30)),
        ("2:05 PM", time(14, 5)),
        ("12:00 AM", time(0, 0)),
        ("12:30 pm", time(12, 30)),
        ("02:05:30 p.m.", time(14, 5, 30)),
    ],
)
def test_clock_times(text, value):
    assert read_clock(text) == value


@pytest.mark.parametrize("text", ["25:00", "13:00 PM", "9h", "", "12:60"])
def test_bad_clock_times(text):
    with pytest.raises(RowError):
        read_clock(text)


def test_the_file_decides_day_or_month_first():
    assert DateReader(["03/04/2026", "11/23/2026"])("03/04/2026") == date(2026, 3, 4)
    assert DateReader(["03/04/2026", "23/11/2026"])("03/04/2026") == date(2026, 4, 3)
    assert DateReader(["23.11.2026"])("01.12.2026") == date(2026, 12, 1)


def test_item_lines_of_compact_and_indented_json():
    assert item_lines('[[1,"a]"],[2]]') == [1, 1]
    assert item_lines('[\n {"a": "x\\"}"},\n {"b": [1]}\n]') == [2, 3]


def test_kimai_totals_line_and_excel_sep_line():
    text = (FIXTURES / "kimai.csv").read_text().rstrip("\n") + "\n,,,1:45,118.75,,,,,,,,,\n"
    p = PARSERS["kimai"](text)
    assert p.refused == [] and len(p.rows) == 2
    semicolons = "sep=;\n" + (FIXTURES / "kimai.csv").read_text().replace(",", ";")
    p = PARSERS["kimai"](semicolons)
    assert p.refused == [] and [r.line for r in p.rows] == [3, 4]
