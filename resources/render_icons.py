"""Render resources/icons/*.svg to the PNG sizes the tray uses (run after editing an SVG).

    QT_QPA_PLATFORM=offscreen .venv/bin/python resources/render_icons.py
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from desktop.ui.tray.icon import ICON_DIR, SIZES, png_path


def main() -> int:
    QGuiApplication(sys.argv)
    for svg in sorted(ICON_DIR.glob("*.svg")):
        renderer = QSvgRenderer(str(svg))
        for size in SIZES:
            image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter)
            painter.end()
            out = png_path(svg.stem, size)
            image.save(str(out))
            print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
