"""Fixtures the command-line suites share."""

from __future__ import annotations

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
