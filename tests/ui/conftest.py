"""pytest-qt fixtures for the tray's windows (offscreen; see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Start-at-login and logs write under tmp, never into the real home."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture
def state(qtbot: Any, app: Any) -> Iterator[Any]:
    from desktop.ui.state import TrackerState

    st = TrackerState(app)
    st.refresh()
    yield st
    st.stop_watching()
    st.runner.wait(5000)


@pytest.fixture
def settle(qtbot: Any, state: Any) -> Any:
    """Wait until every background write has come back to the GUI thread."""

    def wait(timeout: int = 5000) -> None:
        qtbot.waitUntil(lambda: not state.runner.busy, timeout=timeout)

    return wait


# The offscreen platform plugin warns about window-manager requests it can't
# honour (raise, size hints). That is the test platform, not our code: ignore
# exactly those; every other Qt warning still fails the test.
OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise|grabbing)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))
