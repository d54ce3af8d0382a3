"""The Approvals window: the list with warnings, button enablement per role and
status, bulk approve, reject with per-entry reasons, return and reopen, the
technician filter, the Not submitted tab; every model passes the model tester."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt

from desktop.ui.windows.approvals.view import ApprovalsWindow
from desktop.ui.windows.entries import DATE, REASON
from tests.ui.windows.conftest import MON

LAST = MON - timedelta(days=7)


def fill(app: Any, user_id: str, start: Any, text: str = "patched the file servers") -> None:
    for d in range(5):
        app.tracking.log(user_id, day=start + timedelta(days=d), customer="ACME",
                         duration_s=8 * 3600, description=text)


@pytest.fixture
def submitted(app: Any, team: dict[str, str]) -> dict[str, str]:
    """Tia submitted last week and the week before; Bo (a manager) submitted last week."""
    for start in (LAST - timedelta(days=7), LAST):
        fill(app, team["tech"], start)
        app.timesheets.submit(team["tech"], start)
    fill(app, team["boss"], LAST)
    app.timesheets.submit(team["boss"], LAST)
    return team


def open_window(qtbot: Any, state: Any) -> ApprovalsWindow:
    w = ApprovalsWindow(state)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.loaded, timeout=5000):
        w.show()
    return w


def rows(w: ApprovalsWindow) -> list[tuple[str, str, str]]:
    p = w.proxy
    return [(p.index(r, 0).data(), p.index(r, 1).data(), p.index(r, 2).data())
            for r in range(p.rowCount())]


def select(qtbot: Any, w: ApprovalsWindow, *view_rows: int) -> None:
    sel = QItemSelection()
    for r in view_rows:
        sel.select(w.proxy.index(r, 0), w.proxy.index(r, w.proxy.columnCount() - 1))
    with qtbot.waitSignal(w.detail_loaded, timeout=5000, raising=False):
        w.sheets.selectionModel().select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def buttons(w: ApprovalsWindow) -> tuple[bool, bool, bool, bool]:
    return (w.approve_button.isEnabled(), w.reject_button.isEnabled(),
            w.return_button.isEnabled(), w.reopen_button.isEnabled())


def test_list_detail_and_models(qtbot: Any, qtmodeltester: Any, state: Any,
                                submitted: Any) -> None:
    w = open_window(qtbot, state)
    assert rows(w) == [("Tia Tech", "2026-W46", "submitted"), ("Bo Boss", "2026-W47",
                                                                "submitted"),
                       ("Tia Tech", "2026-W47", "submitted")]
    for model in (w.model, w.proxy, w.entries, w.history, w.overdue, w.overdue_proxy):
        qtmodeltester.check(model)
    select(qtbot, w, 0)
    assert w.entries.rowCount() == 5 and w.history.rowCount() == 1
    assert w.history.index(0, 1).data() == "submit"
    qtmodeltester.check(w.entries)


def test_buttons_follow_the_core_per_role_and_status(qtbot: Any, app: Any, state: Any,
                                                      submitted: Any, as_user: Any) -> None:
    w = open_window(qtbot, state)  # Ann is an admin
    select(qtbot, w, 0)
    assert buttons(w) == (True, True, True, False)
    select(qtbot, w, 0, 1)
    assert buttons(w) == (True, False, False, False)  # several: approve only
    w.status.setCurrentIndex(w.status.findText("All"))
    qtbot.waitUntil(lambda: len(rows(w)) == 3)
    app.timesheets.approve(None, "tech@msp.test", LAST)
    w.reload()
    qtbot.waitUntil(lambda: "approved" in [r[2] for r in rows(w)])
    approved = next(r for r in range(w.proxy.rowCount()) if w.proxy.index(r, 2).data() ==
                    "approved")
    select(qtbot, w, approved)
    assert buttons(w) == (False, False, False, True) and w.reopen_button.isVisible()

    as_user(submitted["boss"])  # a manager: their team's weeks, never their own, no reopen
    m = open_window(qtbot, state)
    assert {r[0] for r in rows(m)} == {"Tia Tech"}
    select(qtbot, m, 0)
    assert buttons(m) == (True, True, True, False) and not m.reopen_button.isVisible()


def test_bulk_approve(qtbot: Any, app: Any, state: Any, submitted: Any) -> None:
    w = open_window(qtbot, state)
    select(qtbot, w, 0, 1, 2)
    with qtbot.waitSignal(w.loaded, timeout=5000):
        w.approve_button.click()
    assert w.notice.text() == "Approved 3 timesheets."
    assert rows(w) == []
    statuses = {s.sheet.status for s in app.timesheets.approvals(None, status="all")}
    assert statuses == {"approved"}


def test_reject_with_per_entry_reasons(qtbot: Any, qtmodeltester: Any, app: Any, state: Any,
                                       submitted: Any) -> None:
    w = open_window(qtbot, state)
    tia = next(r for r in range(w.proxy.rowCount()) if w.proxy.index(r, 0).data() == "Tia Tech"
               and w.proxy.index(r, 1).data() == "2026-W47")
    select(qtbot, w, tia)
    dialog = w.reject_selected()
    assert dialog is not None and dialog.model.rowCount() == 5
    m = dialog.model
    m.setData(m.index(1, DATE), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    m.setData(m.index(3, REASON), "which ticket?")
    qtmodeltester.check(m)  # checkable, with an editable reason column
    dialog.ok_button.click()  # no reason yet: refused inline, nothing changes
    qtbot.waitUntil(dialog.error.isVisible)
    assert "needs a reason" in dialog.error.text()
    dialog.text.setPlainText("split Monday per ticket")
    dialog.ok_button.click()  # the ticked entry 1 has no reason of its own: refused
    qtbot.waitUntil(lambda: "reason is empty" in dialog.error.text())
    m.setData(m.index(1, REASON), "which server?")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: w.notice.text() == "Rejected Tia Tech's week 2026-W47.")
    detail = app.timesheets.sheet(None, "tech@msp.test", LAST)
    assert detail.summary.sheet.status == "rejected"
    assert detail.summary.sheet.note == "split Monday per ticket"
    reasons = [e.rejection_reason for e in detail.entries]
    assert reasons == [None, "which server?", None, "which ticket?", None]


def test_return_and_reopen(qtbot: Any, app: Any, state: Any, submitted: Any) -> None:
    w = open_window(qtbot, state)
    select(qtbot, w, 0)
    first = w.selected()[0].sheet
    dialog = w.return_selected()
    assert dialog is not None
    dialog.text.setPlainText("split Monday")
    with qtbot.waitSignal(w.loaded, timeout=5000):
        dialog.ok_button.click()
    assert app.timesheets.sheet(None, first.user_id, first.week_start).summary.sheet.status \
        == "returned"
    app.timesheets.approve(None, "tech@msp.test", LAST)
    w.status.setCurrentIndex(w.status.findText("Approved"))
    qtbot.waitUntil(lambda: len(rows(w)) == 1)
    select(qtbot, w, 0)
    dialog = w.reopen_selected()
    assert dialog is not None
    dialog.text.setPlainText("wrong customer")
    with qtbot.waitSignal(w.loaded, timeout=5000):
        dialog.ok_button.click()
    assert rows(w) == []


def test_warnings_and_filters(qtbot: Any, app: Any, state: Any, team: Any) -> None:
    fill(app, team["tech"], LAST, "stuff")
    app.tracking.log(team["tech"], day=LAST, customer="ACME", duration_s=3 * 3600,
                     description="stuff")
    fill(app, team["boss"], LAST)
    w = open_window(qtbot, state)
    w.status.setCurrentIndex(w.status.findText("Draft"))
    qtbot.waitUntil(lambda: len(rows(w)) == 2)
    tia = next(r for r in range(w.proxy.rowCount()) if w.proxy.index(r, 0).data() == "Tia Tech")
    assert w.proxy.index(tia, 8).data() == "6 vague descriptions; over 10 h on Mon"
    assert w.proxy.index(tia, 6).data() == "108% of 75%"
    w.person.setCurrentIndex(w.person.findData(team["boss"]))
    assert [r[0] for r in rows(w)] == ["Bo Boss"]
    w.person.setCurrentIndex(0)
    w.team.setCurrentIndex(w.team.findText("Field"))
    qtbot.waitUntil(lambda: [r[0] for r in rows(w)] == ["Tia Tech"])
    w.ranged.setChecked(True)
    w.first.setDate(w.first.date().addDays(-400))
    w.last.setDate(w.first.date().addDays(7))
    qtbot.waitUntil(lambda: rows(w) == [])


def test_not_submitted_tab(qtbot: Any, app: Any, state: Any, team: Any) -> None:
    app.tracking.log(team["tech"], day=LAST, customer="ACME", duration_s=3 * 3600,
                     description="patched the file servers")
    w = open_window(qtbot, state)
    assert w.overdue.rowCount() == 0  # read when its tab is shown
    with qtbot.waitSignal(w.overdue_loaded, timeout=5000):
        w.tabs.setCurrentIndex(1)
    p = w.overdue_proxy
    found = [(p.index(r, 0).data(), p.index(r, 2).data(), p.index(r, 4).data())
             for r in range(p.rowCount())]
    assert ("Tia Tech", "2026-W47", "3:00") in found
    assert all(name in ("Tia Tech", "Bo Boss") for name, _, _ in found)
    assert "not submitted by their deadline" in w.overdue_label.text()
