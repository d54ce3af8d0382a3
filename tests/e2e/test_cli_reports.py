"""Reports, the timeline and the accounting exports through the CLI,
in-process: JSON shapes as the README documents them, tables, and bad input
as one line with a non-zero exit and nothing changed."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from test_cli_workflow import BOSS, TECH, Run

from desktop.cli import main, report_output

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "admin@msp.test"
WEEK = "2026-W45"  # Monday 2 – Sunday 8 November 2026

SHAPES = {
    "utilization": report_output.UTILIZATION,
    "utilization row": report_output.UTILIZATION_ROW,
    "trend": report_output.TREND,
    "profitability": report_output.PROFITABILITY,
    "profit row": report_output.PROFIT_ROW,
    "timeliness": report_output.TIMELINESS,
    "timeliness row": report_output.TIMELINESS_ROW,
    "overdue week": report_output.OVERDUE,
    "timeline day": report_output.TIMELINE_DAY,
    "span": report_output.SPAN,
    "export": report_output.EXPORT,
}


def test_the_readme_documents_every_report_shape() -> None:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Reports and accounting exports", 1)[1].split("\n## ", 1)[0]
    section = section.split("JSON shapes (`--json`):", 1)[1]
    documented = {}
    for bullet in filter(None, re.split(r"\n\* ", section)):
        flat = " ".join(bullet.split())
        if not flat:
            continue
        name = re.match(r"`([^`]+)`", flat)
        fields = re.search(r"`\{([^}]*)\}`", flat)
        assert name and fields, flat[:60]
        documented[name.group(1)] = re.findall(r'"(\w+)"', fields.group(1))
    assert set(documented) == set(SHAPES)
    for name, fields in documented.items():
        assert list(SHAPES[name].keys) == fields, name


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    r = Run(tmp_path / "data", capsys)
    r("init", "--name", "Ada Admin", "--email", ADMIN, "--timezone", "UTC")
    r("user", "add", BOSS, "--name", "Bo Boss", "--role", "manager")
    r("team", "add", "Field", "--manager", BOSS)
    r("user", "add", TECH, "--name", "Tia Tech", "--team", "Field", "--timezone", "UTC")
    r("customer", "add", "ACME", "--round-to", "15", "--minimum", "30")
    r("project", "add", "--customer", "ACME", "Migration", "--budget-hours", "10")
    r("rate", "set", TECH, "--billing", "100", "--from", "2026-01-01")
    r("rate", "set", TECH, "--cost", "40", "--from", "2026-01-01")
    for day, hours in (("2026-11-02", "0:20"), ("2026-11-03", "8"), ("2026-11-04", "1:10")):
        r("log", "--date", day, "--project", "Migration", "--hours", hours,
          "-d", "moved the mailboxes to the new server", who=TECH)  # fmt: skip
    r("submit", "--week", WEEK, who=TECH)
    r("approve", "--user", TECH, "--week", WEEK, who=BOSS)
    return r


def test_utilization_and_profitability(run: Run) -> None:
    report = run.json("report", "utilization", "--week", WEEK, who=BOSS)
    tia = next(r for r in report["rows"] if r["email"] == TECH)
    # 9:30 billable of 40:00 available
    assert (tia["billable_s"], tia["available_s"], tia["utilization_pct"]) == (
        34200, 144000, "23.7500"
    )  # fmt: skip
    assert tia["under_utilized"] is True and report["total"]["key"] == "company"
    table = run("report", "utilization", "--week", WEEK, who=BOSS)[1]
    assert "tech@msp.test" in table and "23.8%" in table and "under" in table
    trend = run.json("report", "utilization", "--month", "2026-11", "--trend", "week")
    assert [p["start"] for p in trend["points"]][:2] == ["2026-11-01", "2026-11-02"]
    profit = run.json("report", "profitability", "--week", WEEK, "--by", "project", who=BOSS)
    (row,) = profit["rows"]
    # billed 0:30 (minimum) + 8:00 + 1:15 = 9:45 × 100 = 975.00; cost 9:30 × 40 = 380.00
    assert (row["billed_s"], row["value"], row["cost"], row["margin"]) == (
        35100, "975.00", "380.00", "595.00"
    )  # fmt: skip
    assert (row["budget_s"], row["used_s"], row["burn_pct"], row["budget_flag"]) == (
        36000, 34200, "95.00", "80"
    )  # fmt: skip
    assert (
        "ACME › Migration" in run("report", "profitability", "--week", WEEK, "--by", "project")[1]
    )


def test_timeline_overdue_and_timeliness(run: Run) -> None:
    run("log", "--date", "2026-11-16", "--customer", "ACME", "--from", "09:00", "--to", "10:30",
        "-d", "patched the file server", who=TECH)  # fmt: skip
    days = run.json("timeline", "--date", "2026-11-16", "--team", "Field", who=BOSS)
    assert [d["user"] for d in days] == [TECH]
    assert days[0]["spans"][0]["start"] == "2026-11-16T09:00:00+00:00"
    text = run("timeline", "--date", "2026-11-16", "--user", TECH, who=BOSS)[1]
    assert "█" in text and "1:30" in text
    weeks = run.json("report", "overdue", "--team", "Field", who=BOSS)
    assert {(w["user"], w["week"], w["status"]) for w in weeks} >= {(TECH, "2026-W47", "draft")}
    mine = run.json("report", "timeliness", "--month", "2026-11", who=TECH)
    assert [r["email"] for r in mine["rows"]] == [TECH]


def test_exports_mark_once(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "time.csv"
    first = run.json("export", "csv", "--week", WEEK, "--out", str(out), "--mark-exported")
    assert (first["entries"], first["marked"], first["amount"]) == (3, 3, "975.00")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["billed_hours"] for r in rows] == ["0.5000", "8.0000", "1.2500"]
    second = run.json("export", "csv", "--week", WEEK, "--out", str(out), "--mark-exported")
    assert (second["entries"], second["marked"]) == (0, 0)
    xero = tmp_path / "xero.csv"
    text = run("export", "xero", "--week", WEEK, "--out", str(xero), "--include-exported")[1]
    assert "3 lines" in text and xero.exists()
    iif = tmp_path / "time.iif"
    run("export", "iif", "--week", WEEK, "--out", str(iif), "--include-exported")
    assert iif.read_bytes().startswith(b"!TIMERHDR\t")
    run("reopen", "--user", TECH, "--week", WEEK, "--reason", "fix the mailbox count")
    entry = run.json("entries", "--week", WEEK, who=TECH)[0]["id"]
    code, _, err = run("edit", entry, "-d", "moved all the mailboxes", who=TECH, ok=False)
    assert code == 1 and re.fullmatch(
        r"punchclock: entry \w{8} was exported to accounting on [\d-]+; "
        r"only an admin can unlock it\n",
        err,
    )
    assert run.json("unlock", entry) == {"unlocked": 1}
    run("edit", entry, "-d", "moved all the mailboxes", who=TECH)


@pytest.mark.parametrize(
    ("args", "who", "code"),
    [
        (("report", "utilization", "--from", "2026-11-09", "--to", "2026-11-01"), None, 1),
        (("report", "utilization", "--from", "2020-01-01", "--to", "2026-01-01"), None, 1),
        (("report", "utilization", "--week", WEEK, "--team", "Nope"), None, 1),
        (("report", "profitability", "--week", WEEK), TECH, 1),
        (("report", "timeliness", "--week", WEEK, "--user", BOSS), TECH, 1),
        (("report", "utilization"), None, 2),
        (("report", "utilization", "--week", WEEK, "--month", "2026-11"), None, 2),
        (("export", "csv", "--week", WEEK, "--out", "/nonexistent/x.csv", "--mark-exported"),
         None, 1),
        (("export", "csv", "--week", WEEK, "--out", "x.csv"), TECH, 1),
        (("export", "pdf", "--week", WEEK, "--out", "x.csv"), None, 2),
    ],
    ids=["from after to", "over 5 years", "unknown team", "tech profitability",
         "another's timeliness", "no period", "two periods", "unwritable out", "tech export",
         "unknown format"],
)  # fmt: skip
def test_bad_input_is_one_line_and_changes_nothing(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...],
    who: str | None, code: int,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    before = run.dump()
    got, out, err = run(*args, who=who, ok=False)
    assert got == code and out == ""
    assert err.count("\n") == 1 and err.startswith("punchclock")
    assert run.dump() == before
    assert not (tmp_path / "x.csv").exists()


def test_help_lists_the_report_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert text.index("Reports:") < text.index("  timeline ") < text.index("Accounting exports:")
