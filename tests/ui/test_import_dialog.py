"""Import…: Preview is a dry run off the GUI thread (nothing written) that
shows counts, refused rows with their line and the mapping; Import needs a
preview (and "skip the refused" when rows are refused); Settings opens it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from desktop.ui.dialogs.import_file import ImportDialog

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


@pytest.fixture
def dialog(qtbot: Any, state: Any) -> ImportDialog:
    dlg = ImportDialog(state)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def entries(app: Any) -> list[Any]:
    return app.tracking.entries(None, start=date(2026, 11, 1), end=date(2026, 11, 30))


def choose(dlg: ImportDialog, source: str, name: str | Path) -> None:
    dlg.source.setCurrentIndex(dlg.source.findData(source))
    dlg.file.setText(str(FIXTURES / name))


@pytest.fixture
def one_open(tmp_path: Path) -> Path:
    """A `timew export` whose second interval is still open."""
    path = tmp_path / "timew.json"
    path.write_text(
        '[\n{"id":2,"start":"20261123T150000Z","end":"20261123T160000Z",'
        '"tags":["Initech/Backups"],"annotation":"Swapped the tape"},\n'
        '{"id":1,"start":"20261124T150000Z","tags":["Globex"]}\n]\n'
    )
    return path


def test_preview_writes_nothing_and_shows_counts_refusals_and_mapping(
    qtbot: Any,
    qtmodeltester: Any,
    dialog: ImportDialog,
    app: Any,
    settle: Any,
    one_open: Path,
) -> None:
    customers = len(app.directory.customers())
    choose(dialog, "timewarrior", one_open)
    dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=5000)
    settle()
    assert dialog.counts.text() == "Would import 1 entry (1:00) of 2 rows; 1 refused."
    assert dialog.problems.isVisible()
    assert dialog.problems.toPlainText().startswith("line 3: refused — the interval is still open")
    qtmodeltester.check(dialog.model)
    cells = [
        [dialog.model.index(r, c).data() for c in range(4)] for r in range(dialog.model.rowCount())
    ]
    assert cells == [["Initech › Backups", "Initech › Backups", "customer, project", "1"]]
    assert not dialog.import_button.isEnabled()
    assert entries(app) == [] and len(app.directory.customers()) == customers


def test_import_after_preview_with_skip_refused(
    qtbot: Any, dialog: ImportDialog, app: Any, settle: Any, one_open: Path
) -> None:
    choose(dialog, "timewarrior", one_open)
    dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=5000)
    dialog.partial.setChecked(True)
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.import_button.click()
    settle()
    assert dialog.imported is not None and dialog.imported.added == 1
    (entry,) = entries(app)
    assert (entry.customer, entry.project, entry.duration_s) == ("Initech", "Backups", 3600)


def test_changing_the_file_forgets_the_preview(
    qtbot: Any, dialog: ImportDialog, settle: Any
) -> None:
    choose(dialog, "timewarrior", "timew_export.json")
    dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=5000)
    settle()
    assert dialog.import_button.isEnabled()
    dialog.file.setText(str(FIXTURES / "toggl.csv"))
    assert dialog.report is None and not dialog.import_button.isEnabled()
    assert dialog.model.rowCount() == 0


def test_refusals_are_inline(qtbot: Any, dialog: ImportDialog, settle: Any) -> None:
    dialog.preview_button.click()
    assert dialog.error.text() == "choose the file to import"
    choose(dialog, "toggl", "no-such-file.csv")
    dialog.preview_button.click()
    qtbot.waitUntil(
        lambda: dialog.error.isVisible() and "can't read" in dialog.error.text(), timeout=5000
    )
    settle()
    assert dialog.preview_button.isEnabled() and not dialog.import_button.isEnabled()


def test_settings_opens_the_import_dialog(qtbot: Any, state: Any, monkeypatch: Any) -> None:
    from desktop.ui.dialogs.settings import SettingsDialog

    opened: list[ImportDialog] = []
    monkeypatch.setattr(ImportDialog, "exec", lambda self: opened.append(self) or 0)
    dlg = SettingsDialog(state, None)
    qtbot.addWidget(dlg)
    dlg.import_button.click()
    assert len(opened) == 1 and opened[0].parent() is dlg
