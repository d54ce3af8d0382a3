"""Start at login on Linux next to the .deb's /etc/xdg/autostart entry (XDG autostart spec)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from desktop.ui.platform import autostart

pytestmark = pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG autostart")


@pytest.fixture
def system_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """What the .deb installs, in a private XDG_CONFIG_DIRS."""
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "xdg"))
    entry = tmp_path / "xdg" / "autostart" / "punchclock.desktop"
    entry.parent.mkdir(parents=True)
    entry.write_text("[Desktop Entry]\nType=Application\nName=Punchclock\n"
                     "Exec=/usr/bin/punchclock\n", encoding="utf-8")
    return entry


def test_the_system_entry_counts_as_on(system_entry: Path) -> None:
    assert autostart.is_enabled()


def test_turning_it_off_hides_the_system_entry_for_this_user_only(system_entry: Path) -> None:
    user = autostart.set_enabled(False)
    assert isinstance(user, Path) and "Hidden=true" in user.read_text()
    assert not autostart.is_enabled()
    assert system_entry.exists()  # other users keep it
    autostart.set_enabled(True)
    assert autostart.is_enabled() and "Hidden" not in user.read_text()


def test_without_a_system_entry_off_removes_the_user_file(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "none"))
    assert not autostart.is_enabled()
    user = autostart.set_enabled(True)
    assert autostart.is_enabled()
    autostart.set_enabled(False)
    assert isinstance(user, Path) and not user.exists() and not autostart.is_enabled()
