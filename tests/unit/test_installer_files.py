"""What can be checked here of the installers that are built elsewhere: the macOS
Info.plist, the Inno Setup script, the desktop entries and the CI workflow."""

from __future__ import annotations

import configparser
import plistlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
sys.path.insert(0, str(INSTALLER / "linux"))
import build_deb  # noqa: E402

from desktop.ui.platform import autostart  # noqa: E402


def iss_sections() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in (INSTALLER / "windows" / "punchclock.iss").read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if m := re.fullmatch(r"\[(\w+)\]", line):
            current = m[1]
            sections[current] = []
        elif current:
            sections[current].append(line)
    return sections


def test_info_plist_makes_a_menu_bar_app() -> None:
    plist = plistlib.loads((INSTALLER / "macos" / "Info.plist").read_bytes())
    assert plist["LSUIElement"] is True  # no Dock icon
    assert plist["CFBundleIdentifier"] == autostart.AGENT_LABEL
    assert "CFBundleShortVersionString" not in plist  # the spec sets it from pyproject.toml


def test_inno_setup_installs_per_user_and_keeps_the_data() -> None:
    s = iss_sections()
    setup = dict(line.split("=", 1) for line in s["Setup"])
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"].startswith("{autopf}")  # %LOCALAPPDATA%\Programs
    assert setup["AppVersion"] == "{#AppVersion}"
    assert setup["SetupIconFile"] == r"build\icons\punchclock.ico"
    assert any(line.startswith('Name: "startatlogin"') for line in s["Tasks"])
    assert any("{group}" in line and "punchclock.exe" in line for line in s["Icons"])
    assert any(r'Source: "dist\punchclock\*"' in line for line in s["Files"])
    run_values = [line for line in s["Registry"] if "Tasks: startatlogin" in line]
    assert len(run_values) == 1
    assert f'Subkey: "{autostart.RUN_KEY}"' in run_values[0]
    assert f'ValueName: "{autostart.VALUE_NAME}"' in run_values[0]
    # Nothing under the user's data folders is deleted on uninstall.
    assert "UninstallDelete" not in s
    assert not any("localappdata" in line.lower() for lines in s.values() for line in lines)


def test_the_spec_bundles_for_every_platform_from_one_file() -> None:
    spec = (INSTALLER / "punchclock.spec").read_text("utf-8")
    assert 'VERSION = tomllib.loads((ROOT / "pyproject.toml")' in spec
    assert '"LSUIElement"' not in spec and "Info.plist" in spec
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "installers.yml").read_text())
    for job in ("windows", "macos"):
        steps = " ".join(str(step.get("run", "")) for step in workflow["jobs"][job]["steps"])
        assert "pyinstaller --noconfirm" in steps and "installer/punchclock.spec" in steps
    assert "make installer-test" in str(workflow["jobs"]["linux"]["steps"])


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="desktop-file-validate missing (Debian: desktop-file-utils)")
def test_desktop_entries_validate(tmp_path: Path) -> None:
    entry = tmp_path / "punchclock.desktop"
    entry.write_text(build_deb.autostart_entry(), encoding="utf-8")
    for path in (ROOT / "resources" / "punchclock.desktop", entry):
        done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True,
                              text=True)
        assert (done.returncode, done.stdout) == (0, ""), done.stdout


def test_the_autostart_entry_starts_the_installed_app_and_only_while_installed() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.read_string(build_deb.autostart_entry())
    d = entry["Desktop Entry"]
    assert (d["Exec"], d["TryExec"], d["NoDisplay"]) == (
        "/usr/bin/punchclock", "/usr/bin/punchclock", "true")
