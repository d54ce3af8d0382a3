"""Small widgets the windows share."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QWidget

D = TypeVar("D", bound=QDialog)


class ErrorLabel(QLabel):
    """The inline one-line message a dialog shows for a refused input."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("error")
        self.setWordWrap(True)
        self.setStyleSheet("color: #b3261e;")
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.setText("")
        self.hide()


def clock_text(seconds: int) -> str:
    """Elapsed time for the live clock: H:MM:SS."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def show_dialog(dialog: D) -> D:
    """Show a modeless dialog of a window at its size hint; it is deleted on close."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.resize(dialog.sizeHint())
    dialog.show()
    return dialog
