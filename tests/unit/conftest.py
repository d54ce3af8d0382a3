"""Fixtures shared by the service tests (timesheets, company, rates)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.core.app import Punchclock
from desktop.core.db import open_database

NOW = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # Friday of 2026-W48


@pytest.fixture
def msp(tmp_path: Path) -> Iterator[Punchclock]:
    """A Punchclock on a fresh database whose clock stands at Friday 2026-11-27
    17:00 UTC, with a small MSP: the profile Ada Admin (admin@msp.test, admin),
    Bo Boss (boss@msp.test), manager of the team Field, and Tia Tech
    (tech@msp.test) in Field. Each test module adds its customers and people."""
    app = Punchclock(open_database(tmp_path), clock=lambda: NOW)
    admin = app.directory.init_profile(name="Ada Admin", email="admin@msp.test")
    app.directory.add_user(admin.id, "boss@msp.test", name="Bo Boss", role="manager")
    app.directory.add_team(admin.id, "Field", manager="boss@msp.test")
    app.directory.add_user(admin.id, "tech@msp.test", name="Tia Tech", team="Field")
    yield app
    app.close()
