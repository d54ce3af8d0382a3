"""The Export dialog (admins): period, format (CSV, QuickBooks IIF, QuickBooks
Online JSON, Xero CSV), grouping (per entry / per task), mark as exported;
a preview per customer of what will be written before anything is; then the
core's export (:meth:`desktop.core.exports.ExportService.export`, atomic)
off the GUI thread with a busy bar, and where the file(s) went.

The core has no progress callback (it writes everything in one transaction),
so the bar shows that the export is running rather than a percentage. A
refusal (no rate in effect, a missing QuickBooks mapping, an unwritable
folder, not an admin) is shown inline in the core's words; nothing is
written then.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto
from desktop.core.app import Punchclock
from desktop.core.errors import PunchclockError
from desktop.core.exports.preview import ExportPreview, preview
from desktop.core.timeutil import work_date
from desktop.ui.state import TrackerState
from desktop.ui.widgets import ErrorLabel
from desktop.ui.windows.export.model import FORMATS, PreviewModel
from desktop.ui.windows.period import PeriodPicker
from desktop.ui.windows.reports.models import hours_text, money_text, sorted_proxy


def result_text(r: dto.ExportResult) -> str:
    where = ", ".join(r.paths)
    text = (
        f"Wrote {r.lines} line{'s' * (r.lines != 1)} ({r.entries} entries, "
        f"{hours_text(r.billed_s)} h, {money_text(r.amount_minor)} {r.currency}) to {where}"
    )
    if r.marked:
        text += f"; marked {r.marked} entries as exported"
    return text + "."


class ExportDialog(QDialog):
    def __init__(self, state: TrackerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export — Punchclock")
        self.state = state
        profile = state.snapshot.profile
        today = work_date(state.now(), profile.timezone if profile else "UTC")
        self.period = PeriodPicker(today, profile.first_weekday if profile else 0, "last-month")
        self.format = QComboBox()
        for key, label, _ in FORMATS:
            self.format.addItem(label, key)
        self.per = QComboBox()
        self.per.addItem("One line per entry", "entry")
        self.per.addItem("One line per task and day", "task")
        self.mark = QCheckBox("Mark the entries as exported (locks them)")
        self.include_exported = QCheckBox("Include entries exported before")
        self.path = QLineEdit()
        self.browse = QPushButton("Browse…")
        self.mapping = QLineEdit(placeholderText="qbo-mapping.json next to the file")
        self.mapping_label = QLabel("QuickBooks mapping")
        self.model = PreviewModel(self)
        self.proxy = sorted_proxy(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.total = QLabel()
        self.progress = QProgressBar()
        self.progress.hide()
        self.error = ErrorLabel()
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_data: ExportPreview | None = None
        self.exported: dto.ExportResult | None = None

        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("&Period", self.period)
        form.addRow("&Format", self.format)
        form.addRow("&Grouping", self.per)
        form.addRow("", self.mark)
        form.addRow("", self.include_exported)
        form.addRow("F&ile", file_row)
        form.addRow(self.mapping_label, self.mapping)
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(self.run_export)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Preview</b> — approved billable time, per customer"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.total)
        layout.addWidget(self.progress)
        layout.addWidget(self.error)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)

        self.browse.clicked.connect(self._browse)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.period.changed.connect(self._period_changed)
        self.per.currentIndexChanged.connect(self.refresh_preview)
        self.include_exported.toggled.connect(self.refresh_preview)
        self._format_changed()
        self.resize(640, 560)
        self.refresh_preview()

    # -------------------------------------------------------------- inputs

    def _extension(self) -> str:
        return next(ext for key, _, ext in FORMATS if key == self.format.currentData())

    def default_path(self) -> Path:
        start, end = self.period.period()
        name = f"punchclock-{self.format.currentData()}-{start}-{end}.{self._extension()}"
        return Path.home() / name

    def _format_changed(self) -> None:
        qbo = self.format.currentData() == "qbo"
        self.mapping.setVisible(qbo)
        self.mapping_label.setVisible(qbo)
        self._suggest_path()

    def _period_changed(self) -> None:
        self._suggest_path()
        self.refresh_preview()

    def _suggest_path(self) -> None:
        current = self.path.text().strip()
        if not current or Path(current).name.startswith("punchclock-"):
            folder = Path(current).parent if current else Path.home()
            self.path.setText(str(folder / self.default_path().name))

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text())
        if name:
            self.path.setText(name)

    def _args(self) -> tuple[date, date, str, bool]:
        start, end = self.period.period()
        return start, end, self.per.currentData(), self.include_exported.isChecked()

    # ------------------------------------------------------------- preview

    def refresh_preview(self) -> None:
        start, end, per, include = self._args()
        self.error.clear_message()

        def job(a: Punchclock) -> tuple[ExportPreview, str]:
            found = preview(a.exports, None, start, end, per=per, include_exported=include)
            return found, a.company.policy().currency

        self.state.runner.run(lambda: job(self.state.app), self._previewed, self._refused)

    def _previewed(self, found: tuple[ExportPreview, str]) -> None:
        p, currency = found
        if (p.start, p.end, p.per) != self._args()[:3]:
            return  # an older request; a newer one is on its way
        self.preview_data = p
        self.model.reload(p.rows)
        t = p.total
        self.total.setText(
            f"{t.entries} entries, {t.lines} lines, {hours_text(t.billed_s)} h billed, "
            f"{money_text(t.amount_minor)} {currency} in total"
            if t.lines
            else "Nothing to export in this period (the file will hold the header only)."
        )

    def _refused(self, exc: BaseException) -> None:
        if not isinstance(exc, PunchclockError):
            raise exc
        self.progress.hide()
        self.export_button.setEnabled(True)
        self.error.show_message(exc.message)

    # -------------------------------------------------------------- export

    def run_export(self) -> None:
        self.error.clear_message()
        self.outcome.clear()
        text = self.path.text().strip()
        if not text:
            self.error.show_message("choose the file to write")
            return
        start, end, per, include = self._args()
        fmt, mark = self.format.currentData(), self.mark.isChecked()
        mapping = Path(self.mapping.text().strip()) if self.mapping.text().strip() else None
        out = Path(text).expanduser()
        kwargs: dict[str, Any] = {
            "per": per,
            "mark_exported": mark,
            "include_exported": include,
            "mapping": mapping,
        }
        self.progress.setRange(0, 0)  # busy: the core writes in one go
        self.progress.show()
        self.export_button.setEnabled(False)
        self.state.run(
            lambda a: a.exports.export(None, fmt, start, end, out, **kwargs),
            self._exported,
            self._refused,
        )

    def _exported(self, result: dto.ExportResult) -> None:
        self.exported = result
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.export_button.setEnabled(True)
        self.outcome.setText(result_text(result))
        self.refresh_preview()
