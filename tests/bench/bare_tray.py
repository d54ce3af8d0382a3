"""The floor: a bare PySide6 app that shows one tray icon and does nothing else."""

from __future__ import annotations

import sys

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

app = QApplication(["bare-tray"])
icon = QSystemTrayIcon(QIcon(sys.argv[1]))
icon.show()
sys.exit(app.exec())
