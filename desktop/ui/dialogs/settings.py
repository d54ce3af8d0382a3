"""Settings: profile, reminders, idle detection, start at login, data file, the
global shortcut (or why this desktop can't give one) —
and, with a :class:`~desktop.ui.sync_link.SyncLink`, the Sync tab (login).

Profile changes go to the user row (and its outbox); device settings to the
local preference table. Everything is validated by the core; a refused value
is shown inline and nothing is saved.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.app import Punchclock
from desktop.core.errors import PunchclockError
from desktop.core.services.preferences import Settings, validate
from desktop.ui.platform import autostart
from desktop.ui.state import TrackerState
from desktop.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from desktop.ui.dialogs.sync_settings import SyncTab
    from desktop.ui.sync_link import SyncLink

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def timezone_box(current: str) -> QComboBox:
    box = QComboBox()
    box.setEditable(True)
    box.addItems(sorted(zoneinfo.available_timezones()))
    box.setCurrentText(current)
    return box


class SettingsDialog(QDialog):
    def __init__(self, state: TrackerState, idle_source_name: str | None,
                 parent: QWidget | None = None, *, sync: SyncLink | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings — Punchclock")
        self.state = state
        app = state.app
        self.settings = app.preferences.settings()
        self.profile = app.directory.profile()
        self.error = ErrorLabel()
        tabs = QTabWidget()
        tabs.addTab(self._profile_tab(), "&Profile")
        tabs.addTab(self._reminders_tab(), "&Reminders")
        tabs.addTab(self._tracking_tab(idle_source_name), "&Idle")
        tabs.addTab(self._general_tab(app), "&General")
        self.sync_tab: SyncTab | None = None
        if sync is not None:
            from desktop.ui.dialogs.sync_settings import SyncTab as Tab

            self.sync_tab = Tab(sync)
            tabs.addTab(self.sync_tab, "S&ync")
        self.tabs = tabs
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    # ---------------------------------------------------------------- tabs

    def _profile_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        p = self.profile
        self.name = QLineEdit(p.name if p else "")
        self.email = QLabel(p.email if p else "")
        self.hours: list[QDoubleSpinBox] = []
        grid = QGridLayout()
        schedule = p.work_schedule_s if p else (8 * 3600,) * 5 + (0, 0)
        for i, day in enumerate(WEEKDAYS):
            spin = QDoubleSpinBox()
            spin.setRange(0, 24)
            spin.setSingleStep(0.5)
            spin.setDecimals(2)
            spin.setSuffix(" h")
            spin.setValue(schedule[i] / 3600)
            self.hours.append(spin)
            grid.addWidget(QLabel(day[:3]), 0, i)
            grid.addWidget(spin, 1, i)
        self.target = QSpinBox()
        self.target.setRange(0, 200)
        self.target.setSuffix(" %")
        self.target.setValue(p.utilization_target if p else 75)
        self.timezone = timezone_box(p.timezone if p else "UTC")
        self.first_weekday = QComboBox()
        self.first_weekday.addItems(WEEKDAYS)
        self.first_weekday.setCurrentIndex(p.first_weekday if p else 0)
        form.addRow("&Name", self.name)
        form.addRow("Email", self.email)
        form.addRow("Work hours", grid)
        form.addRow("Utilization &target", self.target)
        form.addRow("Time&zone", self.timezone)
        form.addRow("&Week starts on", self.first_weekday)
        return page

    def _reminders_tab(self) -> QWidget:
        s = self.settings
        page = QWidget()
        form = QFormLayout(page)
        self.workday_start = QLineEdit(s.workday_start)
        self.workday_end = QLineEdit(s.workday_end)
        window = QHBoxLayout()
        window.addWidget(self.workday_start)
        window.addWidget(QLabel("to"))
        window.addWidget(self.workday_end)
        self.remind_not_tracking = QCheckBox("Not tracking for")
        self.remind_not_tracking.setChecked(s.remind_not_tracking)
        self.not_tracking_min = QSpinBox()
        self.not_tracking_min.setRange(1, 480)
        self.not_tracking_min.setSuffix(" min")
        self.not_tracking_min.setValue(s.not_tracking_min)
        self.remind_long_timer = QCheckBox("A timer runs longer than")
        self.remind_long_timer.setChecked(s.remind_long_timer)
        self.long_timer_h = QSpinBox()
        self.long_timer_h.setRange(1, 24)
        self.long_timer_h.setSuffix(" h")
        self.long_timer_h.setValue(s.long_timer_h)
        self.remind_end_of_day = QCheckBox("End of the working day: hours logged vs planned")
        self.remind_end_of_day.setChecked(s.remind_end_of_day)
        self.remind_end_of_week = QCheckBox("Submit the week on")
        self.remind_end_of_week.setChecked(s.remind_end_of_week)
        self.end_of_week_day = QComboBox()
        self.end_of_week_day.addItems(WEEKDAYS)
        self.end_of_week_day.setCurrentIndex(s.end_of_week_weekday)
        self.end_of_week_time = QLineEdit(s.end_of_week_time)
        week = QHBoxLayout()
        week.addWidget(self.end_of_week_day)
        week.addWidget(QLabel("at"))
        week.addWidget(self.end_of_week_time)
        form.addRow("Working day", window)
        form.addRow(self.remind_not_tracking, self.not_tracking_min)
        form.addRow(self.remind_long_timer, self.long_timer_h)
        form.addRow(self.remind_end_of_day)
        form.addRow(self.remind_end_of_week, week)
        return page

    def _tracking_tab(self, idle_source_name: str | None) -> QWidget:
        s = self.settings
        page = QWidget()
        form = QFormLayout(page)
        self.idle_detection = QCheckBox("Ask what to do with time spent away")
        self.idle_detection.setChecked(s.idle_detection)
        self.idle_threshold = QSpinBox()
        self.idle_threshold.setRange(1, 240)
        self.idle_threshold.setSuffix(" min")
        self.idle_threshold.setValue(s.idle_threshold_min)
        if idle_source_name:
            source = f"Idle time is read from the {idle_source_name}."
        else:
            source = ("No idle source works on this desktop (no X11 screensaver extension, "
                      "no GNOME or freedesktop idle monitor): only sleep and suspend "
                      "are detected.")
        self.idle_source = QLabel(source)
        self.idle_source.setWordWrap(True)
        form.addRow(self.idle_detection)
        form.addRow("Away after", self.idle_threshold)
        form.addRow(self.idle_source)
        return page

    def _general_tab(self, app: Punchclock) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.start_at_login = QCheckBox("Start Punchclock when I log in")
        self.start_at_login.setChecked(self.settings.start_at_login or autostart.is_enabled())
        path = app.db.path
        self.data_file = QLineEdit(str(path))
        self.data_file.setReadOnly(True)
        open_folder = QPushButton("Open folder")
        open_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))))
        row = QHBoxLayout()
        row.addWidget(self.data_file, 1)
        row.addWidget(open_folder)
        form.addRow(self.start_at_login)
        form.addRow("Data file", row)
        self.import_button = QPushButton("Import from another tracker…")
        self.import_button.clicked.connect(self.open_import)
        form.addRow("Import", self.import_button)
        self._shortcut_rows(form)
        return page

    def _shortcut_rows(self, form: QFormLayout) -> None:
        """The global shortcut: on/off and its keys, or why this desktop can't."""
        from desktop.ui.platform.hotkey import unavailable_reason

        s = self.settings
        self.global_shortcut = QCheckBox("Open the timer popup with a system-wide key")
        self.global_shortcut.setChecked(s.global_shortcut)
        self.shortcut_keys = QKeySequenceEdit(QKeySequence(s.global_shortcut_keys))
        self.shortcut_keys.setMaximumSequenceLength(1)
        self.shortcut_keys.setClearButtonEnabled(True)
        why = unavailable_reason()
        self.shortcut_note = QLabel(why or "Works in every application while Punchclock runs.")
        self.shortcut_note.setWordWrap(True)
        if why is not None:
            self.global_shortcut.setEnabled(False)
            self.shortcut_keys.setEnabled(False)
        form.addRow(self.global_shortcut)
        form.addRow("&Shortcut", self.shortcut_keys)
        form.addRow(self.shortcut_note)

    def open_import(self) -> None:
        from desktop.ui.dialogs.import_file import ImportDialog

        ImportDialog(self.state, self).exec()

    # ---------------------------------------------------------------- save

    def values(self) -> tuple[Settings, dict[str, Any]]:
        settings = replace(
            self.settings,
            idle_detection=self.idle_detection.isChecked(),
            idle_threshold_min=self.idle_threshold.value(),
            start_at_login=self.start_at_login.isChecked(),
            workday_start=self.workday_start.text(),
            workday_end=self.workday_end.text(),
            remind_not_tracking=self.remind_not_tracking.isChecked(),
            not_tracking_min=self.not_tracking_min.value(),
            remind_long_timer=self.remind_long_timer.isChecked(),
            long_timer_h=self.long_timer_h.value(),
            remind_end_of_day=self.remind_end_of_day.isChecked(),
            remind_end_of_week=self.remind_end_of_week.isChecked(),
            end_of_week_weekday=self.end_of_week_day.currentIndex(),
            end_of_week_time=self.end_of_week_time.text(),
            global_shortcut=self.global_shortcut.isChecked(),
            global_shortcut_keys=self.shortcut_keys.keySequence().toString(
                QKeySequence.SequenceFormat.PortableText) or self.settings.global_shortcut_keys,
        )
        profile = {
            "name": self.name.text(),
            "work_schedule_s": tuple(round(s.value() * 3600) for s in self.hours),
            "utilization_target": self.target.value(),
            "timezone": self.timezone.currentText(),
            "first_weekday": self.first_weekday.currentIndex(),
        }
        return settings, profile

    def save(self) -> None:
        self.error.clear_message()
        settings, profile = self.values()
        has_profile = self.profile is not None

        def apply(app: Punchclock) -> Settings:
            validate(settings)  # refuse before anything is written
            if has_profile:
                app.preferences.update_profile(None, **profile)
            saved = app.preferences.save_settings(settings)
            try:
                autostart.set_enabled(saved.start_at_login)
            except OSError as exc:
                raise PunchclockError(f"can't change start at login: {exc}") from exc
            return saved

        self.save_button.setEnabled(False)
        self.state.run(apply, on_done=self._saved, on_error=self._refused)

    def _saved(self, saved: Settings) -> None:
        self.settings = saved
        self.accept()

    def _refused(self, exc: PunchclockError) -> None:
        self.save_button.setEnabled(True)
        self.error.show_message(exc.message)
