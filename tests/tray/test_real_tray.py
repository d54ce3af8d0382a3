"""The tray app on a real X server with a real tray host (Xvfb + trayer + xdotool)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytestmark = [pytest.mark.tray, pytest.mark.slow]


def status(tray: Any) -> dict[str, Any]:
    return json.loads(tray.cli("--json", "status"))


def test_system_tray_is_available(xserver: Any) -> None:
    probe = ("from PySide6.QtWidgets import QApplication, QSystemTrayIcon\n"
             "app = QApplication([])\nprint(QSystemTrayIcon.isSystemTrayAvailable())")
    out = subprocess.run([sys.executable, "-c", probe], env=xserver.env, capture_output=True,
                         text=True, timeout=30)
    assert out.stdout.strip() == "True", out.stderr


def test_menu_starts_a_recent_task_and_popup_shows_it(tray: Any) -> None:
    tray.start()
    x, y, w, h = tray.icon_geometry()
    tray.wait_log("tray icon shown")
    cx, cy = x + w // 2, y + h // 2
    tray.x.run("xdotool", "mousemove", str(cx), str(cy), "click", "3")
    time.sleep(1.0)
    tree = tray.x.run("xwininfo", "-root", "-tree")
    assert tree.count('("punchclock" "Punchclock")') >= 2  # the icon and the open menu
    tray.x.screenshot("tray-menu.png", crop="340x260+684+0")
    # The first enabled item under "Recent" is the latest combination: ACME › … › #4521.
    tray.x.run("xdotool", "key", "Down")
    time.sleep(0.2)
    tray.x.run("xdotool", "key", "Return")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not status(tray)["running"]:
        time.sleep(0.1)
    st = status(tray)
    assert st["running"] and st["entry"]["task_ref"] == "4521"
    tray.x.run("xdotool", "mousemove", str(cx), str(cy), "click", "1")
    time.sleep(1.5)
    tray.x.screenshot("tray-popup.png", crop="440x420+584+0")
    tree = tray.x.run("xwininfo", "-root", "-tree")
    assert "380x" in tree or "x3" in tree  # the popup window is mapped


def test_cli_changes_show_in_the_tray_within_2s_and_vice_versa(tray: Any) -> None:
    tray.start()
    tray.icon_geometry()
    tray.wait_log("tray icon shown")
    mark = len(tray.log_text())
    tray.cli("start", "--customer", "Globex")
    took = tray.wait_log("timer: ", timeout=2.0, after=mark)
    assert took <= 2.0
    assert "Globex since" in tray.log_text()[mark:]
    # And the other way: stop from the tray menu, the CLI sees it at once.
    x, y, w, h = tray.icon_geometry()
    tray.x.run("xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "3")
    time.sleep(1.0)
    tray.x.run("xdotool", "key", "Down", "Down", "Return")  # ▶ running, then "Stop timer"
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and status(tray)["running"]:
        time.sleep(0.1)
    assert not status(tray)["running"]


def test_kill_9_keeps_the_running_timer(tray: Any) -> None:
    # a start in the past whatever the hour (08:00 local is in the future
    # between midnight and 08:00 in the profile's zone)
    started = (datetime.now(UTC) - timedelta(minutes=20)).isoformat(timespec="seconds")
    tray.cli("start", "--task", "4521", "--at", started)
    before = status(tray)["entry"]
    tray.start()
    tray.icon_geometry()
    tray.wait_log(f"timer: {before['id']}")
    tray.kill(signal.SIGKILL)
    mark = len(tray.log_text())
    tray.start()  # the stale lock of the killed process must not block this one
    tray.icon_geometry()
    tray.wait_log(f"timer: {before['id']}", after=mark)
    after = status(tray)["entry"]
    assert (after["id"], after["started_at"]) == (before["id"], before["started_at"])
    assert f"since {before['started_at']}" in tray.log_text()[mark:]


def test_x11_idle_source_grows_and_drops_after_input(xserver: Any) -> None:
    probe = (
        "import sys, time\n"
        "from desktop.ui.platform.idle import X11IdleSource\n"
        "src = X11IdleSource()\n"
        "a = src.idle_seconds(); time.sleep(2.0); b = src.idle_seconds()\n"
        "sys.stdout.write(f'{a} {b}\\n'); sys.stdout.flush()\n"
        "sys.stdin.readline()\n"
        "print(src.idle_seconds())\n"
    )
    xserver.run("xdotool", "mousemove", "10", "10")
    proc = subprocess.Popen([sys.executable, "-c", probe], env=xserver.env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdin is not None
    a, b = map(float, proc.stdout.readline().split())
    assert b >= a + 1.5  # grows while nobody touches anything
    xserver.run("xdotool", "mousemove", "200", "200")
    proc.stdin.write("\n")
    proc.stdin.flush()
    c = float(proc.stdout.readline())
    proc.wait(10)
    assert c < 0.5 < b  # dropped after the mouse moved
