"""The timesheet workflow through the CLI, in-process (``desktop.cli.main``)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main


class Run:
    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data_dir = data_dir
        self.capsys = capsys

    def __call__(self, *args: str, who: str | None = None, ok: bool = True) -> tuple[int, str, str]:
        argv = ["--data-dir", str(self.data_dir)]
        if who:
            argv += ["--as", who]
        code = main([*argv, *args])
        out, err = self.capsys.readouterr()
        if ok:
            assert code == 0, err
        return code, out, err

    def json(self, *args: str, who: str | None = None) -> Any:
        return json.loads(self("--json", *args, who=who)[1])

    def dump(self) -> list[str]:
        con = sqlite3.connect(self.data_dir / "punchclock.sqlite3")
        try:
            return list(con.iterdump())
        finally:
            con.close()


WEEK = "2026-W48"
TECH, BOSS = "tech@msp.test", "boss@msp.test"


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    r = Run(tmp_path, capsys)
    r("init", "--name", "Ada Admin", "--email", "admin@msp.test", "--timezone", "UTC")
    r("user", "add", BOSS, "--name", "Bo Boss", "--role", "manager")
    r("team", "add", "Field", "--manager", BOSS)
    r("user", "add", TECH, "--name", "Tia Tech", "--team", "Field", "--timezone", "UTC")
    r("customer", "add", "ACME", "--round-to", "6")
    return r


def log(run: Run, date: str, *args: str) -> str:
    entry = run.json("log", "--date", date, "--customer", "ACME", *args, who=TECH)
    return str(entry["id"])


def test_full_cycle(run: Run) -> None:
    vague = log(run, "2026-11-25", "--hours", "4", "-d", "client stuff, 4 h")
    first = log(
        run, "2026-11-24", "--from", "09:00", "--to", "11:00", "-d", "patched the file server FS01"
    )
    second = log(
        run,
        "2026-11-24",
        "--from",
        "10:00",
        "--to",
        "12:00",
        "-d",
        "checked the backup jobs on NAS02",
    )

    code, _, err = run("submit", "--week", WEEK, who=TECH, ok=False)
    assert code == 1
    lines = err.splitlines()
    assert "can't be submitted" in lines[0]
    assert any(line.strip().startswith(vague[:8]) and "vague" in line for line in lines)
    assert any(line.strip().startswith(first[:8]) and second in line for line in lines)
    assert any(line.strip().startswith(second[:8]) and first in line for line in lines)

    run("edit", vague, "-d", "rebuilt the print server queue for sales", who=TECH)
    run("edit", second, "--from", "11:00", "--to", "12:00", who=TECH)
    assert run.json("submit", "--week", WEEK, who=TECH)["status"] == "submitted"
    assert [s["user"] for s in run.json("approvals", who=BOSS)] == [TECH]

    run(
        "reject",
        "--user",
        TECH,
        "--week",
        WEEK,
        "--reason",
        "fix two entries",
        "--entry",
        f"{first[:8]}=which server?",
        "--entry",
        f"{second}=ticket number?",
        who=BOSS,
    )
    entries = {e["id"]: e for e in run.json("entries", "--week", WEEK, who=TECH)}
    assert entries[first]["rejection_reason"] == "which server?"
    assert entries[second]["rejection_reason"] == "ticket number?"
    assert entries[vague]["rejection_reason"] is None

    run("edit", first, "-d", "patched FS01 and FS02 (ticket 4521)", who=TECH)
    run("edit", second, "-d", "checked NAS02 backups (ticket 4522)", who=TECH)
    run("submit", "--week", WEEK, who=TECH)
    assert run.json("approve", "--user", TECH, "--week", WEEK, who=BOSS)["status"] == "approved"

    history = run.json("history", "--user", TECH, "--week", WEEK, who=BOSS)
    assert [(h["action"], h["from_status"], h["to_status"], h["actor"]) for h in history] == [
        ("submit", "draft", "submitted", TECH),
        ("reject", "submitted", "rejected", BOSS),
        ("submit", "rejected", "submitted", TECH),
        ("approve", "submitted", "approved", BOSS),
    ]
    assert set(history[0]) == {"action", "from_status", "to_status", "actor", "comment", "at"}

    before = run.dump()
    code, _, err = run("edit", first, "--hours", "1", who=TECH, ok=False)
    assert code == 1 and "week 2026-W48 is approved" in err
    code, _, err = run(
        "week",
        "set",
        "--week",
        WEEK,
        "--row",
        "ACME",
        "--day",
        "fri",
        "--hours",
        "1",
        who=TECH,
        ok=False,
    )
    assert code == 1 and "approved" in err
    code, _, err = run("approve", "--user", TECH, "--week", WEEK, who=BOSS, ok=False)
    assert code == 1 and "approved" in err
    assert run.dump() == before


def test_editing_a_submitted_week_is_refused_and_changes_nothing(run: Run) -> None:
    entry = log(run, "2026-11-25", "--hours", "2", "-d", "replaced the core switch")
    run("submit", "--week", WEEK, who=TECH)
    before = run.dump()
    for args in (
        ("edit", entry, "--hours", "3"),
        ("delete", entry),
        (
            "log",
            "--date",
            "2026-11-26",
            "--customer",
            "ACME",
            "--hours",
            "1",
            "-d",
            "configured the new VLANs",
        ),
    ):
        code, _, err = run(*args, who=TECH, ok=False)
        assert code == 1 and "week 2026-W48 is submitted" in err
    assert run.dump() == before


def test_week_grid_json_and_set(run: Run) -> None:
    log(run, "2026-11-23", "--hours", "1.5", "-d", "replaced the core switch")
    grid = run.json(
        "week",
        "set",
        "--week",
        WEEK,
        "--row",
        "ACME",
        "--day",
        "wed",
        "--hours",
        "2.5",
        "-d",
        "configured the new VLANs",
        who=TECH,
    )
    assert set(grid) == {
        "user",
        "week_start",
        "status",
        "note",
        "rows",
        "day_totals_s",
        "total_s",
        "billable_s",
        "non_billable_s",
    }
    assert grid["rows"] == [
        {
            "customer": "ACME",
            "project": None,
            "task": None,
            "days": [5400, 0, 9000, 0, 0, 0, 0],
            "total_s": 14400,
        }
    ]
    assert (grid["week_start"], grid["status"], grid["total_s"]) == ("2026-11-23", "draft", 14400)
    assert run.json("week", "--week", WEEK, who=TECH) == grid
    _, out, _ = run("week", "--week", WEEK, who=TECH)
    assert "ACME" in out and "4:00" in out


def test_rates_money_and_cost_visibility(run: Run) -> None:
    run("rate", "set", TECH, "--billing", "95.50", "--from", "2026-01-01")
    run("rate", "set", TECH, "--cost", "40", "--from", "2026-01-01")
    run("rate", "set", TECH, "--billing", "120", "--from", "2026-12-01")
    log(run, "2026-11-25", "--hours", "7m", "-d", "reset the VPN token for the CEO")
    mine = run.json("entries", "--week", WEEK, who=TECH)[0]
    assert (mine["billed_s"], mine["rate"], mine["value"]) == (720, "95.50", "19.10")
    assert "cost" not in mine
    boss_view = run.json("entries", "--week", WEEK, "--all-users", who=BOSS)[0]
    assert boss_view["cost"] == "4.67"
    rates = run.json("rate", "list", TECH)
    assert [(r["kind"], r["amount"], r["effective_from"]) for r in rates] == [
        ("billing", "95.50", "2026-01-01"),
        ("billing", "120.00", "2026-12-01"),
        ("cost", "40.00", "2026-01-01"),
    ]
    assert [r["kind"] for r in run.json("rate", "list", who=TECH)] == ["billing", "billing"]
    code, _, err = run("rate", "set", TECH, "--billing", "1", who=BOSS, ok=False)
    assert code == 1 and "admins" in err


def test_policy_holiday_timeoff(run: Run) -> None:
    assert run.json("policy", "show")["currency"] == "EUR"
    policy = run.json(
        "policy", "set", "--min-description", "20", "--vague", "todo, stuff", "--currency", "USD"
    )
    assert policy == {"min_description": 20, "vague": ["todo", "stuff"], "currency": "USD"}
    day = run.json("holiday", "add", "2026-12-25", "--name", "Christmas")
    assert (day["hours_s"], day["user"]) == (86400, None)
    off = run.json("timeoff", "add", TECH, "2026-11-26", "--hours", "4", who=BOSS)
    assert (off["hours_s"], off["user"]) == (14400, TECH)
    code, _, err = run("policy", "set", "--currency", "x", ok=False)
    assert code == 1 and "currency code" in err


def test_approvals_json_shape(run: Run) -> None:
    log(run, "2026-11-25", "--hours", "2", "-d", "stuff")
    rows = run.json("approvals", "--week", WEEK, "--status", "draft", who=BOSS)
    assert rows == [
        {
            "user": TECH,
            "week_start": "2026-11-23",
            "status": "draft",
            "total_s": 7200,
            "billable_s": 7200,
            "warnings": 1,
            "submitted_at": None,
        }
    ]
    code, _, err = run("approvals", who=TECH, ok=False)
    assert code == 1 and "managers and admins" in err
