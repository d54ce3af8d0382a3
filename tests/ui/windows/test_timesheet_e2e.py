"""End to end, offscreen, through the windows only: a technician fills a week in
the grid and submits it; the manager rejects it with a reason on one entry; the
technician sees the marked cell and the reason, fixes it and submits again; the
manager approves; ``punchclock history`` shows every event."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.cli import main as cli_main
from desktop.ui.windows.approvals.view import ApprovalsWindow
from desktop.ui.windows.entries import DATE, REASON
from desktop.ui.windows.timesheet.model import FIRST_DAY_COL, REJECTED
from desktop.ui.windows.timesheet.view import TimesheetWindow
from tests.ui.windows.conftest import MON

LAST = MON - timedelta(days=7)  # 2026-W47, over by Wednesday of W48


def wait_idle(qtbot: Any, window: Any) -> None:
    qtbot.waitUntil(lambda: not window.state.runner.busy, timeout=5000)


def test_fill_submit_reject_fix_resubmit_approve(
        qtbot: Any, app: Any, state: Any, team: Any, as_user: Any, loaded: Any,
        capsys: pytest.CaptureFixture[str]) -> None:
    # -- the technician fills last week in the grid, Monday to Friday, and submits
    as_user(team["tech"])
    sheet = TimesheetWindow(state, LAST)
    qtbot.addWidget(sheet)
    sheet.show()
    qtbot.waitUntil(lambda: sheet.model.view is not None)
    add = sheet.add_row()
    add.search.setText("srvmig 4521")
    qtbot.keyClick(add.search, Qt.Key.Key_Return)
    for day in range(5):
        index = sheet.proxy.index(0, FIRST_DAY_COL + day)
        sheet.table.setCurrentIndex(index)
        sheet.description.setText("moved the FSMO roles and checked replication")
        sheet.table.edit(index)
        editor = sheet.table.focusWidget()
        editor.setText("8")  # type: ignore[union-attr]
        loaded(sheet, lambda e=editor: qtbot.keyClick(e, Qt.Key.Key_Return))
        wait_idle(qtbot, sheet)
    assert sheet.proxy.index(1, 8).data() == "40:00"  # logged, over the scheduled 40:00
    loaded(sheet, sheet.submit_button.click)
    assert sheet.banner.text().startswith("Submitted")

    # -- the manager rejects, with a reason on Tuesday's entry
    as_user(team["boss"])
    review = ApprovalsWindow(state)
    qtbot.addWidget(review)
    with qtbot.waitSignal(review.loaded):
        review.show()
    assert review.proxy.rowCount() == 1
    with qtbot.waitSignal(review.detail_loaded):
        review.sheets.selectRow(0)
    dialog = review.reject_selected()
    assert dialog is not None
    m = dialog.model
    m.setData(m.index(1, DATE), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    m.setData(m.index(1, REASON), "Which DC? Add the server name")
    dialog.text.setPlainText("See Tuesday")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: review.notice.text().startswith("Rejected"), timeout=5000)
    wait_idle(qtbot, review)

    # -- the technician sees the marked cell and its reason, fixes it, submits again
    as_user(team["tech"])
    loaded(sheet, sheet.reload)
    assert sheet.banner.text() == "Rejected: See Tuesday"
    tuesday = sheet.proxy.index(0, FIRST_DAY_COL + 1)
    src = sheet.proxy.mapToSource(tuesday)
    assert sheet.model.data(src, Qt.ItemDataRole.BackgroundRole).color() == REJECTED
    assert "Rejected: Which DC? Add the server name" in tuesday.data(Qt.ItemDataRole.ToolTipRole)
    sheet.table.setCurrentIndex(tuesday)
    assert sheet.panel.reason_label.text() == "Rejected: Which DC? Add the server name"
    sheet.description.setText("moved the FSMO roles from DC01 to DC02, checked replication")
    loaded(sheet, sheet.panel.save_button.click)
    wait_idle(qtbot, sheet)
    tuesday = sheet.proxy.index(0, FIRST_DAY_COL + 1)  # the week was read again: a new index
    fixed = sheet.model.data(sheet.proxy.mapToSource(tuesday), Qt.ItemDataRole.BackgroundRole)
    assert fixed is None or fixed.color() != REJECTED  # an edited entry drops its reason
    loaded(sheet, sheet.submit_button.click)
    assert sheet.banner.text().startswith("Submitted")

    # -- the manager approves
    as_user(team["boss"])
    with qtbot.waitSignal(review.loaded):
        review.reload()
    review.sheets.selectRow(0)
    assert review.approve_button.isEnabled()
    with qtbot.waitSignal(review.loaded, timeout=5000):
        review.approve_button.click()
    assert review.notice.text() == "Approved 1 timesheet."

    # -- punchclock history shows every event
    capsys.readouterr()
    data_dir = str(app.db.path.parent) if app.db.path.is_file() else str(app.db.path)
    assert cli_main(["--data-dir", data_dir, "--json", "--as", "boss@msp.test", "history",
                     "--user", "tech@msp.test", "--week", LAST.isoformat()]) == 0
    events = json.loads(capsys.readouterr().out)
    assert [(e["action"], e["actor"], e["comment"]) for e in events] == [
        ("submit", "tech@msp.test", None),
        ("reject", "boss@msp.test", "See Tuesday"),
        ("submit", "tech@msp.test", None),
        ("approve", "boss@msp.test", None),
    ]
