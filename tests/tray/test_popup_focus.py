"""The timer popup on a real X server with a tray host and a window manager:
a left click on the icon opens it, a click elsewhere hides it, and the global
shortcut (turned on in the settings) opens it from anywhere (xdotool key)."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest

pytestmark = [pytest.mark.tray, pytest.mark.slow]

TURN_ON_SHORTCUT = (
    "import sys\nfrom dataclasses import replace\nfrom pathlib import Path\n"
    "from desktop.core.app import Punchclock\n"
    "app = Punchclock.open(Path(sys.argv[1]))\n"
    "prefs = app.preferences\n"
    "prefs.save_settings(replace(prefs.settings(), global_shortcut=True))\n"
    "app.close()\n"
)


def test_click_opens_the_popup_and_a_click_elsewhere_hides_it(tray: Any, window_manager: Any
                                                              ) -> None:
    tray.start()
    x, y, w, h = tray.icon_geometry()
    tray.wait_log("tray icon shown")
    mark = len(tray.log_text())
    tray.x.run("xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "1")
    tray.wait_log("popup shown", after=mark)
    time.sleep(0.5)
    mark = len(tray.log_text())
    tray.x.run("xdotool", "mousemove", "120", "600", "click", "1")  # the desktop, far away
    tray.wait_log("popup hidden: it lost the focus", timeout=5, after=mark)


def test_the_global_shortcut_opens_the_popup(tray: Any, window_manager: Any) -> None:
    subprocess.run([sys.executable, "-c", TURN_ON_SHORTCUT, str(tray.data)], check=True,
                   env=tray.env, timeout=60)
    tray.start()
    tray.icon_geometry()
    tray.wait_log("global shortcut Ctrl+Alt+T listening")
    tray.wait_log("tray icon shown")
    mark = len(tray.log_text())
    tray.x.run("xdotool", "mousemove", "120", "600", "click", "1")
    tray.x.run("xdotool", "key", "ctrl+alt+t")
    tray.wait_log("popup shown", timeout=5, after=mark)
