"""``punchclock status`` reads the plain case without the ORM
(desktop.core.quickread), and its plain command lines without the parser
(desktop.cli.quickstatus); all paths get the same cases and must print the
same bytes, exit the same way, and say the same errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from desktop.cli import quickstatus, statusline
from desktop.cli.base import UsageError
from desktop.cli.entry import main, parse
from desktop.core import quickread, timeutil
from desktop.core.app import Punchclock
from desktop.core.db import open_database

NOW = datetime(2026, 11, 27, 17, 5, 42, tzinfo=UTC)
Setup = Callable[[Punchclock, list[datetime]], None]


def _idle_nothing(app: Punchclock, clock: list[datetime]) -> None:
    pass


def _idle_with_entries(app: Punchclock, clock: list[datetime]) -> None:
    app.tracking.log(None, day=NOW.date(), customer="ACME", duration_s=5400, description="a")
    app.tracking.log(
        None, day=NOW.date(), customer="ACME", start=time(8), end=time(8, 20), description="b"
    )
    gone = app.tracking.log(None, day=NOW.date(), customer="ACME", duration_s=600,
                            description="deleted")  # fmt: skip
    app.tracking.delete(None, gone.entry.id)
    app.tracking.log(None, day=NOW.date() - timedelta(days=1), customer="ACME",
                     duration_s=7200, description="yesterday")  # fmt: skip


def _held_back_today(app: Punchclock, clock: list[datetime]) -> None:
    """An entry whose create the server refused does not count."""
    _idle_with_entries(app, clock)
    refused = app.tracking.log(None, day=NOW.date(), customer="Globex", duration_s=3600,
                               description="refused by the server")  # fmt: skip
    with app.db.write() as s:
        s.execute(text("UPDATE outbox SET state = 'attention' WHERE entity_id = :id"),
                  {"id": refused.entry.id})  # fmt: skip
    clock[0] = NOW - timedelta(minutes=5)
    app.tracking.start(None, customer="ACME")


def _running_customer(app: Punchclock, clock: list[datetime]) -> None:
    _idle_with_entries(app, clock)
    clock[0] = NOW - timedelta(minutes=47, seconds=13)
    app.tracking.start(None, customer="ACME")


def _running_task(app: Punchclock, clock: list[datetime]) -> None:
    clock[0] = NOW - timedelta(hours=2, seconds=5)
    app.tracking.start(None, customer="ACME", project="Migration", task="4521",
                       description="mailbox moves — batch 2")  # fmt: skip


def _running_task_without_ref(app: Punchclock, clock: list[datetime]) -> None:
    clock[0] = NOW - timedelta(seconds=59)
    app.tracking.start(None, customer="ACME", task="Patch night", billable=False)


def _running_since_yesterday(app: Punchclock, clock: list[datetime]) -> None:
    clock[0] = NOW - timedelta(hours=20)
    app.tracking.start(None, customer="ACME", project="Migration", description="overnight")


def _switched(app: Punchclock, clock: list[datetime]) -> None:
    clock[0] = NOW - timedelta(hours=3)
    app.tracking.start(None, customer="ACME")
    clock[0] = NOW - timedelta(hours=1)
    app.tracking.start(None, customer="Globex", description="switched")


CASES: dict[str, Setup] = {
    "idle, nothing today": _idle_nothing,
    "idle, entries today": _idle_with_entries,
    "running on a customer": _running_customer,
    "running, an entry held back": _held_back_today,
    "running on a project's task with a ticket": _running_task,
    "running on a task without a ticket": _running_task_without_ref,
    "running since yesterday": _running_since_yesterday,
    "switched": _switched,
}

ARGVS = (
    ["status"],
    ["status", "--json"],
    ["--json", "status"],
    ["status", "--format", "{state}|{customer}|{project}|{task}|{task_ref}|{path}"],
    ["status", "--format", "{description}|{started}|{elapsed}|{elapsed_s}|{today}|{today_s}"],
    ["status", "--format", "{customer} {task} {elapsed:>6}"],
)


def _store(folder: Path, setup: Setup, tz: str) -> None:
    clock = [NOW]
    app = Punchclock(open_database(folder), clock=lambda: clock[0])
    me = app.directory.init_profile(name="Ada", email="ada@msp.test", timezone=tz)
    app.directory.add_customer(me.id, "ACME")
    app.directory.add_customer(me.id, "Globex")
    app.directory.add_project(me.id, "ACME", "Migration")
    app.directory.add_task(me.id, customer="ACME", project="Migration", title="Mailboxes",
                           ref="4521")  # fmt: skip
    app.directory.add_task(me.id, customer="ACME", title="Patch night")
    setup(app, clock)
    app.close()


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Both paths see the clock at NOW."""
    monkeypatch.setattr(timeutil, "utcnow", lambda: NOW)
    real_open = Punchclock.open

    def open_at_now(data_dir: Path | None = None, clock: object = None) -> Punchclock:
        return Punchclock(real_open(data_dir).db, clock=lambda: NOW)

    monkeypatch.setattr(Punchclock, "open", staticmethod(open_at_now))
    yield


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def _both(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """The parser's path with the lean read, and with the full one."""
    lean = _run(argv, capsys)
    with monkeypatch.context() as m:
        m.setattr(quickread, "timer_status", lambda *a: None)
        full = _run(argv, capsys)
    return lean, full


def _unparsed(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | None, str, str]:
    """The path without the parser (desktop.cli.quickstatus): None when it
    leaves the command line to the parser."""
    code = quickstatus.run(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("tz", ["UTC", "Pacific/Auckland"])
@pytest.mark.parametrize("case", list(CASES))
def test_both_paths_print_the_same(
    case: str, tz: str, tmp_path: Path, frozen: None,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    _store(tmp_path, CASES[case], tz)
    quick = quickread.timer_status(tmp_path, NOW)
    assert quick is not None and quick.timezone == tz  # the lean path answers these
    for argv in ARGVS:
        lean, full = _both([*argv, "--data-dir", str(tmp_path)], monkeypatch, capsys)
        assert lean == full, argv
        assert lean[0] == 0 and lean[1] and not lean[2]
        for unparsed_argv in ([*argv, "--data-dir", str(tmp_path)],
                              [f"--data-dir={tmp_path}", *argv]):  # fmt: skip
            assert _unparsed(unparsed_argv, capsys) == full, unparsed_argv


def test_the_figures_themselves(tmp_path: Path) -> None:
    """Not only equal: right (47:13 running, 1:30 + 0:20 logged today)."""
    _store(tmp_path, _running_customer, "UTC")
    quick = quickread.timer_status(tmp_path, NOW)
    assert quick is not None and quick.status.running is not None
    assert quick.status.running.customer == "ACME"
    assert quick.status.elapsed_s == 47 * 60 + 13
    assert quick.status.today_s == 5400 + 1200 + 47 * 60 + 13
    _store(tmp_path / "h", _held_back_today, "UTC")
    quick = quickread.timer_status(tmp_path / "h", NOW)
    assert quick is not None and quick.status.today_s == 5400 + 1200 + 5 * 60
    _store(tmp_path / "t", _running_task, "UTC")
    quick = quickread.timer_status(tmp_path / "t", NOW)
    assert quick is not None and quick.status.running is not None
    assert quick.status.running.path == "ACME › Migration › #4521"
    assert quick.status.running.work_date == date(2026, 11, 27)


def test_the_counted_rule_is_the_outbox_one() -> None:
    from sqlalchemy.dialects import sqlite

    from desktop.core.model import TimeEntry
    from desktop.core.outbox import counted

    compiled = counted(TimeEntry).compile(
        dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}
    )
    assert " ".join(str(compiled).split()) == quickread.COUNTED


def test_no_profile_is_the_same_error(
    tmp_path: Path, frozen: None, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    open_database(tmp_path).close()
    assert quickread.timer_status(tmp_path, NOW) is None  # the full path says why
    lean, full = _both(["status", "--data-dir", str(tmp_path)], monkeypatch, capsys)
    assert lean == full
    assert lean[0] == 1 and "punchclock init" in lean[2] and not lean[1]
    assert _unparsed(["status", "--data-dir", str(tmp_path)], capsys) == (None, "", "")


@pytest.mark.parametrize(
    ("template", "message"),
    [("{bogus}", "unknown field {bogus}"), ("{customer", "bad --format template")],
)
def test_bad_format_is_a_usage_error_either_way(
    template: str, message: str, tmp_path: Path, frozen: None,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    _store(tmp_path, _running_task, "UTC")
    lean, full = _both(["status", "--format", template, "--data-dir", str(tmp_path)],
                       monkeypatch, capsys)  # fmt: skip
    assert lean == full
    code, out, err = lean
    assert code == 2 and not out and message in err and len(err.splitlines()) == 1
    argv = ["status", "--format", template, "--data-dir", str(tmp_path)]
    assert _unparsed(argv, capsys) == (None, "", "")  # the parser's path says it


def test_format_and_json_together_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _store(tmp_path, _idle_nothing, "UTC")
    code, out, err = _run(["status", "--json", "--format", "{state}",
                           "--data-dir", str(tmp_path)], capsys)  # fmt: skip
    assert code == 2 and not out and "not both" in err
    argv = ["status", "--json", "--format", "{state}", "--data-dir", str(tmp_path)]
    assert _unparsed(argv, capsys) == (None, "", "")


TOKENS = ("status", "--json", "--data-dir", "--format", "--as", "a@msp.test", "d", "{state}",
          "--data-dir=e", "--format={today}", "--format=", "-x", "--js", "--data", "--",
          "start", "", "-h", "--json=1")  # fmt: skip


@settings(max_examples=400)
@given(st.lists(st.sampled_from(TOKENS), max_size=7))
@example(["--format", "{state}", "status"])
@example(["status", "--data-dir", "--json"])
def test_the_lean_reading_is_the_parsers(argv: list[str]) -> None:
    """Whatever command line the lean path reads, the parser reads the same
    way: the same command, folder, form and template, and no --as."""
    read = quickstatus.read_argv(argv)
    if read is None:
        return
    try:
        args = parse(argv)
    except UsageError as exc:
        pytest.fail(f"{argv}: the lean path read what the parser refuses ({exc})")
    assert args.command == "status" and args.as_user is None
    assert read == (args.data_dir, args.json, getattr(args, "format", None))


@pytest.mark.parametrize(
    "argv",
    [["status"], ["--json", "status"], ["status", "--format", "{state}"],
     ["--data-dir", "d", "status", "--json"], ["status", "--data-dir=e", "--format=x"]],
)  # fmt: skip
def test_the_lean_path_reads_the_plain_lines(argv: list[str]) -> None:
    assert quickstatus.read_argv(argv) is not None


@pytest.mark.parametrize(
    "argv",
    [["status", "--as", "a@msp.test"], ["status", "--js"], ["--format", "x", "status"],
     ["status", "--data-dir", "a", "--data-dir", "b"], ["status", "--data-dir"],
     ["status", "--format", "-x"], ["status", "status"], ["start"], ["status", "-h"],
     ["status", "--format", "a", "--format", "b"]],
)  # fmt: skip
def test_the_lean_path_leaves_the_rest_to_the_parser(argv: list[str]) -> None:
    assert quickstatus.read_argv(argv) is None


def test_the_readme_lists_the_format_fields() -> None:
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = text.split("## In a status bar (`status --format`)", 1)[1].split("\n## ", 1)[0]
    bullets = section.split("An unknown field", 1)[0]
    assert re.findall(r"`\{(\w+)\}`", bullets) == list(statusline.STATUS_FIELDS)
