"""A real X server (Xvfb) with a tray host (trayer), for tests marked ``tray``.

Skipped with a reason when the Debian packages are missing (``make test``
installs them with the ``sysdeps`` target where it may: root + apt)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
NEEDED = ("Xvfb", "trayer", "xdotool", "xwininfo", "import")


@dataclass
class XServer:
    display: str
    env: dict[str, str]

    def run(self, *cmd: str, check: bool = True) -> str:
        done = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=30,
                              check=check)
        return done.stdout

    def screenshot(self, name: str, crop: str | None = None) -> Path:
        OUTPUT.mkdir(exist_ok=True)
        out = OUTPUT / name
        self.run("import", "-window", "root", *(["-crop", crop] if crop else []), str(out))
        return out


def _free_display() -> int:
    for n in range(90, 200):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    raise RuntimeError("no free X display number")


@pytest.fixture(scope="session")
def xserver() -> Iterator[XServer]:
    missing = [b for b in NEEDED if shutil.which(b) is None]
    if missing:
        pytest.skip(f"real-tray tests need {', '.join(missing)} (Debian: xvfb trayer xdotool "
                    "x11-utils imagemagick; `make sysdeps` installs them as root)")
    n = _free_display()
    display = f":{n}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {**os.environ, "DISPLAY": display}
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("WAYLAND_DISPLAY", None)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{n}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    trayer = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width",
         "200", "--height", "32", "--transparent", "false", "--tint", "0xdddddd",
         "--SetDockType", "true"], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    server = XServer(display, env)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and '"panel"' not in server.run(
            "xwininfo", "-root", "-tree", check=False):
        time.sleep(0.1)
    try:
        yield server
    finally:
        trayer.terminate()
        xvfb.terminate()
        trayer.wait(5)
        xvfb.wait(5)


class TrayProcess:
    """The app as a subprocess on the Xvfb display, with its own data and log
    (``command``: the source tree's by default, or an installed ``punchclock``)."""

    def __init__(self, x: XServer, home: Path,
                 command: Sequence[str] = (sys.executable, "-m", "desktop")) -> None:
        self.x = x
        self.command = list(command)
        self.data = home / "data"
        self.log = home / "state" / "Punchclock" / "log" / "punchclock.log"
        self.env = {**x.env, "XDG_STATE_HOME": str(home / "state"),
                    "XDG_CONFIG_HOME": str(home / "config")}
        self.proc: subprocess.Popen[str] | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run([*self.command, "--data-dir", str(self.data), *args],
                              env=self.env, capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self) -> None:
        self.proc = subprocess.Popen([*self.command, "--data-dir", str(self.data)],
                                     env=self.env, cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     text=True)

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def wait_log(self, needle: str, timeout: float = 15, after: int = 0) -> float:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if needle in self.log_text()[after:]:
                return time.monotonic() - start
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} not in the log after {timeout} s:\n{self.log_text()}")

    def icon_geometry(self, timeout: float = 15) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the icon docked in trayer."""
        pattern = re.compile(r'"Punchclock": \("punchclock" "Punchclock"\)\s+(\d+)x(\d+)\S*'
                             r'\s+\+(-?\d+)\+(-?\d+)')
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            tree = self.x.run("xwininfo", "-root", "-tree", check=False)
            for line in tree.splitlines():
                m = pattern.search(line)
                if m and int(m[1]) <= 64 and int(m[3]) > 0:
                    return int(m[3]), int(m[4]), int(m[1]), int(m[2])
            time.sleep(0.1)
        raise AssertionError("the tray icon never docked:\n" + tree)

    def kill(self, sig: int = 15) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)


@pytest.fixture
def tray(xserver: XServer, tmp_path: Path) -> Iterator[TrayProcess]:
    t = TrayProcess(xserver, tmp_path)
    t.cli("init", "--name", "Ann Tech", "--email", "ann@example.com", "--timezone",
          "Europe/Berlin")
    t.cli("customer", "add", "ACME")
    t.cli("project", "add", "--customer", "ACME", "Server migration")
    t.cli("task", "add", "--customer", "ACME", "--project", "Server migration", "--ref",
          "4521", "Migrate DC01")
    t.cli("customer", "add", "Globex")
    t.cli("log", "--customer", "Globex", "--hours", "1", "-d", "Mail server patching")
    t.cli("log", "--task", "4521", "--hours", "2", "-d", "Cutover planning")
    yield t
    t.kill()


@pytest.fixture
def tray_process(xserver: XServer, tmp_path: Path) -> Iterator[Callable[..., TrayProcess]]:
    """``tray_process(command)``: an empty TrayProcess running another program."""
    made: list[TrayProcess] = []

    def make(command: Sequence[str]) -> TrayProcess:
        made.append(TrayProcess(xserver, tmp_path, command))
        return made[-1]

    yield make
    for t in made:
        t.kill()


@pytest.fixture
def window_manager(xserver: XServer) -> Iterator[None]:
    """openbox on the Xvfb display for one test: focus moves on click as on a
    desktop (a bare X server leaves it where it was, so no window would ever
    lose it)."""
    if shutil.which("openbox") is None:
        pytest.skip("focus tests need a window manager (Debian: openbox; `make sysdeps`)")
    wm = subprocess.Popen(["openbox"], env=xserver.env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "_NET_SUPPORTING_WM_CHECK" not in xserver.run(
            "xprop", "-root", check=False):
        time.sleep(0.1)
    try:
        yield
    finally:
        wm.terminate()
        wm.wait(5)
