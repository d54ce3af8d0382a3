"""The command line as a technician uses it: happy paths, JSON shapes, every
refusal (one line on stderr, non-zero exit, nothing changed), crashes and two
processes racing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core.db import DB_FILENAME

ROOT = Path(__file__).resolve().parents[2]
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
ENTRY_KEYS = {
    "id",
    "user",
    "customer",
    "project",
    "task",
    "task_ref",
    "work_date",
    "started_at",
    "ended_at",
    "duration_s",
    "description",
    "billable",
    "source",
    "rejection_reason",
}


def dump(data: Path) -> dict[str, list[tuple[object, ...]]]:
    con = sqlite3.connect(data / DB_FILENAME)
    tables = [
        r[0]
        for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    out = {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    con.close()
    return out


def test_commands_before_init_say_to_run_init(tmp_path, capsys):
    code = main(["--data-dir", str(tmp_path / "d"), "status"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "punchclock init" in err


def test_start_on_a_task_and_stop_makes_one_entry_of_one_and_a_half_hours(run):
    started = run.json(
        "start", "--task", "4521", "--at", f"{YESTERDAY}T09:00", "-d", "Moving FSMO roles"
    )
    assert set(started) >= ENTRY_KEYS
    assert started["ended_at"] is None and started["started_at"].startswith(f"{YESTERDAY}T09:00:00")
    status = run.json("status")
    assert status["running"] is True and status["entry"]["id"] == started["id"]
    assert status["elapsed_s"] >= 24 * 3600 - 9 * 3600  # since yesterday 09:00
    stopped = run.json("stop", "--at", f"{YESTERDAY}T10:30")
    assert stopped["duration_s"] == 5400
    assert (stopped["customer"], stopped["project"], stopped["task"], stopped["task_ref"]) == (
        "ACME",
        "Server migration",
        "Migrate DC01",
        "4521",
    )
    entries = run.json("entries", "--from", YESTERDAY, "--to", YESTERDAY)
    assert [e["id"] for e in entries] == [started["id"]]
    assert run.json("status") == {
        "running": False,
        "entry": None,
        "elapsed_s": 0,
        "today_s": run.json("status")["today_s"],
    }


@pytest.mark.parametrize("hours", ["1.5", "1,5", "1:30", "90m", "1h30m", "1h 30m"])
def test_log_accepts_every_hours_spelling(run, hours):
    e = run.json(
        "log",
        "--date",
        YESTERDAY,
        "--customer",
        "ACME",
        "--hours",
        hours,
        "-d",
        "Patched the file server",
    )
    assert e["duration_s"] == 5400 and e["source"] == "manual" and e["started_at"] is None


def test_log_range_edit_and_delete(run):
    e = run.json(
        "log",
        "--date",
        YESTERDAY,
        "--customer",
        "ACME",
        "--from",
        "13:00",
        "--to",
        "14:15",
        "-d",
        "Printer queue on FS02",
    )
    assert e["duration_s"] == 75 * 60
    changed = run.json("edit", e["id"][:8], "--hours", "2", "--project", "Server migration")
    assert changed["duration_s"] == 7200 and changed["project"] == "Server migration"
    deleted = run.json("delete", e["id"])
    assert deleted["id"] == e["id"]
    assert run.json("entries", "--from", YESTERDAY, "--to", YESTERDAY) == []


def test_overlap_is_a_warning_not_an_error(run):
    run.json(
        "log",
        "--date",
        YESTERDAY,
        "--customer",
        "ACME",
        "--from",
        "09:00",
        "--to",
        "10:00",
        "-d",
        "first step of the migration",
    )
    code, out, err = run(
        "--json",
        "log",
        "--date",
        YESTERDAY,
        "--customer",
        "Globex",
        "--from",
        "09:30",
        "--to",
        "10:30",
        "-d",
        "second step of the migration",
    )
    assert code == 0 and json.loads(out)["customer"] == "Globex"
    assert err.startswith("warning: overlaps")
    code, out, err = run(
        "log",
        "--date",
        YESTERDAY,
        "--customer",
        "Globex",
        "--from",
        "10:30",
        "--to",
        "11:00",
        "-d",
        "touching step of the migration",
    )
    assert code == 0 and err == ""


BAD = [
    (["log", "--customer", "ACME", "--hours", "0", "-d", "x"], "more than"),
    (["log", "--customer", "ACME", "--hours", "-1", "-d", "x"], ""),
    (["log", "--customer", "ACME", "--hours", "abc", "-d", "x"], "abc"),
    (["log", "--customer", "ACME", "--hours", "25", "-d", "x"], "24"),
    (["log", "--customer", "ACME", "--from", "11:00", "--to", "10:00", "-d", "x"], "not after"),
    (["log", "--customer", "Initech", "--hours", "1", "-d", "x"], "Initech"),
    (
        ["log", "--customer", "Globex", "--project", "Server migration", "--hours", "1", "-d", "x"],
        "another customer",
    ),
    (["log", "--task", "9999", "--hours", "1", "-d", "x"], "9999"),
    (["log", "--customer", "ACME", "--hours", "1", "-d", "x" * 2001], "2000"),
    (["log", "--customer", "ACME", "--hours", "1", "-d", "bell\x07"], "control"),
    (["log", "--customer", "ACME", "--hours", "1", "-d", "x", "--date", "2026-13-40"], ""),
    (
        [
            "log",
            "--customer",
            "ACME",
            "--hours",
            "1",
            "--from",
            "09:00",
            "--to",
            "10:00",
            "-d",
            "x",
        ],
        "not both",
    ),
    (["log", "--hours", "1", "-d", "x"], "customer"),
    (["start", "--customer", "ACME", "--at", "2999-01-01T09:00"], "future"),
    (["start"], "customer"),
    (["stop"], "no timer"),
    (["edit", "deadbeef", "-d", "x"], "deadbeef"),
    (["delete", "deadbeef"], "deadbeef"),
    (["customer", "add", "ACME"], "already exists"),
    (["customer", "add", "   "], "empty"),
    (["project", "add", "--customer", "Nope", "P"], "Nope"),
    (["user", "add", "not-an-email", "--name", "X"], "email"),
    (["user", "add", "x@example.com", "--name", "X", "--timezone", "Mars/Olympus"], "timezone"),
    (["team", "add", "Desk", "--manager", "nobody@example.com"], "nobody"),
    (["entries", "--week", "2026-W60"], ""),
    (["--as", "ghost@example.com", "status"], "ghost"),
    (["frobnicate"], ""),
]


@pytest.mark.parametrize(("args", "needle"), BAD, ids=[" ".join(a)[:40] for a, _ in BAD])
def test_bad_input_is_one_line_non_zero_and_changes_nothing(run, args, needle):
    run("log", "--date", YESTERDAY, "--customer", "ACME", "--hours", "20", "-d", "baseline")
    before = dump(run.data)
    code, out, err = run(*args)
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert needle in err
    assert dump(run.data) == before


def test_day_over_24h_is_refused(run):
    run("log", "--date", YESTERDAY, "--customer", "ACME", "--hours", "20", "-d", "baseline")
    code, _, err = run(
        "log",
        "--date",
        YESTERDAY,
        "--customer",
        "ACME",
        "--hours",
        "4h1m",
        "-d",
        "one minute too many",
    )
    assert code == 1 and "24:00" in err


def _cli(data: Path, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )


@pytest.mark.slow
def test_kill_9_keeps_the_running_timer_from_its_original_start(run):
    started = run.json("start", "--customer", "ACME", "--at", f"{YESTERDAY}T09:00")
    # A process holding the database (and the timer) open is killed outright.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\nfrom desktop.core.app import Punchclock\n"
            f"app = Punchclock.open(Path({str(run.data)!r}))\n"
            "assert app.tracking.running() is not None\nprint('ready', flush=True)\n"
            "with app.db.read() as s:\n    time.sleep(600)\n",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    status = json.loads(_cli(run.data, "--json", "status").stdout)
    assert status["running"] is True
    assert status["entry"]["id"] == started["id"]
    assert status["entry"]["started_at"] == started["started_at"]


@pytest.mark.slow
def test_two_processes_starting_at_the_same_instant_leave_exactly_one_running(run):
    go = time.time() + 3.0
    script = (
        "import sys, time\nfrom desktop.cli import main\n"
        f"time.sleep(max(0, {go} - time.time()))\n"
        f"sys.exit(main(['--data-dir', {str(run.data)!r}, 'start', '--customer', "
        "sys.argv[1]]))\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, name],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("ACME", "Globex", "ACME", "Globex")
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], results
    con = sqlite3.connect(run.data / DB_FILENAME)
    running = con.execute(
        "SELECT count(*) FROM time_entry WHERE started_at IS NOT NULL AND "
        "ended_at IS NULL AND deleted_at IS NULL"
    ).fetchone()[0]
    total = con.execute("SELECT count(*) FROM time_entry").fetchone()[0]
    con.close()
    assert running == 1
    assert total == 4  # every start happened; three were stopped by the next switch


def test_python_m_desktop_help_works():
    proc = subprocess.run(
        [sys.executable, "-m", "desktop", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and "punchclock" in proc.stdout


def test_demo_makes_a_believable_company(tmp_path, capsys):
    data = tmp_path / "demo"
    code = main(
        [
            "--data-dir",
            str(data),
            "--json",
            "demo",
            "--technicians",
            "3",
            "--weeks",
            "2",
            "--seed",
            "7",
        ]
    )
    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    assert summary["customers"] == 12 and summary["users"] == 4
    assert summary["entries"] > 3 * 5  # at least one entry per technician-day
    con = sqlite3.connect(data / DB_FILENAME)
    internal = con.execute("SELECT count(*) FROM customer WHERE is_internal=1").fetchone()[0]
    non_billable = con.execute("SELECT count(*) FROM time_entry WHERE billable=0").fetchone()[0]
    per_day = con.execute(
        "SELECT max(s) FROM (SELECT sum(duration_s) s FROM time_entry GROUP BY user_id, work_date)"
    ).fetchone()[0]
    con.close()
    assert internal == 1 and non_billable > 0 and per_day <= 24 * 3600
    # Same seed, same company.
    main(
        [
            "--data-dir",
            str(tmp_path / "again"),
            "--json",
            "demo",
            "--technicians",
            "3",
            "--weeks",
            "2",
            "--seed",
            "7",
        ]
    )
    assert json.loads(capsys.readouterr().out) == summary


def test_no_command_without_a_display_falls_back_to_the_status(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    data = tmp_path / "headless"
    first = subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert first.returncode == 0
    assert "no graphical session" in first.stderr and "punchclock init" in first.stderr
    _cli(data, "init", "--name", "Ann", "--email", "ann@example.com", "--timezone", "UTC")
    second = subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert second.returncode == 0 and "no timer running" in second.stdout


def test_log_and_the_dialog_agree_on_the_description_rule(run):
    code, out, err = run("log", "--customer", "ACME", "--hours", "1")
    assert code != 0 and out == ""
    assert err.strip() == "punchclock: billable time needs a description: say what was done"
    code, _out, err = run("log", "--customer", "ACME", "--hours", "1", "--non-billable")
    assert code == 0 and err == ""
    code, _out, err = run("log", "--customer", "ACME", "--hours", "1", "-d", "stuff")
    assert code == 0
    assert err.startswith("warning: ") and '"stuff" is too vague' in err
