"""The Reports window: the Utilization dashboard for everyone (technicians:
their own figures), the Profitability view for managers and admins."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop.core import permissions
from desktop.ui.state import TrackerState
from desktop.ui.windows.reports.profitability import ProfitabilityView
from desktop.ui.windows.reports.utilization import UtilizationView


class ReportsWindow(QWidget):
    def __init__(self, state: TrackerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reports — Punchclock")
        profile = state.snapshot.profile
        self.tabs = QTabWidget()
        self.utilization = UtilizationView(state)
        self.tabs.addTab(self.utilization, "&Utilization")
        self.profitability: ProfitabilityView | None = None
        if profile is not None and permissions.can_see_profitability(profile):
            self.profitability = ProfitabilityView(state)
            self.tabs.addTab(self.profitability, "&Profitability")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.resize(1150, 760)
        self.utilization.reload()
        if self.profitability is not None:
            self.profitability.reload()
