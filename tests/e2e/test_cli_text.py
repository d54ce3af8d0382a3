"""Text in arguments, as the shell hands it over (bytes): a byte that is not
UTF-8, or a control character where a name, description, ticket or reason
would carry it, is refused in one line on stderr with a non-zero exit, no
traceback, and nothing stored. Each case runs the real entry point in its own
process, with the arguments given as bytes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core.db import DB_FILENAME

ROOT = Path(__file__).resolve().parents[2]
DAY = "2026-11-18"
TABLES = ("customer", "project", "task", "user", "team", "time_entry", "holiday", "outbox")


@pytest.fixture
def data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "data"
    for args in (
        ["init", "--name", "Ann Admin", "--email", "ann@example.com", "--timezone", "UTC",
         "--role", "admin"],
        ["customer", "add", "Northwind"],
        ["user", "add", "bo@example.com", "--name", "Bo Field"],
        ["--as", "bo@example.com", "log", "--date", DAY, "--hours", "2",
         "--customer", "Northwind", "-d", "rebuilt the print server"],
        ["--as", "bo@example.com", "submit", "--week", DAY],
    ):  # fmt: skip
        assert main(["--data-dir", str(folder), *args]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return folder


def _pc(folder: Path, *args: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", b"--data-dir", bytes(folder), *args],
        capture_output=True, cwd=ROOT, timeout=120,
    )  # fmt: skip


def _rows(folder: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(folder / DB_FILENAME) as db:
        return {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall()) for t in TABLES}


def _refused(folder: Path, args: list[bytes], code: int = 1) -> str:
    """Run ``args``; they must be refused with ``code`` in one line on stderr,
    nothing on stdout and nothing stored. Returns the line."""
    before = _rows(folder)
    done = _pc(folder, *args)
    err = done.stderr.decode()
    assert done.returncode == code, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert done.stdout == b""
    assert _rows(folder) == before
    return err


NOT_UTF8 = [
    pytest.param([b"log", b"--date", DAY.encode(), b"--hours", b"1", b"--customer", b"Northwind",
                  b"-d", b"bad \xff byte"], b"bad \\xff byte", id="log-description"),
    pytest.param([b"customer", b"add", b"Bad\xffName"], b"Bad\\xffName", id="customer-name"),
    pytest.param([b"customer", b"add", b"Caf\xc3"], b"Caf\\xc3", id="cut-in-a-character"),
    pytest.param([b"--data-dir", b"/tmp/\xfe", b"status"], b"/tmp/\\xfe", id="a-global-option"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "shown"), NOT_UTF8)
def test_an_argument_that_is_not_utf8_is_refused_in_one_line(
    data: Path, args: list[bytes], shown: bytes
) -> None:
    err = _refused(data, args, code=2)
    assert "is not valid UTF-8 text" in err and shown.decode() in err, err


CONTROL = [
    pytest.param(
        [b"log", b"--date", DAY.encode(), b"--hours", b"1", b"--customer", b"Northwind",
         b"-d", b"rang the \x07 bell"],
        "the description contains a control", id="description"),
    pytest.param(
        [b"customer", b"add", b"Acme\x1b[31m"],
        "the customer name contains a control", id="customer-name"),
    pytest.param(
        [b"task", b"add", b"--customer", b"Northwind", b"Patch\x0bday"],
        "the task name contains a control", id="task-title"),
    pytest.param(
        [b"task", b"add", b"--customer", b"Northwind", b"Patch day", b"--ref", b"T-1\x01"],
        '"T-1\\x01" is not a ticket reference', id="ticket"),
    pytest.param(
        [b"team", b"add", b"Field\x7f", b"--manager", b"ann@example.com"],
        "the team name contains a control", id="team-name"),
    pytest.param(
        [b"user", b"add", b"bo\x01@example.com", b"--name", b"Bo"],
        '"bo\\x01@example.com" is not an email address', id="email"),
    pytest.param(
        [b"holiday", b"add", DAY.encode(), b"--name", b"Thanks\x02giving"],
        "the holiday name contains a control", id="holiday-name"),
    pytest.param(
        [b"timeoff", b"add", b"ann@example.com", DAY.encode(), b"--name",
         "doc\u0085tor".encode()],
        "the time-off name contains a control", id="time-off-name"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "said"), CONTROL)
def test_a_control_character_is_refused_in_one_line(
    data: Path, args: list[bytes], said: str
) -> None:
    err = _refused(data, args)
    assert said in err and "\x1b" not in err, err


def test_a_reason_with_a_control_character_is_refused(data: Path) -> None:
    args = [b"reject", b"--user", b"bo@example.com", b"--week", DAY.encode(),
            b"--reason", b"no\x1bticket"]  # fmt: skip
    assert "the reason contains a control character" in _refused(data, args)


def test_what_an_error_echoes_of_the_input_stays_on_one_line(data: Path) -> None:
    err = _refused(data, [b"log", b"--date", DAY.encode(), b"--hours", b"1", b"--customer",
                          b"North\nwind\x1b[2J", b"-d", b"patched the firewall"])  # fmt: skip
    assert "\x1b" not in err and "North\\nwind\\x1b[2J" in err, err
