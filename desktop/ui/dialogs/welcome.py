"""First run: create the profile (name, email, hours per day, timezone) or load
the demo company. Refusals from the core are shown inline."""

from __future__ import annotations

from PySide6.QtCore import QTimeZone
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto
from desktop.core.app import Punchclock
from desktop.core.durations import parse_duration
from desktop.core.errors import PunchclockError
from desktop.ui.dialogs.settings import timezone_box
from desktop.ui.state import TrackerState
from desktop.ui.widgets import ErrorLabel


def local_timezone() -> str:
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode() or "UTC"
    return name if "/" in name or name == "UTC" else "UTC"


class WelcomeDialog(QDialog):
    def __init__(self, state: TrackerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Punchclock")
        self.state = state
        self.profile: dto.User | None = None
        intro = QLabel("<b>Welcome!</b> Tell Punchclock who is tracking time on this "
                       "computer. Everything stays in a local file until you connect a "
                       "server.")
        intro.setWordWrap(True)
        self.name = QLineEdit(placeholderText="Alex Doe")
        self.email = QLineEdit(placeholderText="alex@example.com")
        self.hours = QLineEdit("8")
        self.hours.setPlaceholderText("8, 7.5 or 7:30")
        self.timezone = timezone_box(local_timezone())
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&Email", self.email)
        form.addRow("&Hours per day", self.hours)
        form.addRow("&Timezone", self.timezone)
        self.error = ErrorLabel(reserve=True)  # the rows don't jump when it shows
        buttons = QDialogButtonBox()
        self.start_button = buttons.addButton("&Start tracking",
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        self.demo_button: QPushButton = buttons.addButton(
            "Load &demo data", QDialogButtonBox.ButtonRole.ActionRole)
        self.demo_button.setToolTip("A sample MSP with customers, tickets and six weeks of "
                                    "time; you track as one of its technicians")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.create_profile)
        self.demo_button.clicked.connect(self.load_demo)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def create_profile(self) -> None:
        self.error.clear_message()
        try:
            hours_s = parse_duration(self.hours.text())
        except PunchclockError as exc:
            self.error.show_message(f"hours per day: {exc.message}")
            return
        name, email, tz = self.name.text(), self.email.text(), self.timezone.currentText()
        self._busy(True)
        self.state.run(lambda a: a.directory.init_profile(
            name=name, email=email, timezone=tz, hours_per_day_s=hours_s),
            on_done=self._done, on_error=self._refused)

    def load_demo(self) -> None:
        self.error.clear_message()
        self._busy(True)

        def demo(app: Punchclock) -> dto.User | None:
            from desktop.core.demo import load_demo

            load_demo(app, technicians=6, weeks=6, seed=1)
            return app.directory.profile()

        self.state.run(demo, on_done=self._done, on_error=self._refused)

    def _done(self, profile: dto.User | None) -> None:
        self.profile = profile
        self.accept()

    def _refused(self, exc: PunchclockError) -> None:
        self._busy(False)
        self.error.show_message(exc.message)

    def _busy(self, busy: bool) -> None:
        self.start_button.setEnabled(not busy)
        self.demo_button.setEnabled(not busy)
