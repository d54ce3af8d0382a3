"""The Export dialog: the preview is the core's per customer, the export is
the core's (file written, entries marked), refusals are inline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from windows_helpers import world

from desktop.core.app import Punchclock
from desktop.core.exports.preview import preview
from desktop.ui.state import TrackerState
from desktop.ui.windows.export.dialog import ExportDialog


@pytest.fixture
def dialog(qtbot: Any, msp: Punchclock, tmp_path: Path) -> Iterator[ExportDialog]:
    st = TrackerState(msp)
    st.refresh()
    dlg = ExportDialog(st)
    qtbot.addWidget(dlg)
    dlg.period.set_custom(world.START, world.END)
    dlg.path.setText(str(tmp_path / "out.csv"))
    qtbot.waitUntil(lambda: not st.runner.busy, timeout=10000)
    yield dlg
    st.runner.wait(5000)


def settle(qtbot: Any, dlg: ExportDialog) -> None:
    qtbot.waitUntil(lambda: not dlg.state.runner.busy, timeout=10000)


def test_preview_is_the_cores(dialog: Any, msp: Any, qtmodeltester: Any) -> None:
    core = preview(msp.exports, None, world.START, world.END)
    assert dialog.model.rows == list(core.rows)
    assert dialog.total.text().startswith(f"{core.total.entries} entries, {core.total.lines} lines")
    qtmodeltester.check(dialog.model)
    qtmodeltester.check(dialog.proxy)


def test_grouping_per_task_changes_the_preview(dialog: Any, msp: Any, qtbot: Any) -> None:
    dialog.per.setCurrentIndex(dialog.per.findData("task"))
    settle(qtbot, dialog)
    core = preview(msp.exports, None, world.START, world.END, per="task")
    assert dialog.preview_data == core


def test_export_writes_the_file_and_marks(
    dialog: Any, msp: Any, qtbot: Any, tmp_path: Path
) -> None:
    dialog.mark.setChecked(True)
    dialog.run_export()
    assert not dialog.progress.isHidden() and dialog.progress.maximum() == 0  # busy
    settle(qtbot, dialog)
    out = tmp_path / "out.csv"
    assert out.exists() and out.read_bytes().startswith(b"\xef\xbb\xbf")
    r = dialog.exported
    assert r is not None and r.paths == (str(out),) and r.marked == r.entries > 0
    assert str(out) in dialog.outcome.text() and "marked" in dialog.outcome.text()
    # Marked entries are not offered again.
    assert msp.exports.lines(None, world.START, world.END) == []
    assert dialog.model.rows == []


def test_iif_gets_its_extension(dialog: Any) -> None:
    dialog.path.setText("")
    dialog.format.setCurrentIndex(dialog.format.findData("iif"))
    assert dialog.path.text().endswith(f"punchclock-iif-{world.START}-{world.END}.iif")
    assert dialog.mapping.isHidden()
    dialog.format.setCurrentIndex(dialog.format.findData("qbo"))
    assert dialog.path.text().endswith(".json") and not dialog.mapping.isHidden()


def test_refusals_are_inline(dialog: Any, qtbot: Any, tmp_path: Path, msp: Any) -> None:
    dialog.path.setText(str(tmp_path / "missing" / "out.csv"))
    dialog.run_export()
    settle(qtbot, dialog)
    assert "doesn't exist" in dialog.error.text() and dialog.export_button.isEnabled()
    dialog.format.setCurrentIndex(dialog.format.findData("qbo"))
    dialog.path.setText(str(tmp_path / "out.json"))
    dialog.run_export()
    settle(qtbot, dialog)
    assert "mapping" in dialog.error.text()
    assert not (tmp_path / "out.json").exists()


def test_only_admins(qtbot: Any, msp: Any) -> None:
    msp.directory.init_profile(name="Bo Boss", email="boss@msp.test")
    st = TrackerState(msp)
    st.refresh()
    dlg = ExportDialog(st)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: not st.runner.busy, timeout=10000)
    assert "only admins" in dlg.error.text()
