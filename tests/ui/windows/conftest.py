"""Fixtures for the Timesheet and Approvals windows: a small MSP on the ui
suite's ``app`` (Ann Tech, admin, Europe/Berlin; the clock on Wednesday
2026-11-25 12:00 UTC) — Bo Boss manages the team Field with Tia Tech in it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

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
