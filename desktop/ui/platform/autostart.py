"""Start at login, the way each desktop expects it (no Qt).

* Linux/BSD: an XDG autostart file ``~/.config/autostart/punchclock.desktop``;
  the .deb also installs ``/etc/xdg/autostart/punchclock.desktop`` for every
  user, so turning it off writes a user file with ``Hidden=true``, which the XDG
  autostart spec says overrides the system one;
* Windows: the ``HKCU\\...\\Run`` registry value ``Punchclock``;
* macOS: a LaunchAgent ``~/Library/LaunchAgents/com.punchclock.tray.plist``.

The command started is this interpreter running ``-m desktop`` (works from a
venv and from an installed package alike) unless a frozen executable runs.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import sys
from pathlib import Path

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
VALUE_NAME = "Punchclock"
AGENT_LABEL = "com.punchclock.tray"


def command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "desktop"]


def xdg_autostart_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / "punchclock.desktop"


def xdg_system_autostart_paths() -> list[Path]:
    dirs = os.environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    return [Path(d) / "autostart" / "punchclock.desktop" for d in dirs.split(os.pathsep) if d]


def _hidden(entry: Path) -> bool:
    lines = entry.read_text(encoding="utf-8", errors="replace").splitlines()
    return "Hidden=true" in lines or "X-GNOME-Autostart-enabled=false" in lines


def launch_agent_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{AGENT_LABEL}.plist"


def _quote(arg: str) -> str:
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"' if " " in arg else arg


def is_enabled() -> bool:
    if sys.platform == "win32":
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                winreg.QueryValueEx(key, VALUE_NAME)
            return True
        except OSError:
            return False
    if sys.platform == "darwin":
        return launch_agent_path().exists()
    user = xdg_autostart_path()
    if user.exists():
        return not _hidden(user)
    return any(p.exists() and not _hidden(p) for p in xdg_system_autostart_paths())


def set_enabled(enabled: bool) -> Path | str:
    """Write or remove the login item; returns where it lives."""
    if sys.platform == "win32":
        import winreg

        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            if enabled:
                line = " ".join(f'"{a}"' for a in command())
                winreg.SetValueEx(key, VALUE_NAME, 0, winreg.REG_SZ, line)
            else:
                with contextlib.suppress(FileNotFoundError):
                    winreg.DeleteValue(key, VALUE_NAME)
        return f"HKCU\\{RUN_KEY}\\{VALUE_NAME}"
    if sys.platform == "darwin":
        path = launch_agent_path()
        if enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                plistlib.dump({"Label": AGENT_LABEL, "ProgramArguments": command(),
                               "RunAtLoad": True, "ProcessType": "Interactive"}, fh)
        else:
            path.unlink(missing_ok=True)
        return path
    path = xdg_autostart_path()
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        exec_line = " ".join(_quote(a) for a in command())
        path.write_text(
            "[Desktop Entry]\nType=Application\nName=Punchclock\n"
            "Comment=Time tracker in the system tray\n"
            f"Exec={exec_line}\nIcon=punchclock\nTerminal=false\n"
            "X-GNOME-Autostart-enabled=true\n", encoding="utf-8")
    elif any(p.exists() for p in xdg_system_autostart_paths()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("[Desktop Entry]\nType=Application\nName=Punchclock\n"
                        "Exec=punchclock\nHidden=true\n", encoding="utf-8")
    else:
        path.unlink(missing_ok=True)
    return path
