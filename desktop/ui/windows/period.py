"""The period a report or an export covers: this week, last week, this or
last month, this quarter, or custom dates (inclusive). Weeks start on the
user's first weekday; months and quarters are the core's
(:func:`~desktop.core.timeutil.month_bounds`, :func:`~desktop.core.timeutil.quarter_bounds`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QWidget

from desktop.core.timeutil import month_bounds, quarter_bounds, week_start
from desktop.ui.qtcompat import emit

CUSTOM = "custom"


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _month(d: date) -> tuple[date, date]:
    return month_bounds(f"{d.year}-{d.month:02d}")


def choices(
    today: date, first_weekday: int
) -> list[tuple[str, str, Callable[[], tuple[date, date]]]]:
    monday = week_start(today, first_weekday)
    last_month_day = _month(today)[0] - timedelta(days=1)
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    return [
        ("this-week", "This week", lambda: (monday, monday + timedelta(days=6))),
        (
            "last-week",
            "Last week",
            lambda: (monday - timedelta(days=7), monday - timedelta(days=1)),
        ),
        ("this-month", "This month", lambda: _month(today)),
        ("last-month", "Last month", lambda: _month(last_month_day)),
        ("this-quarter", "This quarter", lambda: quarter_bounds(quarter)),
    ]


class PeriodPicker(QWidget):
    changed = Signal()

    def __init__(
        self,
        today: date,
        first_weekday: int = 0,
        default: str = "this-week",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._choices = choices(today, first_weekday)
        self.combo = QComboBox()
        for key, label, _ in self._choices:
            self.combo.addItem(label, key)
        self.combo.addItem("Custom…", CUSTOM)
        start, end = self._choices[0][2]()
        self.start = QDateEdit(_qdate(start))
        self.end = QDateEdit(_qdate(end))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(self._dates_changed)
        self.to_label = QLabel("to")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.start)
        layout.addWidget(self.to_label)
        layout.addWidget(self.end)
        self.combo.currentIndexChanged.connect(self._picked)
        self.select(default)
        self._picked()

    def select(self, key: str) -> None:
        index = self.combo.findData(key)
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def set_custom(self, start: date, end: date) -> None:
        self.blockSignals(True)
        self.select(CUSTOM)
        self.start.setDate(_qdate(start))
        self.end.setDate(_qdate(end))
        self.blockSignals(False)
        emit(self.changed)

    def _picked(self) -> None:
        key = self.combo.currentData()
        custom = key == CUSTOM
        for w in (self.start, self.end, self.to_label):
            w.setVisible(custom)
        if not custom:
            fn = next(f for k, _, f in self._choices if k == key)
            start, end = fn()
            for edit, d in ((self.start, start), (self.end, end)):
                edit.blockSignals(True)
                edit.setDate(_qdate(d))
                edit.blockSignals(False)
        emit(self.changed)

    def _dates_changed(self) -> None:
        if self.combo.currentData() == CUSTOM:
            emit(self.changed)

    def period(self) -> tuple[date, date]:
        a, b = self.start.date(), self.end.date()
        return date(a.year(), a.month(), a.day()), date(b.year(), b.month(), b.day())
