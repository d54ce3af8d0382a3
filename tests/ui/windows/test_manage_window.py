"""The Manage window: customers, projects and tasks added, changed, archived
and deleted from the UI by role; every model passes the model tester; every
open view refreshes when the directory changes elsewhere; and an empty company
gets from nothing to a running timer without the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.ui.windows.manage.dialogs import CustomerDialog, ProjectDialog, TaskDialog
from desktop.ui.windows.manage.window import ManageWindow


def open_window(qtbot: Any, state: Any) -> ManageWindow:
    w = ManageWindow(state)
    qtbot.addWidget(w)
    w.show()
    return w


def names(w: ManageWindow, kind: str, column: int = 0) -> list[str]:
    p = w.tab[kind].proxy
    return [p.index(r, column).data() for r in range(p.rowCount())]


def save(qtbot: Any, dialog: Any) -> None:
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.save_button.click()


def test_every_model_passes_the_model_tester(qtbot: Any, qtmodeltester: Any, state: Any,
                                             app: Any) -> None:
    app.tracking.log(None, day=state.snapshot.today, task="4521", duration_s=3600,
                     description="moved the FSMO roles")
    w = open_window(qtbot, state)
    for tab in w.tab.values():
        assert tab.model.rowCount() > 0
        qtmodeltester.check(tab.model)
        qtmodeltester.check(tab.proxy)


def test_admin_adds_a_customer_project_and_task(qtbot: Any, state: Any, app: Any) -> None:
    w = open_window(qtbot, state)
    assert names(w, "customer") == ["ACME", "Globex", "Northwind"]
    dialog = w.add_new()
    assert isinstance(dialog, CustomerDialog)
    dialog.name.setText("Castle & Finch Law")
    dialog.round_to.setValue(6)
    dialog.minimum.setValue(15)
    save(qtbot, dialog)
    assert "Castle & Finch Law" in names(w, "customer")
    assert w.selected() is not None and w.selected().item.name == "Castle & Finch Law"
    row = names(w, "customer").index("Castle & Finch Law")
    assert w.tab["customer"].proxy.index(row, 3).data() == "6 min, at least 15 min"

    w.show_kind("project")
    dialog = w.add_new()  # the customer selected in the first tab is pre-chosen
    assert isinstance(dialog, ProjectDialog)
    assert dialog.customer.currentText() == "Castle & Finch Law"
    dialog.name.setText("Document management rollout")
    save(qtbot, dialog)
    assert ["Castle & Finch Law", "Document management rollout"] in [
        [w.tab["project"].proxy.index(r, c).data() for c in (0, 1)]
        for r in range(w.tab["project"].proxy.rowCount())]

    w.show_kind("task")
    dialog = w.add_new()
    assert isinstance(dialog, TaskDialog)
    dialog.project.setCurrentIndex(dialog.project.findText("Document management rollout"))
    dialog.title.setText("Migrate the matter archive to SharePoint")
    dialog.ticket.setText("#5566")
    save(qtbot, dialog)
    task = next(t for t in app.directory.tasks() if t.external_ref == "5566")
    assert (task.customer, task.project) == ("Castle & Finch Law", "Document management rollout")


def test_a_refusal_shows_inline_and_keeps_the_dialog(qtbot: Any, state: Any) -> None:
    w = open_window(qtbot, state)
    dialog = w.add_new()
    dialog.name.setText("acme")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=5000)
    assert dialog.error.text() == 'a customer named "ACME" already exists'
    assert dialog.isVisible()


def test_rename_archive_unarchive_and_delete(qtbot: Any, state: Any, app: Any,
                                             settle: Any) -> None:
    app.tracking.log(None, day=state.snapshot.today, customer="ACME", duration_s=3600,
                     description="patched the file servers")
    w = open_window(qtbot, state)
    w.select("customer", app.directory.customers()[0].id)  # ACME, in use
    tab = w.tab["customer"]
    assert tab.edit.isEnabled() and tab.archive.isEnabled()
    assert not tab.delete.isEnabled()
    assert "archive it instead" in tab.delete.toolTip()
    dialog = w.edit_selected()
    dialog.name.setText("ACME Logistics")
    save(qtbot, dialog)
    assert names(w, "customer")[0] == "ACME Logistics"

    with qtbot.waitSignal(w.loaded, timeout=5000):
        tab.archive.click()
    assert "ACME Logistics" not in names(w, "customer")
    assert "ACME" not in [c.name for c in app.directory.customers()]
    tab.archived.setChecked(True)
    assert names(w, "customer")[0] == "ACME Logistics"
    w.select("customer", app.directory.customers(include_inactive=True)[0].id)
    assert tab.archive.text() == "Unar&chive"
    with qtbot.waitSignal(w.loaded, timeout=5000):
        tab.archive.click()
    assert "ACME Logistics" in [c.name for c in app.directory.customers()]

    globex = next(c for c in app.directory.customers() if c.name == "Globex")
    w.select("customer", globex.id)
    assert tab.delete.isEnabled()
    with qtbot.waitSignal(w.loaded, timeout=5000):
        w.delete_selected(confirm=False)
    assert "Globex" not in names(w, "customer")


def test_a_technician_adds_tasks_but_not_customers(qtbot: Any, state: Any, app: Any,
                                                    settle: Any) -> None:
    me = app.directory.profile()
    tia = app.directory.add_user(me.id, "tia@example.com", name="Tia Tech")
    app.directory.init_profile(name="Tia Tech", email="tia@example.com")  # Tia's laptop
    state.refresh()
    w = open_window(qtbot, state)
    assert not w.tab["customer"].add.isVisible()
    w.select("customer", app.directory.customers()[0].id)
    assert not w.tab["customer"].edit.isEnabled()
    w.show_kind("task")
    assert w.tab["task"].add.isVisible()
    w.select("task", app.directory.tasks()[0].id)  # Ann's task
    assert not w.tab["task"].edit.isEnabled()
    dialog = w.add_new()
    dialog.customer.setCurrentIndex(dialog.customer.findText("Globex"))
    dialog.title.setText("Reset VPN token for the front desk")
    save(qtbot, dialog)
    mine = next(t for t in app.directory.tasks() if t.customer == "Globex")
    assert mine.created_by == tia.id
    w.select("task", mine.id)
    assert w.tab["task"].edit.isEnabled() and w.tab["task"].delete.isEnabled()


def test_filter_over_every_column(qtbot: Any, state: Any) -> None:
    w = open_window(qtbot, state)
    w.show_kind("task")
    w.tab["task"].search.setText("4521 acme")
    assert names(w, "task", 3) == ["Migrate DC01"]
    w.tab["task"].search.setText("globex")
    assert names(w, "task", 3) == []


@pytest.fixture
def other_process(tmp_path: Path, clock: Any) -> Iterator[Any]:
    """A second connection to the same data folder, as the CLI would open."""
    from desktop.core.app import Punchclock
    from desktop.core.db import open_database

    pc = Punchclock(open_database(tmp_path / "data"), clock=clock)
    yield pc
    pc.close()


def test_every_open_view_refreshes_when_the_cli_changes_the_directory(
        qtbot: Any, app: Any, other_process: Any) -> None:
    from desktop.ui.tray.controller import TrayApp

    tray = TrayApp(app, tray_wait_s=3600, idle_source=None)
    try:
        tray.state.refresh()
        tray.state.start_watching()
        tray.state.tick()  # the watch's first look
        manage = tray.open_manage()
        assert manage is not None
        qtbot.addWidget(manage)
        tray.show_popup()
        log = tray.open_log_time()
        dialog = tray.dialogs[-1]
        assert log is None and dialog.picker.customer.findText("Initech") < 0
        other_process.directory.add_customer(None, "Initech")
        with qtbot.waitSignal(tray.directory_watch.changed, timeout=5000):
            tray.state.tick()
        assert "Initech" in names(manage, "customer")
        assert dialog.picker.customer.findText("Initech") > 0
        tray.popup.search.setText("initech")
        assert tray.popup.results.count() == 1
    finally:
        tray._tray_poll.stop()
        tray.shutdown()


def test_an_empty_company_gets_to_a_running_timer_without_the_cli(
        qtbot: Any, tmp_path: Path, clock: Any) -> None:
    """Acceptance: a fresh install, the profile made in the welcome, then a
    customer, a project and a task from the Manage window, and a timer started
    on the task from the popup's search."""
    from desktop.core.app import Punchclock
    from desktop.core.db import open_database
    from desktop.ui.tray.controller import TrayApp

    pc = Punchclock(open_database(tmp_path / "empty"), clock=clock)
    pc.directory.init_profile(name="Ann Admin", email="ann@example.com", timezone="UTC")
    tray = TrayApp(pc, tray_wait_s=3600, idle_source=None)
    try:
        tray.state.refresh()
        tray.popup.show()
        tray.popup.search.setText("ACME")
        assert tray.popup.results.count() == 0  # nothing to track yet

        w = tray.open_manage()
        assert w is not None
        qtbot.addWidget(w)
        assert names(w, "customer") == []
        dialog = w.add_new()
        dialog.name.setText("ACME Logistics")
        save(qtbot, dialog)
        w.show_kind("project")
        dialog = w.add_new()
        dialog.name.setText("Warehouse Wi-Fi refresh")
        save(qtbot, dialog)
        w.show_kind("task")
        dialog = w.add_new()
        dialog.project.setCurrentIndex(dialog.project.findText("Warehouse Wi-Fi refresh"))
        dialog.title.setText("Survey the loading dock access points")
        dialog.ticket.setText("5566")
        save(qtbot, dialog)

        tray.popup.hide()
        tray.show_popup()
        tray.popup.search.setText("5566")
        assert tray.popup.results.count() == 1
        with qtbot.waitSignal(tray.state.changed, timeout=5000):
            tray.popup.search.returnPressed.emit()
        qtbot.waitUntil(lambda: tray.state.snapshot.running is not None, timeout=5000)
        running = tray.state.snapshot.running
        assert (running.customer, running.project, running.task_ref) == (
            "ACME Logistics", "Warehouse Wi-Fi refresh", "5566")
    finally:
        tray._tray_poll.stop()
        tray.shutdown()
        pc.close()


def test_double_click_opens_the_change_dialog(qtbot: Any, state: Any) -> None:
    w = open_window(qtbot, state)
    tab = w.tab["customer"]
    index = tab.proxy.index(0, 0)
    tab.view.selectRow(0)
    tab.view.doubleClicked.emit(index)
    assert isinstance(w.dialog, CustomerDialog)
    assert w.dialog.name.text() == "ACME"
    assert w.dialog.windowModality() != Qt.WindowModality.NonModal
