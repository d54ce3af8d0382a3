"""Commands handed to the running app (desktop.cli.handoff): the same output,
exit codes and errors as running them in the command line's own process —
each case runs both ways on twin stores — and the handing side never loads
the ORM."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.cli.entry import serve
from desktop.cli.handoff import NO_APP_ENV
from desktop.core.app import Punchclock
from desktop.ui.platform.single_instance import SingleInstance

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
from desktop.cli import main
code = main(sys.argv[1:])
heavy = [m for m in ("sqlalchemy", "alembic", "desktop.core.model") if m in sys.modules]
sys.stdout.flush()
print("PROBE " + json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
raise SystemExit(code)
"""
ID = re.compile(r"\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b|\b[0-9a-f]{8}\b")
CLOCK = re.compile(r"\b\d+:\d\d\b")


def _mask(out: str) -> str:
    """Entry ids differ between the twin stores, and a running timer's figures
    move on between the two runs: those are masked, nothing else."""
    out = ID.sub("<id>", out)
    return "\n".join(CLOCK.sub("<t>", line) if ("now" in line or "today:" in line
                                                 or "since" in line) else line
                     for line in out.split("\n"))  # fmt: skip


# Times relative to now: a fixed "09:00" is in the future before nine and refused.
_START = (datetime.now(UTC) - timedelta(hours=3)).replace(second=0, microsecond=0)


def _at(offset: timedelta) -> str:
    return (_START + offset).isoformat(timespec="minutes")


CASES: list[list[str]] = [
    ["status"],
    ["--json", "status"],
    ["status", "--format", "{state} {customer} {elapsed}"],
    ["start", "--customer", "ACME", "-d", "patching", "--at", _at(timedelta())],
    ["status"],
    ["start", "--customer", "Nobody Inc"],  # refused: exit 1, one line
    ["start", "--customer", "ACME", "--at", "23:59:59x"],  # a bad time
    ["stop", "--at", _at(-timedelta(hours=1))],  # before the start: refused
    ["stop", "--at", _at(timedelta(hours=1, minutes=15))],
    ["stop"],  # nothing running: refused
    ["log", "--customer", "ACME", "--hours", "1h30m", "-d", "printer queue"],
    ["log", "--customer", "ACME", "-d", "no hours"],  # usage error: exit 2
    ["log", "--customer", "ACME", "--hours", "1:00"],  # a description is required: exit 1
    ["--json", "entries"],
    ["entries"],
    ["status", "--format", "{nope}"],
    ["status", "--bogus"],
]


def _store(folder: Path) -> None:
    app = Punchclock.open(folder)
    app.directory.init_profile(name="Ada", email="ada@msp.test")
    app.directory.add_customer(None, "ACME")
    app.close()


@pytest.fixture
def twins(tmp_path: Path, qtbot: Any) -> Iterator[tuple[Path, Path]]:
    """Two identical stores; the first has a running app answering on its socket."""
    served, plain = tmp_path / "served", tmp_path / "plain"
    _store(served)
    _store(plain)
    core = Punchclock.open(served)
    instance = SingleInstance(served)
    assert instance.acquire()
    instance.cli_handler = lambda request: serve(core, served, request)
    yield served, plain
    instance.release()
    core.close()


def _cli(qtbot: Any, folder: Path, argv: list[str], *, no_app: bool) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in (NO_APP_ENV, "PUNCHCLOCK_HOME")}
    if no_app:
        env[NO_APP_ENV] = "1"
    proc = subprocess.Popen([sys.executable, "-c", PROBE, "--data-dir", str(folder), *argv],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=120_000)  # the app answers meanwhile
    out, err = proc.communicate()
    lines = err.splitlines()
    probe = json.loads(lines[-1].removeprefix("PROBE "))
    assert probe["code"] == proc.returncode
    return {"code": proc.returncode, "out": _mask(out),
            "err": "\n".join(lines[:-1]), "heavy": probe["heavy"]}  # fmt: skip


@pytest.mark.slow
def test_each_command_answers_the_same_through_the_app(
    twins: tuple[Path, Path], qtbot: Any
) -> None:
    served, plain = twins
    codes = []
    for argv in CASES:
        via_app = _cli(qtbot, served, argv, no_app=False)
        here = _cli(qtbot, plain, argv, no_app=True)
        assert (via_app["code"], via_app["out"], via_app["err"]) == (
            here["code"], here["out"], here["err"]), argv  # fmt: skip
        codes.append(via_app["code"])
        if via_app["code"] == 0:
            assert via_app["heavy"] == [], argv  # the app ran it: no ORM loaded here
        if via_app["code"] != 0:
            assert not via_app["out"] and len(via_app["err"].splitlines()) == 1, argv
    assert codes == [0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 2, 1, 0, 0, 2, 2]
    assert "1:15" in _cli(qtbot, served, ["entries"], no_app=False)["out"]


def test_another_folder_or_command_runs_here(twins: tuple[Path, Path], qtbot: Any) -> None:
    served, plain = twins
    other = _cli(qtbot, plain, ["status"], no_app=False)  # no app on that folder
    assert other["code"] == 0 and "sqlalchemy" not in other["heavy"]  # the lean status
    # a command the app does not take: the command line runs it itself
    listed = _cli(qtbot, served, ["customer", "list"], no_app=False)
    assert listed["code"] == 0 and "ACME" in listed["out"] and "sqlalchemy" in listed["heavy"]
    asked = serve(Punchclock.open(plain), served, {"argv": ["status"], "cwd": "/",
                                                   "default_data_dir": str(plain)})  # fmt: skip
    assert asked == {"handled": False}  # the request names a folder the app doesn't hold
