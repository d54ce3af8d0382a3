"""Fixtures for the Timesheet and Approvals windows: a small MSP on the ui
suite's ``app`` (Ann Tech, admin, Europe/Berlin; the clock on Wednesday
2026-11-25 12:00 UTC) — Bo Boss manages the team Field with Tia Tech in it.

For the report and export windows: the hand-computed reports fixture
(tests/unit/reports_world.py) on its own database (``msp``), and a tracker
state over it (``mstate``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from windows_helpers import NOW, world

from desktop.core.app import Punchclock
from desktop.core.db import open_database

MON = date(2026, 11, 23)


@pytest.fixture
def team(app: Any) -> dict[str, str]:
    d = app.directory
    me = d.profile().id
    boss = d.add_user(me, "boss@msp.test", name="Bo Boss", role="manager")
    d.add_team(me, "Field", manager="boss@msp.test")
    tech = d.add_user(me, "tech@msp.test", name="Tia Tech", team="Field")
    return {"admin": me, "boss": boss.id, "tech": tech.id}


@pytest.fixture
def as_user(app: Any, state: Any) -> Callable[[str], None]:
    """Make ``user_id`` the profile (the user the windows act for)."""

    def switch(user_id: str) -> None:
        _set_profile(app, user_id)
        state.refresh()

    return switch


def _set_profile(app: Any, user_id: str) -> None:
    from desktop.core.model import Preference
    from desktop.core.services.common import PROFILE_KEY

    with app.db.write() as s:
        s.merge(Preference(key=PROFILE_KEY, value=user_id))


@pytest.fixture
def loaded(qtbot: Any) -> Callable[[Any], None]:
    """Wait for a window's next ``loaded`` signal after ``action``."""

    def wait(window: Any, action: Callable[[], None] | None = None) -> None:
        with qtbot.waitSignal(window.loaded, timeout=5000):
            if action is not None:
                action()

    return wait


@pytest.fixture
def msp(tmp_path: Path) -> Iterator[Punchclock]:
    """The reports fixture with Ada Admin as the profile (clock: Friday
    2026-11-27 17:00 UTC); Bo Boss manages Field (Tia Tech, Ned Nerd)."""
    app = Punchclock(open_database(tmp_path / "msp"), clock=lambda: NOW)
    admin = app.directory.init_profile(name="Ada Admin", email="admin@msp.test")
    app.directory.add_user(admin.id, "boss@msp.test", name="Bo Boss", role="manager")
    app.directory.add_team(admin.id, "Field", manager="boss@msp.test")
    app.directory.add_user(admin.id, "tech@msp.test", name="Tia Tech", team="Field")
    world.build(app)
    yield app
    app.close()


@pytest.fixture
def mstate(qtbot: Any, msp: Punchclock) -> Iterator[Any]:
    from desktop.ui.state import TrackerState

    st = TrackerState(msp)
    st.refresh()
    yield st
    st.runner.wait(5000)
