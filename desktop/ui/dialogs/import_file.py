"""Import…: time from another tracker's export (Toggl Track, Clockify,
Harvest, Kimai, Watson, Timewarrior), for the profile's user.

Choose the source and the file; **Preview** runs the import as a dry run off
the GUI thread (nothing is written) and shows the counts, every refused or
locked row with its line, and the mapping — each customer › project › task
of the file, where it goes and what is new. **Import** is enabled after a
preview that would write something; with any refused row it needs "Import
the good rows, skip the refused" (the CLI's ``--partial``), else the core
would refuse the file. The rules are :mod:`desktop.core.services.imports`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
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
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core import dto
from desktop.core.app import Punchclock
from desktop.core.durations import format_duration
from desktop.core.errors import PunchclockError
from desktop.core.imports import read_export
from desktop.ui.state import TrackerState
from desktop.ui.widgets import ErrorLabel

SOURCES = (
    ("toggl", "Toggl Track (detailed report CSV)", "CSV files (*.csv)"),
    ("clockify", "Clockify (detailed report CSV)", "CSV files (*.csv)"),
    ("harvest", "Harvest (detailed time report CSV)", "CSV files (*.csv)"),
    ("kimai", "Kimai (timesheet export CSV)", "CSV files (*.csv)"),
    ("watson", "Watson (its frames file)", "Watson frames (frames *.json)"),
    ("timewarrior", "Timewarrior (timew export)", "JSON files (*.json)"),
)
Index = QModelIndex | QPersistentModelIndex


class MappingModel(QAbstractTableModel):
    """The preview's mapping: file path → Punchclock path, what is new, rows."""

    HEADERS = ("In the file", "In Punchclock", "New", "Rows")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dto.ImportMapping] = []

    def set_rows(self, rows: tuple[dto.ImportMapping, ...]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        m = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (
                m.source.label,
                m.target.label if m.target else "(skipped)",
                ", ".join(m.new) or "—",
                str(m.rows),
            )[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def summary(r: dto.ImportReport) -> str:
    verb = "Would import" if r.dry_run else "Imported"
    parts = [
        f"{verb} {r.added} {'entry' if r.added == 1 else 'entries'} "
        f"({format_duration(r.added_s)}) of {r.rows} rows"
    ]
    if r.duplicates:
        parts.append(f"{r.duplicates} already imported")
    if r.locked:
        parts.append(f"{len(r.locked)} in locked weeks")
    if r.refused:
        parts.append(f"{len(r.refused)} refused")
    return "; ".join(parts) + "."


class ImportDialog(QDialog):
    def __init__(self, state: TrackerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import — Punchclock")
        self.state = state
        self.report: dto.ImportReport | None = None
        self.imported: dto.ImportReport | None = None

        self.source = QComboBox()
        for key, label, _ in SOURCES:
            self.source.addItem(label, key)
        self.file = QLineEdit()
        self.file.setPlaceholderText("the exported file")
        choose = QPushButton("Choose…")
        choose.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(choose)
        self.partial = QCheckBox("Import the good rows, skip the refused")
        self.preview_button = QPushButton("&Preview")
        self.preview_button.clicked.connect(self.preview)
        for signal in (self.source.currentIndexChanged, self.file.textChanged):
            signal.connect(self._forget_preview)
        self.partial.toggled.connect(self._update_buttons)

        self.counts = QLabel("Choose the file, then Preview: nothing is written until Import.")
        self.counts.setWordWrap(True)
        self.model = MappingModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        self.table.setMinimumHeight(140)
        header = self.table.horizontalHeader()
        for column, mode in enumerate(
            (
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.ResizeToContents,
            )
        ):
            header.setSectionResizeMode(column, mode)
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setMaximumHeight(110)
        self.problems.hide()
        self.error = ErrorLabel()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.run_import)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("From", self.source)
        form.addRow("File", file_row)
        form.addRow("", self.partial)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview_button)
        layout.addWidget(self.counts)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problems)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)
        self.resize(700, 460)

    # ------------------------------------------------------------- actions

    @property
    def source_key(self) -> str:
        return str(self.source.currentData())

    def choose_file(self) -> None:
        pattern = next(p for k, _, p in SOURCES if k == self.source_key)
        name, _ = QFileDialog.getOpenFileName(
            self, "Import from", self.file.text(), f"{pattern};;All files (*)"
        )
        if name:
            self.file.setText(name)

    def preview(self) -> None:
        self._start(dry_run=True)

    def run_import(self) -> None:
        self._start(dry_run=False)

    def _start(self, *, dry_run: bool) -> None:
        self.error.clear_message()
        path = self.file.text().strip()
        if not path:
            self.error.show_message("choose the file to import")
            return
        source, partial = self.source_key, self.partial.isChecked()

        def job(app: Punchclock) -> dto.ImportReport:
            text = read_export(Path(path).expanduser())
            return app.imports.run(None, source, text, dry_run=dry_run, partial=partial)

        self.preview_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.counts.setText("Reading the file…" if dry_run else "Importing…")
        self.state.run(
            job, on_done=self._previewed if dry_run else self._imported, on_error=self._refused
        )

    def _previewed(self, report: dto.ImportReport) -> None:
        self.report = report
        self.preview_button.setEnabled(True)
        self.counts.setText(summary(report))
        self.model.set_rows(report.mapping)
        lines = [f"line {x.line}: refused — {x.reason}" for x in report.refused]
        lines += [f"line {x.line}: locked week, skipped — {x.reason}" for x in report.locked]
        self.problems.setPlainText("\n".join(lines))
        self.problems.setVisible(bool(lines))
        self._update_buttons()

    def _imported(self, report: dto.ImportReport) -> None:
        self.imported = report
        self.counts.setText(summary(report))
        self.accept()

    def _refused(self, exc: PunchclockError) -> None:
        self.preview_button.setEnabled(True)
        self.counts.setText("Nothing was written.")
        message = exc.message
        if exc.problems:
            message += "\n" + "\n".join(p.message for p in exc.problems[:5])
        self.error.show_message(message)
        self._update_buttons()

    def _forget_preview(self) -> None:
        self.report = None
        self.model.set_rows(())
        self.problems.hide()
        self._update_buttons()

    def _update_buttons(self) -> None:
        r = self.report
        ok = r is not None and r.added > 0 and (not r.refused or self.partial.isChecked())
        self.import_button.setEnabled(ok)
