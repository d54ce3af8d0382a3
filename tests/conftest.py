"""Fixtures shared by every suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class FakeClock:
    """A settable UTC clock for services (``Punchclock(db, clock=FakeClock(...))``)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, value: datetime) -> None:
        self.now = value

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> FakeClock:
    # Wednesday 2026-11-25 12:00 UTC (13:00 in Berlin).
    return FakeClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Iterator[object]:
    """A Punchclock on a fresh database with a profile (admin, Europe/Berlin) and a
    small directory: ACME › Server migration › #4521, and Globex (no projects)."""
    from desktop.core.app import Punchclock
    from desktop.core.db import open_database

    pc = Punchclock(open_database(tmp_path / "data"), clock=clock)
    me = pc.directory.init_profile(
        name="Ann Tech", email="ann@example.com", timezone="Europe/Berlin"
    )
    pc.directory.add_customer(me.id, "ACME", round_increment_min=6)
    pc.directory.add_project(me.id, "ACME", "Server migration")
    pc.directory.add_task(
        me.id, customer="ACME", project="Server migration", title="Migrate DC01", ref="4521"
    )
    pc.directory.add_customer(me.id, "Globex")
    pc.directory.add_customer(me.id, "Northwind", internal=True)
    yield pc
    pc.close()
