"""The tray's idle and running icons.

SVG sources live in ``resources/icons``; ``resources/render_icons.py`` renders the
PNG sizes next to them. A QIcon gets every PNG size (pixel-exact at 16–64 px)
plus the SVG for any other size or HiDPI scale.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

# From source, the repository's resources/; in a PyInstaller bundle, its copy there.
RESOURCES = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[3])) / "resources"
ICON_DIR = RESOURCES / "icons"
SIZES = (16, 22, 24, 32, 48, 64)
IDLE = "punchclock-idle"
RUNNING = "punchclock-running"


def png_path(name: str, size: int) -> Path:
    return ICON_DIR / f"{name}-{size}.png"


@cache
def icon(name: str) -> QIcon:
    result = QIcon()
    for size in SIZES:
        png = png_path(name, size)
        if png.exists():
            result.addFile(str(png))
    svg = ICON_DIR / f"{name}.svg"
    if svg.exists():
        result.addFile(str(svg))
    return result


def tray_icon(running: bool) -> QIcon:
    return icon(RUNNING if running else IDLE)
