"""Fixtures the command-line suites share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main


@pytest.fixture
def ann_folder(tmp_path: Path, capsys: Any) -> Path:
    """A data folder whose profile is Ann Tech (ann@example.com, UTC, admin)."""
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "init", "--name", "Ann Tech",
                 "--email", "ann@example.com", "--timezone", "UTC"]) == 0
    capsys.readouterr()
    return data


class Run:
    """Runs `punchclock --data-dir DIR ...` in-process, capturing out, err and code."""

    def __init__(self, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data = data
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(self.data), *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *args: str) -> object:
        code, out, err = self("--json", *args)
        assert code == 0, err
        return json.loads(out)


@pytest.fixture
def run(tmp_path, capsys) -> Run:
    r = Run(tmp_path / "data", capsys)
    for args in (
        ["init", "--name", "Ann Tech", "--email", "ann@example.com", "--timezone", "UTC"],
        ["customer", "add", "ACME", "--round-to", "6"],
        ["customer", "add", "Globex"],
        ["project", "add", "--customer", "ACME", "Server migration"],
        [
            "task",
            "add",
            "--customer",
            "ACME",
            "--project",
            "Server migration",
            "Migrate DC01",
            "--ref",
            "4521",
        ],
    ):
        code, _, err = r(*args)
        assert code == 0, err
    return r
