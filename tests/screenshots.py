"""Offscreen screenshots of the tray app's windows into test-output/ (``make screenshots``).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from desktop.core.app import Punchclock
from desktop.core.model import Outbox
from desktop.ui.dialogs.idle import IdleDialog
from desktop.ui.dialogs.import_file import ImportDialog
from desktop.ui.dialogs.log_time import LogTimeDialog
from desktop.ui.dialogs.settings import SettingsDialog
from desktop.ui.dialogs.welcome import WelcomeDialog
from desktop.ui.state import TrackerState
from desktop.ui.tray.popup import TimerPopup

OUT = Path(__file__).resolve().parents[1] / "test-output"


def shot(widget: QWidget, name: str) -> None:
    widget.show()
    widget.adjustSize()
    QApplication.processEvents()
    path = OUT / name
    widget.grab().save(str(path))
    print(path)


def sync_shots(state: TrackerState) -> None:
    """The Sync tab (local only), the menu's sync lines and Needs attention with
    one refused edit (marked by hand: no server here)."""
    from desktop.ui.sync_link import SyncLink
    from desktop.ui.tray.menu import TrayIcon
    from desktop.ui.windows.attention import AttentionWindow
    from sync.client import store
    from sync.client.results import to_attention

    core = state.app
    day = state.now().date() - timedelta(days=7)
    saved = core.tracking.log(None, day=day, customer="ACME", duration_s=7200,
                              description="Replaced the RAID disk on FS01")
    replica = store.Replica(core.db)
    try:
        with replica.write() as s:
            outbox = s.query(Outbox).filter(Outbox.entity_id == saved.entry.id).one()
            week = day.isocalendar()
            to_attention(s, outbox.id, f"locked: week {week[0]}-W{week[1]:02d} is approved; "
                                       "its entries can't be changed")
    finally:
        replica.close()
    link = SyncLink(state, watch_network=False)
    settings = SettingsDialog(state, None, sync=link)
    assert settings.sync_tab is not None
    settings.tabs.setCurrentWidget(settings.sync_tab)
    shot(settings, "settings-sync.png")
    tray = TrayIcon(state)
    tray.set_sync("Synced 2 min ago", True, 1)
    shot(tray.menu, "tray-menu-sync.png")
    window = AttentionWindow(link)
    window.show()
    window.resize(window.sizeHint())
    window.reload()
    QApplication.processEvents()
    window.grab().save(str(OUT / "attention-window.png"))
    print(OUT / "attention-window.png")
    state.runner.wait()
    link.shutdown()


def window_shots(tmp: Path) -> None:
    """The Timesheet and Approvals windows on `punchclock demo` data at 1280×800:
    this week (draft, today marked), last week (rejected, its marked cell), the
    manager's approvals list with its warnings, and the Not submitted tab."""
    from desktop.core.demo import load_demo
    from desktop.core.model import Preference
    from desktop.core.services.common import PROFILE_KEY
    from desktop.core.timeutil import week_start
    from desktop.ui.windows.approvals.view import ApprovalsWindow
    from desktop.ui.windows.timesheet.view import TimesheetWindow

    core = Punchclock.open(tmp / "demo")
    load_demo(core)
    state = TrackerState(core)
    state.refresh()
    assert state.snapshot.today is not None
    this_week = week_start(state.snapshot.today)

    def grab(window: QWidget, name: str) -> None:
        window.resize(1280, 800)
        window.show()
        QApplication.processEvents()
        window.grab().save(str(OUT / name))
        print(OUT / name)

    def settle() -> None:
        while state.runner.busy:
            QApplication.processEvents()
            state.runner.wait(50)
        QApplication.processEvents()

    sheet = TimesheetWindow(state, this_week)
    settle()
    grab(sheet, "timesheet-week.png")
    sheet.go(this_week - timedelta(days=7))
    settle()
    rejected = next((e for e in sheet.model.view.entries if e.rejection_reason), None)
    if rejected is not None:  # its details in the panel, its red cell not hidden by selection
        sheet.select_entry(rejected.id)
        sheet.table.selectionModel().clearSelection()
    settle()
    grab(sheet, "timesheet-rejected.png")
    sheet.close()

    manager = next(u for u in core.directory.users() if u.role == "manager")
    with core.db.write() as s:
        s.merge(Preference(key=PROFILE_KEY, value=manager.id))
    state.refresh()
    review = ApprovalsWindow(state)
    review.status.setCurrentIndex(review.status.findText("All"))
    review.ranged.setChecked(True)
    first = this_week - timedelta(days=14)
    from PySide6.QtCore import QDate

    review.first.setDate(QDate(first.year, first.month, first.day))
    settle()
    flagged = next((r for r in range(review.proxy.rowCount())
                    if review.proxy.index(r, 2).data() == "submitted"), 0)
    review.sheets.selectRow(flagged)
    settle()
    grab(review, "approvals.png")
    review.tabs.setCurrentIndex(1)
    settle()
    grab(review, "approvals-not-submitted.png")
    review.close()
    state.runner.wait()
    core.close()


