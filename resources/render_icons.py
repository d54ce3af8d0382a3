"""Render resources/icons/*.svg to the PNG sizes the tray uses (run after editing an SVG).

    QT_QPA_PLATFORM=offscreen .venv/bin/python resources/render_icons.py

With ``--app-icons DIR`` it renders the application icon for installers instead:
``DIR/hicolor/<n>x<n>/apps/punchclock.png`` (16–512 px) and the scalable SVG for
the .deb, ``DIR/punchclock.ico`` for Windows and ``DIR/punchclock.icns`` for macOS.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from desktop.ui.tray.icon import ICON_DIR, IDLE, SIZES, png_path

HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(svg))
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def save(image: QImage, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out)):
        raise SystemExit(f"could not write {out}")
    print(out)


def app_icons(out: Path) -> None:
    svg = ICON_DIR / f"{IDLE}.svg"
    for size in HICOLOR_SIZES:
        save(render(svg, size), out / "hicolor" / f"{size}x{size}" / "apps" / "punchclock.png")
    scalable = out / "hicolor" / "scalable" / "apps" / "punchclock.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable)
    save(render(svg, 256), out / "punchclock.ico")
    save(render(svg, 512), out / "punchclock.icns")


def main() -> int:
    QGuiApplication(sys.argv)
    if len(sys.argv) == 3 and sys.argv[1] == "--app-icons":
        app_icons(Path(sys.argv[2]))
        return 0
    for svg in sorted(ICON_DIR.glob("*.svg")):
        for size in SIZES:
            save(render(svg, size), png_path(svg.stem, size))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
