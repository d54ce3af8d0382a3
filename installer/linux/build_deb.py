"""Wrap the PyInstaller bundle in a .deb with dpkg-deb (no debhelper, no root).

    python installer/linux/build_deb.py dist/punchclock build/icons dist [--version V]

Layout: the bundle in /opt/punchclock, /usr/bin/punchclock a symlink to it, the
menu entry and hicolor icons under /usr/share, and /etc/xdg/autostart/punchclock.desktop
so the tray starts at every user's login (a user turns it off in Settings, which
writes a ``Hidden=true`` override; see desktop/ui/platform/autostart.py). Icon
and menu caches are refreshed by dpkg's triggers, so there are no maintainer
scripts. Depends lists the packages providing the system libraries the bundle
links but PyInstaller leaves out (libc, GL/EGL, xcb, wayland), found with
``ldd`` and ``dpkg -S`` on the build machine. Prints the .deb's path.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAINTAINER = "Punchclock <support@punchclock.invalid>"
DESKTOP_ENTRY = ROOT / "resources" / "punchclock.desktop"
# Linked by Qt's Wayland plugin; absent on a build machine without Wayland.
KNOWN_PACKAGES = {
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
}
DESCRIPTION = """\
Time tracker for MSP technicians, in the system tray
 Punchclock tracks time for customers, projects and tickets from the system
 tray: a timer, weekly timesheets with submit and approval, and utilization.
 Works offline and syncs with a Punchclock server when one is configured.
"""


def project_version() -> str:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return str(data["project"]["version"])


def architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()


def system_libraries(bundle: Path) -> tuple[set[Path], set[str]]:
    """Libraries the bundle's ELF files load from the system, and names not found."""
    internal = bundle / "_internal"
    env = {**os.environ, "LD_LIBRARY_PATH": f"{internal}:{internal / 'PySide6/Qt/lib'}"}
    found: set[Path] = set()
    missing: set[str] = set()
    for path in [bundle / "punchclock", *internal.rglob("*.so*")]:
        if not path.is_file() or path.is_symlink():
            continue
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
        for name, target in re.findall(r"^\s*(\S+) => (\S+)", out, re.M):
            if target == "not":
                missing.add(name)
            elif not Path(target).resolve().is_relative_to(bundle.resolve()):
                found.add(Path(target))
    return found, missing


def owning_packages(libs: set[Path]) -> dict[Path, str]:
    """Which package ships each library (one ``dpkg -S`` for all: it is slow)."""
    candidates: dict[str, Path] = {}
    for lib in libs:
        for p in (lib, lib.resolve()):  # dpkg records /usr/lib or /lib, as the package ships it
            s = str(p)
            other = s.removeprefix("/usr") if s.startswith("/usr/") else "/usr" + s
            candidates[s] = candidates[other] = lib
    out = subprocess.run(["dpkg", "-S", *candidates], capture_output=True, text=True).stdout
    owners: dict[Path, str] = {}
    for line in out.splitlines():
        package, _, path = line.partition(": ")
        if path in candidates:
            owners[candidates[path]] = package.split(":")[0].strip()
    return owners


def depends(bundle: Path) -> list[str]:
    found, missing = system_libraries(bundle)
    owners = owning_packages(found)
    for lib in sorted(found - owners.keys()):
        print(f"warning: no package owns {lib}", file=sys.stderr)
    packages = {"libc6", *owners.values(), *KNOWN_PACKAGES.values()}
    for name in sorted(missing - KNOWN_PACKAGES.keys()):
        print(f"warning: {name} is linked but not found on this machine", file=sys.stderr)
    return sorted(packages)


def autostart_entry() -> str:
    """The menu entry, started at login; TryExec skips it once the package is removed
    (the file is a conffile, so dpkg keeps it until purge)."""
    text = DESKTOP_ENTRY.read_text("utf-8")
    text = text.replace("Exec=punchclock", "Exec=/usr/bin/punchclock\nTryExec=/usr/bin/punchclock")
    return text.rstrip("\n") + "\nNoDisplay=true\nX-GNOME-Autostart-enabled=true\n"


def validate(*entries: Path) -> None:
    if shutil.which("desktop-file-validate") is None:
        raise SystemExit("desktop-file-validate not found (Debian: desktop-file-utils)")
    for entry in entries:
        done = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True,
                              text=True)
        if done.returncode != 0 or done.stdout.strip():
            raise SystemExit(f"desktop-file-validate {entry}:\n{done.stdout}{done.stderr}")


def build(bundle: Path, icons: Path, out: Path, version: str, compression: str = "xz") -> Path:
    arch = architecture()
    stage = ROOT / "build" / "deb" / f"punchclock_{version}_{arch}"
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(bundle, stage / "opt" / "punchclock", symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    (stage / "usr" / "bin" / "punchclock").symlink_to("/opt/punchclock/punchclock")
    apps = stage / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    shutil.copyfile(DESKTOP_ENTRY, apps / "punchclock.desktop")
    shutil.copytree(icons / "hicolor", stage / "usr" / "share" / "icons" / "hicolor")
    autostart = stage / "etc" / "xdg" / "autostart"
    autostart.mkdir(parents=True)
    (autostart / "punchclock.desktop").write_text(autostart_entry(), encoding="utf-8")
    doc = stage / "usr" / "share" / "doc" / "punchclock"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: punchclock\n\nFiles: *\nCopyright: 2026 Punchclock\n"
        "License: proprietary\n All rights reserved.\n", encoding="utf-8")
    stamp = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    with gzip.GzipFile(doc / "changelog.gz", "wb", mtime=0) as fh:
        fh.write(f"punchclock ({version}) stable; urgency=medium\n\n"
                 "  * Release built from the Punchclock repository.\n\n"
                 f" -- {MAINTAINER}  {stamp}\n".encode())
    for path in stage.rglob("*"):  # dpkg-deb keeps modes: 0755 dirs and programs, else 0644
        if path.is_dir():
            path.chmod(0o755)
        elif path.is_file() and not path.is_symlink():
            program = os.access(path, os.X_OK) and ".so" not in path.name and path.suffix != ".py"
            path.chmod(0o755 if program else 0o644)
    size_kb = sum(p.lstat().st_size for p in stage.rglob("*") if not p.is_dir()) // 1024
    control = stage / "DEBIAN"
    control.mkdir()
    (control / "control").write_text(
        f"Package: punchclock\nVersion: {version}\nArchitecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {size_kb}\nDepends: {', '.join(depends(bundle))}\n"
        "Section: utils\nPriority: optional\n"
        f"Description: {DESCRIPTION}", encoding="utf-8")
    (control / "conffiles").write_text("/etc/xdg/autostart/punchclock.desktop\n",
                                       encoding="utf-8")
    validate(apps / "punchclock.desktop", autostart / "punchclock.desktop")
    out.mkdir(parents=True, exist_ok=True)
    deb = out / f"punchclock_{version}_{arch}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build", str(stage),
                    str(deb)],
                   check=True, stdout=subprocess.DEVNULL)
    return deb


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("bundle", type=Path, help="the PyInstaller folder (dist/punchclock)")
    p.add_argument("icons", type=Path, help="render_icons.py --app-icons output")
    p.add_argument("out", type=Path, help="folder for the .deb")
    p.add_argument("--version", default=project_version(), help="default: pyproject.toml")
    p.add_argument("--compression", default="xz", choices=("xz", "gzip", "none"),
                   help="xz: the smallest .deb (default); none: fast, for tests")
    args = p.parse_args()
    print(build(args.bundle, args.icons, args.out, args.version, args.compression))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
