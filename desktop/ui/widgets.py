"""Small widgets the windows share."""

from __future__ import annotations

from typing import TypeVar

import shiboken6
from PySide6.QtCore import QAbstractItemModel, QDate, QObject, QSettings, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QWidget,
)

D = TypeVar("D", bound=QDialog)


class ErrorLabel(QLabel):
    """The inline one-line message a dialog shows for a refused input.

    ``reserve``: the line keeps its space while empty, so the rows around it
    don't jump when a message appears."""

    def __init__(self, parent: QWidget | None = None, *, reserve: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("error")
        self.setWordWrap(True)
        self.setStyleSheet("color: #b3261e;")
        if reserve:
            policy = self.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            self.setSizePolicy(policy)
            self.setMinimumHeight(self.fontMetrics().lineSpacing())
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.setText("")
        self.hide()


class ElidedLabel(QLabel):
    """A one-line label that elides its text to the width it has; the full
    text is its tooltip (``full_text``)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_text = ""
        self.setMinimumWidth(40)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.contentsRect().width(), self.minimumWidth())
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight,
                                                   width))


class DayEdit(QDateEdit):
    """A date field that shows the weekday and date and steps by days: Up/Down
    (and the wheel) move one day whichever section the cursor is in, so one
    key can never jump a week or a month."""

    def __init__(self, day: QDate, parent: QWidget | None = None) -> None:
        super().__init__(day, parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("ddd d MMM yyyy")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def stepBy(self, steps: int) -> None:
        self.setDate(self.date().addDays(steps))

    def stepEnabled(self) -> QDateEdit.StepEnabledFlag:
        return QDateEdit.StepEnabledFlag.StepUpEnabled | QDateEdit.StepEnabledFlag.StepDownEnabled


def clock_text(seconds: int) -> str:
    """Elapsed time for the live clock: H:MM:SS."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def alive(widget: QObject) -> bool:
    """Whether the C++ side of ``widget`` still exists: a job's answer may come
    back after its window was deleted, and must then be dropped."""
    return bool(shiboken6.isValid(widget))


def show_failure(window: QObject, label: ErrorLabel, exc: BaseException) -> None:
    """A job of ``window`` failed: a known error goes to its inline ``label``;
    anything else is a bug and is raised (to the excepthook). Nothing happens
    when the window is gone."""
    from desktop.core.errors import PunchclockError

    if not alive(window):
        return
    if not isinstance(exc, PunchclockError):
        raise exc
    label.show_message(exc.message)


def restore_size(window: QWidget, key: str) -> None:
    """Give a window the size and place it had when last closed (``save_size``)."""
    from desktop.core.paths import APP_NAME

    geometry = QSettings(APP_NAME, "windows").value(f"{key}/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)


def save_size(window: QWidget, key: str) -> None:
    from desktop.core.paths import APP_NAME

    QSettings(APP_NAME, "windows").setValue(f"{key}/geometry", window.saveGeometry())


def show_dialog(dialog: D) -> D:
    """Show a modeless dialog of a window at its size hint; it is deleted on close."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.resize(dialog.sizeHint())
    dialog.show()
    return dialog


def data_table(
    model: QAbstractItemModel,
    *,
    multi: bool = False,
    stretch: int | None = None,
    sortable: bool = False,
) -> QTableView:
    """A read-only table of rows: whole rows selected (several with ``multi``),
    long text elided (the models give the full text as a tooltip), columns sized
    from the first rows' contents, ``stretch`` (else the last) taking the rest."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if multi
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.setSortingEnabled(sortable)
    header = view.horizontalHeader()
    header.setResizeContentsPrecision(40)  # size columns from the first 40 rows, not all
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(stretch is None)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view