def day_shots(tmp: Path) -> None:
    """The popup with today's entries and Log time with a description warning,
    on `punchclock demo` data, on the demo's longest customer, project and task
    names (they must elide, never clip or scroll sideways)."""
    from desktop.core.demo import load_demo
    from desktop.core.timeutil import work_date

    core = Punchclock.open(tmp / "day")
    load_demo(core)
    me = core.directory.profile()
    assert me is not None
    tasks = sorted(core.directory.tasks(), key=lambda t: len(f"{t.customer}{t.project}{t.label}"))
    longest, second, third = tasks[-1], tasks[-2], tasks[len(tasks) // 2]
    now = core.clock()
    core.tracking.start(None, task=third.id, at=now - timedelta(hours=4, minutes=10),
                        description="Reset MFA methods after identity check by phone")
    core.tracking.start(None, task=second.id, at=now - timedelta(hours=3, minutes=5),
                        description="Hot-swapped disk 3, rebuild started, checked SMART")
    core.tracking.start(None, task=longest.id, at=now - timedelta(minutes=50),
                        description="Demoted the old DC and cleaned up DNS")
    core.tracking.log(None, day=work_date(now, me.timezone), customer=longest.customer_id,
                      duration_s=2700, description="fixes")
    state = TrackerState(core)
    state.refresh()
    popup = TimerPopup(state)
    shot(popup, "popup-today.png")

    log = LogTimeDialog(state)
    log.picker.select(longest.customer_id, longest.project_id, longest.id)
    log.hours.setText("1:30")
    log.description.setText("misc")
    log.save(close=True)
    _settle(state)
    shot(log, "log-dialog-warning.png")
    state.runner.wait()
    core.close()


def _settle(state: TrackerState) -> None:
    """Let every background read finish and its result reach the window."""
    for _ in range(20):
        state.runner.wait()
        QApplication.processEvents()
        if not state.runner.busy:
            return


def _grab(widget: QWidget, name: str, size: tuple[int, int]) -> None:
    widget.resize(*size)
    widget.show()
    QApplication.processEvents()
    widget.grab().save(str(OUT / name))
    print(OUT / name)


def report_shots() -> None:
    """Timeline (own day, the team of 8), Reports (utilization, profitability)
    and Export on the demo company."""
    from desktop.core.demo import load_demo
    from desktop.core.timeutil import work_date
    from desktop.ui.windows.export.dialog import ExportDialog
    from desktop.ui.windows.reports.window import ReportsWindow
    from desktop.ui.windows.timeline.window import TimelineWindow

    with tempfile.TemporaryDirectory() as tmp:
        core = Punchclock.open(Path(tmp) / "demo")
        core.directory.init_profile(
            name="Ada Admin", email="ada@northwind.example", timezone="Europe/Berlin"
        )
        load_demo(core, technicians=8, weeks=6)
        core.directory.init_profile(name="Alex Novak", email="alex@northwind.example")
        today = work_date(core.clock(), "Europe/Berlin")
        day = today - timedelta(days=1)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        state = TrackerState(core)
        state.refresh()
        own = TimelineWindow(state)
        own.go(day)
        _settle(state)
        _grab(own, "timeline-own.png", (1100, 300))
        core.directory.init_profile(name="Morgan Blake", email="morgan@northwind.example")
        state.refresh()
        team = TimelineWindow(state)
        team.go(day)
        team.show_team("Service Desk")
        _settle(state)
        _grab(team, "timeline-team.png", (1200, 600))
        reports = ReportsWindow(state)
        reports.utilization.period.select("last-month")
        _settle(state)
        _grab(reports, "reports-utilization.png", (1250, 820))
        assert reports.profitability is not None
        reports.profitability.period.select("last-month")
        reports.tabs.setCurrentWidget(reports.profitability)
        _settle(state)
        _grab(reports, "reports-profitability.png", (1250, 820))
        core.directory.init_profile(name="Ada Admin", email="ada@northwind.example")
        state.refresh()
        export = ExportDialog(state)
        export.period.select("last-month")
        _settle(state)
        _grab(export, "export-dialog.png", (680, 560))
        manage = manage_shots(state)
        state.runner.wait()
        for w in (own, team, reports, export, manage):
            w.close()
            w.deleteLater()
        QApplication.processEvents()
        state.deleteLater()
        QApplication.processEvents()
        core.close()


def manage_shots(state: TrackerState) -> QWidget:
    """The Manage window on the demo company: its customers, and the tasks
    with their long ticket titles; then the New task dialog."""
    from desktop.ui.windows.manage.window import ManageWindow

    manage = ManageWindow(state)
    _grab(manage, "manage-customers.png", (1000, 560))
    manage.show_kind("task")
    _grab(manage, "manage-tasks.png", (1000, 560))
    dialog = manage.add_new()
    dialog.title.setText("Teams phone rollout")
    shot(dialog, "manage-new-task.png")
    dialog.close()
    return manage


def import_shot(state: TrackerState) -> None:
    """The Import dialog after a preview of the Toggl fixture (nothing written)."""
    dialog = ImportDialog(state)
    dialog.file.setText(str(Path(__file__).with_name("fixtures") / "imports" / "toggl.csv"))
    dialog.preview()
    deadline = time.monotonic() + 10
    while dialog.report is None and not dialog.error.text() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    shot(dialog, "import-dialog.png")


def main() -> int:
    qt = QApplication(sys.argv)
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        core = Punchclock.open(Path(tmp) / "data")
        me = core.directory.init_profile(name="Ann Tech", email="ann@example.com",
                                         timezone="Europe/Berlin")
        d = core.directory
        d.add_customer(me.id, "ACME")
        d.add_project(me.id, "ACME", "Server migration")
        d.add_task(me.id, customer="ACME", project="Server migration", title="Migrate DC01",
                   ref="4521")
        d.add_customer(me.id, "Globex")
        d.add_customer(me.id, "Northwind (internal)", internal=True)
        now = core.clock()
        core.tracking.start(None, customer="Globex", at=now - timedelta(hours=3))
        core.tracking.start(None, task="4521", description="Cutover rehearsal",
                            at=now - timedelta(minutes=83))
        state = TrackerState(core)
        state.refresh()

        popup = TimerPopup(state)
        shot(popup, "popup.png")
        popup.search.setText("mig")
        shot(popup, "popup-search.png")
        popup.search.setText("globex label printer jams after the firmware update")
        shot(popup, "popup-create-task.png")

        log = LogTimeDialog(state)
        log.picker.customer.setCurrentIndex(1)
        log.hours.setText("0:90")
        log.save(close=True)
        shot(log, "log-dialog-error.png")

        running = state.snapshot.running
        assert running is not None
        idle = IdleDialog(state, running, now - timedelta(minutes=40), now)
        idle._show_picker()
        shot(idle, "idle-dialog.png")

        shot(SettingsDialog(state, "X11 screensaver extension"), "settings.png")
        welcome = WelcomeDialog(state)
        welcome.email.setText("not an email")
        shot(welcome, "welcome.png")
        import_shot(state)
        sync_shots(state)
        state.runner.wait()
        core.close()
        window_shots(Path(tmp))
        day_shots(Path(tmp))
    report_shots()
    del qt
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
