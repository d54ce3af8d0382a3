"""Files made by the real tools: Watson (td-watson, installed into the venv
here when missing — not a dependency) and Timewarrior (the Debian package
``timewarrior``, in the Makefile's DEBIAN_PACKAGES). Each records a few past
days (start/stop with ``--at`` or past times, tags, projects), exports, and
``punchclock import`` takes the file; every entry's start, end, duration and
names are compared with what the tool itself reports. Skipped, with the
reason, when the tool can't be had."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from desktop.cli import main

DAYS = [date.today() - timedelta(days=n) for n in (9, 8, 7)]


def _watson() -> str:
    exe = Path(sys.executable).with_name("watson")
    if not exe.exists():
        try:
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "-q", "td-watson"],
                check=True,
                capture_output=True,
                timeout=300,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            pytest.skip(f"Watson (td-watson) can't be installed here: {exc}")
    if not exe.exists():
        pytest.skip("Watson (td-watson) installed no `watson` command")
    return str(exe)


def _timew() -> str:
    exe = shutil.which("timew")
    if exe is None:
        pytest.skip(
            "Timewarrior is not installed (Debian package `timewarrior`; "
            "`make test` installs it as root)"
        )
    return exe


def _run(cmd: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{cmd}: {done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture
def folder(ann_folder: Path) -> Path:
    return ann_folder


def _import(capsys, folder: Path, source: str, path: Path) -> list[dict]:
    assert main(["--data-dir", str(folder), "import", source, str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["refused"] == [] and report["locked"] == []
    assert (
        main(
            [
                "--data-dir",
                str(folder),
                "entries",
                "--from",
                DAYS[0].isoformat(),
                "--to",
                DAYS[-1].isoformat(),
                "--json",
            ]
        )
        == 0
    )
    got = json.loads(capsys.readouterr().out)
    assert main(["--data-dir", str(folder), "import", source, str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 0  # a second import adds nothing
    return sorted(got, key=lambda e: e["started_at"])


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _names(path: str) -> tuple[str | None, str | None, str | None]:
    parts: list[str | None] = [*path.split("/"), None, None]
    return parts[0], parts[1], parts[2]


def test_watson_frames(folder, capsys, tmp_path):
    watson = _watson()
    env = {**os.environ, "WATSON_DIR": str(tmp_path / "watson"), "TZ": "UTC"}
    d1, d2, d3 = (d.isoformat() for d in DAYS)
    _run(
        [
            watson,
            "start",
            "ACME Corp/Server migration",
            "+#4521",
            "+cabling",
            "--at",
            f"{d1}T09:00",
        ],
        env,
    )
    _run([watson, "stop", "--at", f"{d1}T10:30"], env)
    _run([watson, "start", "Globex", "--at", f"{d2}T10:00"], env)
    _run([watson, "stop", "--at", f"{d2}T10:30:15"], env)
    _run(
        [
            watson,
            "add",
            "-f",
            f"{d3} 14:00",
            "-t",
            f"{d3} 15:05",
            "Initech/Backups/Restore test",
            "+restore",
            "+#7788",
        ],
        env,
    )
    frames = tmp_path / "watson" / "frames"
    truth = json.loads(_run([watson, "log", "--all", "--json"], env))
    got = _import(capsys, folder, "watson", frames)
    assert len(got) == len(truth) == 3
    for entry, frame in zip(got, sorted(truth, key=lambda f: f["start"]), strict=True):
        start, stop = _utc(frame["start"]), _utc(frame["stop"])
        assert _utc(entry["started_at"]) == start and _utc(entry["ended_at"]) == stop
        assert entry["duration_s"] == int((stop - start).total_seconds())
        assert (entry["customer"], entry["project"], entry["task"]) == (
            *_names(frame["project"])[:2],
            _names(frame["project"])[2] or (f"#{entry['task_ref']}" if entry["task_ref"] else None),
        )
        tickets = [t[1:] for t in frame["tags"] if t.startswith("#")]
        assert entry["task_ref"] == (tickets[0] if tickets else None)
        assert entry["description"] == ", ".join(t for t in frame["tags"] if t[0] != "#")


def test_timewarrior_export(folder, capsys, tmp_path):
    timew = _timew()
    db = tmp_path / "timew"
    (db / "data").mkdir(parents=True)
    (db / "timewarrior.cfg").write_text("")
    env = {**os.environ, "TIMEWARRIORDB": str(db), "TZ": "UTC"}
    d1, d2, d3 = (d.isoformat() for d in DAYS)
    _run(
        [timew, "track", f"{d1}T09:00", "-", f"{d1}T10:30", "ACME Corp/Server migration", "#4521"],
        env,
    )
    _run([timew, "start", f"{d2}T08:00", "Initech", "phone"], env)
    _run([timew, "stop", f"{d2}T08:45"], env)
    _run([timew, "track", f"{d3}T13:00", "-", f"{d3}T14:15:30", "Globex/Helpdesk"], env)
    _run([timew, "annotate", "@1", "Reset a password"], env)
    export = tmp_path / "timew.json"
    export.write_text(_run([timew, "export"], env))
    truth = json.loads(export.read_text())
    got = _import(capsys, folder, "timewarrior", export)
    assert len(got) == len(truth) == 3
    for entry, interval in zip(got, sorted(truth, key=lambda i: i["start"]), strict=True):
        start = datetime.strptime(interval["start"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        end = datetime.strptime(interval["end"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        assert _utc(entry["started_at"]) == start and _utc(entry["ended_at"]) == end
        assert entry["duration_s"] == int((end - start).total_seconds())
        tags = interval["tags"]
        path = next((t for t in tags if "/" in t), next(t for t in tags if t[0] != "#"))
        customer, project, _ = _names(path)
        assert (entry["customer"], entry["project"]) == (customer, project)
        tickets = [t[1:] for t in tags if t.startswith("#")]
        assert entry["task_ref"] == (tickets[0] if tickets else None)
        rest = [t for t in tags if t != path and t[0] != "#"]
        assert entry["description"] == interval.get("annotation", ", ".join(rest))
