"""The .deb, installed with apt on this machine: the installed app starts in a real
tray, the installed CLI drives it, an upgrade migrates the user's database and
removing the package leaves that database alone.

Builds with ``make installer`` (about a minute); needs root and apt, so it skips
elsewhere. ``make installer-test`` runs only this and the installer file checks.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.tray, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
NEWER = f"{VERSION}+upgradetest1"
INSTALLED = "/usr/bin/punchclock"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
# A revision only the "newer" build carries, so installing it over the older one must
# migrate the user's database (the id sorts after whatever the real head is).
NEXT_MIGRATION = '''"""installer upgrade test"""
from alembic import op

revision = "zz_installer_upgrade_test"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE TABLE installer_upgrade_probe (id INTEGER PRIMARY KEY)")


def downgrade() -> None:
    op.execute("DROP TABLE installer_upgrade_probe")
'''


def run(*cmd: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)
    assert done.returncode == 0, f"{' '.join(cmd)}:\n{done.stdout}\n{done.stderr}"
    return done


def apt(*args: str) -> None:
    run("apt-get", "-y", "-qq", "--no-install-recommends", "-o", "Dpkg::Use-Pty=0", *args,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def package_version() -> str | None:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status} ${Version}", "punchclock"],
                          capture_output=True, text=True)
    words = done.stdout.split()
    return words[-1] if done.returncode == 0 and "installed" in words[:3] else None


@pytest.fixture(scope="module")
def debs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the .deb `make installer` builds, a newer one with one more migration)."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        pytest.skip("installing the .deb needs root and apt (Debian/Ubuntu)")
    if package_version() is not None:
        pytest.skip("a punchclock package is installed already; not touching it")
    run("make", "installer", cwd=ROOT)
    arch = run("dpkg", "--print-architecture").stdout.strip()
    deb = ROOT / "dist" / f"punchclock_{VERSION}_{arch}.deb"
    portable = ROOT / "dist" / f"punchclock-{VERSION}-linux-{os.uname().machine}.tar.gz"
    with tarfile.open(portable) as tar:
        assert "punchclock/punchclock" in tar.getnames()
    from desktop.core.migrate import head_revision

    newer_bundle = tmp_path_factory.mktemp("newer") / "punchclock"
    shutil.copytree(ROOT / "dist" / "punchclock", newer_bundle, symlinks=True)
    versions = newer_bundle / "_internal" / "desktop" / "core" / "migrations" / "versions"
    (versions / "zz_installer_upgrade_test.py").write_text(
        NEXT_MIGRATION.format(head=head_revision()), encoding="utf-8")
    out = newer_bundle.parent / "deb"
    newer = Path(run(sys.executable, "installer/linux/build_deb.py", str(newer_bundle),
                     "build/icons", str(out), "--version", NEWER, "--compression", "none",
                     cwd=ROOT).stdout.strip())
    try:
        yield deb, newer
    finally:
        if package_version() is not None:
            apt("purge", "punchclock")


def alembic_revision(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def test_install_run_upgrade_and_remove_the_deb(debs: tuple[Path, Path],
                                                tray_process: Callable[..., Any],
                                                tmp_path: Path) -> None:
    deb, newer = debs
    apt("install", str(deb))
    assert run(INSTALLED, "--version").stdout.strip() == f"punchclock {VERSION}"
    assert package_version() == VERSION
    for entry in ("/usr/share/applications/punchclock.desktop",
                  "/etc/xdg/autostart/punchclock.desktop"):
        assert run("desktop-file-validate", entry).stdout == ""
    for size in ICON_SIZES:
        assert Path(f"/usr/share/icons/hicolor/{size}x{size}/apps/punchclock.png").is_file()

    # The user's folders: the installed app's defaults under this test's home.
    tray = tray_process([INSTALLED])
    tray.env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "share"))
    tray.data = tmp_path / "share" / "Punchclock"
    tray.cli("init", "--name", "Ann Tech", "--email", "ann@example.com", "--timezone",
             "Europe/Berlin")
    tray.cli("customer", "add", "Globex")
    tray.start()
    x, y, w, h = tray.icon_geometry()
    tray.wait_log("tray icon shown")
    shot = tray.x.screenshot("installed-tray-icon.png", crop=f"{w}x{h}+{x}+{y}")
    colours = int(run("identify", "-format", "%k", str(shot)).stdout)
    assert colours > 8, "the docked icon is blank: the bundle did not find its icons"

    mark = len(tray.log_text())
    tray.cli("start", "--customer", "Globex")
    tray.wait_log("timer: ", timeout=2.0, after=mark)
    assert "Globex since" in tray.log_text()[mark:]
    tray.kill()
    # No --data-dir: the installed CLI finds the same database in the user's data folder.
    status = json.loads(run(INSTALLED, "--json", "status", env=tray.env).stdout)
    assert status["running"] and status["entry"]["customer"] == "Globex"
    db = tray.data / "punchclock.sqlite3"
    before = alembic_revision(db)
    # It wrote nothing into the installed folder (no __pycache__ for the migrations).
    packaged = set(run("dpkg", "-L", "punchclock").stdout.splitlines())  # names may hold spaces
    stray = [str(p) for p in Path("/opt/punchclock").rglob("*") if str(p) not in packaged]
    assert stray == []

    apt("install", str(newer))
    assert package_version() == NEWER
    status = json.loads(run(INSTALLED, "--json", "status", env=tray.env).stdout)
    assert status["running"] and status["entry"]["customer"] == "Globex"
    assert (before, alembic_revision(db)) == (before, "zz_installer_upgrade_test")

    apt("remove", "punchclock")
    assert not Path(INSTALLED).exists() and not Path("/opt/punchclock").exists()
    assert db.is_file() and alembic_revision(db) == "zz_installer_upgrade_test"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM customer").fetchone()[0] >= 1
