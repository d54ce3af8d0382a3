"""The tray application's wiring: state, tray icon, popup, dialogs, reminders,
idle detection, sync (:class:`~desktop.ui.sync_link.SyncLink`) — and the
no-tray fallback.

No system tray (offscreen, GNOME without the AppIndicator extension): wait up
to ``tray_wait_s`` (10 s) for one to appear, then show the timer popup as a
normal window. Closing that window quits; the app never exits silently.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QSystemTrayIcon, QWidget

from desktop.core.app import Punchclock
from desktop.core.services import reminders as due
from desktop.core.services.reminders import Reminder
from desktop.ui.dialogs.idle import IdleDialog
from desktop.ui.dialogs.log_time import LogTimeDialog
from desktop.ui.dialogs.settings import SettingsDialog
from desktop.ui.dialogs.welcome import WelcomeDialog
from desktop.ui.directory_watch import DirectoryWatch
from desktop.ui.picker import TargetPicker
from desktop.ui.platform.hotkey import GlobalShortcut
from desktop.ui.platform.idle import IdleDetector, IdleSource, IdleSpan, detect_source
from desktop.ui.reminders import ReminderScheduler
from desktop.ui.state import TrackerState
from desktop.ui.sync_link import SyncLink
from desktop.ui.tray.focus_hide import FocusHide
from desktop.ui.tray.menu import TrayIcon, WindowEntry
from desktop.ui.tray.popup import TimerPopup
from desktop.ui.windows.timesheet.notify import DecisionWatch, week_of

if TYPE_CHECKING:
    from desktop.ui.windows.approvals.view import ApprovalsWindow
    from desktop.ui.windows.attention import AttentionWindow
    from desktop.ui.windows.export.dialog import ExportDialog
    from desktop.ui.windows.manage.window import ManageWindow
    from desktop.ui.windows.reports.window import ReportsWindow
    from desktop.ui.windows.timeline.window import TimelineWindow
    from desktop.ui.windows.timesheet.view import TimesheetWindow

log = logging.getLogger(__name__)

TRAY_WAIT_S = 10.0
W = TypeVar("W", bound=QWidget)


class _Fallback(QObject):
    """Quits the app when the stand-alone window (no tray) is closed."""

    def eventFilter(self, watched: QObject, event: object) -> bool:
        from PySide6.QtCore import QEvent

        if isinstance(event, QEvent) and event.type() == QEvent.Type.Close:
            QApplication.quit()
        return False


class TrayApp(QObject):
    def __init__(self, core: Punchclock, *, tray_wait_s: float = TRAY_WAIT_S,
                 idle_source: IdleSource | bool | None = True,
                 sync_options: dict[str, Any] | None = None,
                 parent: QObject | None = None,
                 shown_icon: QSystemTrayIcon | None = None) -> None:
        """``shown_icon``: the tray icon start-up showed before the core loaded."""
        super().__init__(parent)
        self.core = core
        self.tray_wait_s = tray_wait_s
        self.state = TrackerState(core, self)
        self.popup = TimerPopup(self.state)
        self.tray = TrayIcon(self.state, self, icon=shown_icon)
        self.reminders = ReminderScheduler(core, self)
        self.sync = SyncLink(self.state, parent=self, **(sync_options or {}))
        settings = core.preferences.settings()
        if idle_source is True:
            idle_source = detect_source()
        self.idle_source: IdleSource | None = idle_source or None
        self.detector = IdleDetector(self.idle_source if settings.idle_detection else None,
                                     settings.idle_threshold_min * 60)
        self.standalone = False
        self.dialogs: list[QDialog] = []
        self._tray_deadline = 0.0
        self._tray_poll = QTimer(self)
        self._tray_poll.setInterval(250)
        self._tray_poll.timeout.connect(self._poll_tray)

        self.popup.log_time_requested.connect(self.open_log_time)
        self.tray.popup_requested.connect(self.toggle_popup)
        self.tray.log_time_requested.connect(self.open_log_time)
        self.tray.settings_requested.connect(self.open_settings)
        self.tray.quit_requested.connect(self.quit)
        self.tray.reminder_clicked.connect(self.reminder_action)
        self.reminders.due.connect(self.show_reminder)
        self.state.failed.connect(self.show_failure)
        self.state.heartbeat.connect(self.poll_idle)
        self.tray.sync_requested.connect(self.sync.sync_now)
        self.tray.attention_requested.connect(self.open_attention)
        self.sync.changed.connect(self._sync_changed)
        self.timesheet: TimesheetWindow | None = None
        self.approvals: ApprovalsWindow | None = None
        self.timeline: TimelineWindow | None = None
        self.reports_window: ReportsWindow | None = None
        self.export_dialog: ExportDialog | None = None
        self.manage: ManageWindow | None = None
        self.tray.windows = [
            WindowEntry("T&imesheet…", lambda: self._open(self.open_timesheet)),
            WindowEntry("A&pprovals…", lambda: self._open(self.open_approvals),
                        roles=("manager", "admin")),
            WindowEntry("Ti&meline…", lambda: self._open(self.open_timeline)),
            WindowEntry("&Reports…", lambda: self._open(self.open_reports)),
            WindowEntry("E&xport…", lambda: self._open(self.open_export), roles=("admin",)),
            WindowEntry("Ma&nage customers, projects, tasks…",
                        lambda: self._open(self.open_manage)),
        ]
        self.tray.rebuild_menu()
        self.decisions = DecisionWatch(self.state, self)
        self.decisions.decided.connect(self.show_reminder)
        self.directory_watch = DirectoryWatch(self.state, self)
        self.directory_watch.changed.connect(self._directory_changed)
        self.focus_hide = FocusHide(self.popup, enabled=lambda: not self.standalone,
                                    own_dialogs=self._popup_dialogs)
        self.hotkey = GlobalShortcut(self)
        self.hotkey.activated.connect(self.show_popup)

    # ------------------------------------------------------------- start-up

    def start(self) -> None:
        self.state.refresh()
        self.state.start_watching()
        self.apply_shortcut()
        self.reminders.start()
        self.sync.start()
        self._sync_changed()
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._show_tray()
        else:
            log.warning("no system tray yet; waiting up to %.0f s", self.tray_wait_s)
            self._tray_deadline = time.monotonic() + self.tray_wait_s
            self._tray_poll.start()
        if self.state.snapshot.profile is None:
            self.open_welcome()

    def _poll_tray(self) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._tray_poll.stop()
            self._show_tray()
        elif time.monotonic() >= self._tray_deadline:
            self._tray_poll.stop()
            self.go_standalone()

    def _show_tray(self) -> None:
        self.tray.icon.show()
        log.info("tray icon shown")

    def go_standalone(self) -> None:
        """No tray: the timer popup becomes an ordinary window."""
        log.warning("no system tray available; showing the timer as a window")
        self.standalone = True
        self.popup.setWindowFlags(Qt.WindowType.Window)
        self.popup.installEventFilter(_Fallback(self.popup))
        self.popup.show()

    # --------------------------------------------------------------- windows

    def toggle_popup(self) -> None:
        if self.popup.isVisible() and not self.standalone:
            self.popup.hide()
        elif not self.focus_hide.just_hid():  # not the click that took its focus
            self.show_popup()

    def _popup_dialogs(self) -> list[QWidget]:
        """The dialogs the popup stays open for: its own edit forms and offers,
        and Log time."""
        return [*self.popup.dialogs, *self.popup.offers.dialogs,
                *(d for d in self.dialogs if isinstance(d, LogTimeDialog))]

    def apply_shortcut(self) -> None:
        """Listen for the global shortcut when Settings has it on (and the desktop can)."""
        settings = self.core.preferences.settings()
        if not settings.global_shortcut:
            self.hotkey.stop()
        elif (self.hotkey.keys != settings.global_shortcut_keys
              and not self.hotkey.start(settings.global_shortcut_keys)):
            log.warning("no global shortcut: %s", self.hotkey.error)

    def show_popup(self) -> None:
        if self.state.snapshot.profile is None:
            self.open_welcome()
            return
        if not self.standalone:
            self._place(self.popup, self.tray.anchor())
        self.popup.show()
        self.popup.raise_()
        self.popup.activateWindow()
        log.info("popup shown")

    @staticmethod
    def _place(widget: QWidget, anchor: QPoint) -> None:
        screen = QGuiApplication.screenAt(anchor) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        widget.adjustSize()
        size = widget.frameGeometry().size().expandedTo(widget.minimumSize())
        x = max(area.left(), min(anchor.x() - size.width() // 2, area.right() - size.width()))
        y = anchor.y() + 8
        if y + size.height() > area.bottom():
            y = max(area.top(), anchor.y() - size.height() - 8)
        widget.move(x, y)

    def _keep(self, dialog: QDialog) -> QDialog:
        self.dialogs.append(dialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r, d=dialog: self.dialogs.remove(d))
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def open_welcome(self) -> None:
        if any(isinstance(d, WelcomeDialog) for d in self.dialogs):
            return
        dialog = WelcomeDialog(self.state)
        dialog.accepted.connect(self._after_welcome)
        self._keep(dialog)

    def _after_welcome(self) -> None:
        self.reminders.reschedule()
        self.show_popup()

    def open_log_time(self) -> None:
        if self.state.snapshot.profile is None:
            self.open_welcome()
            return
        self._keep(LogTimeDialog(self.state))

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.state, self.idle_source.name if self.idle_source else None,
                                sync=self.sync)
        dialog.accepted.connect(self._settings_saved)
        self._keep(dialog)
        return dialog

    def open_attention(self) -> AttentionWindow:
        from desktop.ui.windows.attention import AttentionWindow

        existing = next((d for d in self.dialogs if isinstance(d, AttentionWindow)), None)
        if existing is not None:
            existing.reload()
            existing.raise_()
            existing.activateWindow()
            return existing
        window = AttentionWindow(self.sync)
        self._keep(window)
        return window

    def open_timesheet(self, day: date | None = None) -> TimesheetWindow | None:
        """The Timesheet window (one, kept between openings), on the week of ``day``."""
        from desktop.ui.windows.timesheet.view import TimesheetWindow

        if self.state.snapshot.profile is None:
            self.open_welcome()
            return None
        if self.timesheet is None:
            self.timesheet = TimesheetWindow(self.state, day)
        else:
            self.timesheet.go(day) if day else self.timesheet.reload()
        return self._raise(self.timesheet)

    def open_approvals(self) -> ApprovalsWindow | None:
        from desktop.ui.windows.approvals.view import ApprovalsWindow

        profile = self.state.snapshot.profile
        if profile is None or profile.role not in ("manager", "admin"):
            self.show_failure("only managers and admins review timesheets")
            return None
        if self.approvals is None:
            self.approvals = ApprovalsWindow(self.state)
        else:
            self.approvals.reload()
        return self._raise(self.approvals)

    def open_timeline(self) -> TimelineWindow | None:
        """The Timeline window (one, kept; pyqtgraph loads only now)."""
        from desktop.ui.windows.timeline.window import TimelineWindow

        if self.state.snapshot.profile is None:
            self.open_welcome()
            return None
        if self.timeline is None:
            self.timeline = TimelineWindow(self.state)
        else:
            self.timeline.reload()
        return self._raise(self.timeline)

    def open_reports(self) -> ReportsWindow | None:
        from desktop.ui.windows.reports.window import ReportsWindow

        if self.state.snapshot.profile is None:
            self.open_welcome()
            return None
        if self.reports_window is None:
            self.reports_window = ReportsWindow(self.state)
        else:
            self.reports_window.utilization.reload()
        return self._raise(self.reports_window)

    def open_export(self) -> ExportDialog | None:
        from desktop.ui.windows.export.dialog import ExportDialog

        profile = self.state.snapshot.profile
        if profile is None or profile.role != "admin":
            self.show_failure("only admins export to accounting")
            return None
        if self.export_dialog is None:
            self.export_dialog = ExportDialog(self.state)
        else:
            self.export_dialog.refresh_preview()
        return self._raise(self.export_dialog)

    def open_manage(self) -> ManageWindow | None:
        """The Manage window (one, kept): customers, projects and tasks."""
        from desktop.ui.windows.manage.window import ManageWindow

        if self.state.snapshot.profile is None:
            self.open_welcome()
            return None
        if self.manage is None:
            self.manage = ManageWindow(self.state)
        else:
            self.manage.reload()
        return self._raise(self.manage)

    def _directory_changed(self) -> None:
        """Customers, projects or tasks changed (here or elsewhere): every open
        view that lists them reads them again."""
        if self.popup.isVisible():
            self.popup.load_targets()
        if self.manage is not None and self.manage.isVisible():
            self.manage.reload()
        for dialog in self.dialogs:
            picker = getattr(dialog, "picker", None)
            if isinstance(picker, TargetPicker):
                picker.reload()

    @staticmethod
    def _open(how: Callable[[], object]) -> None:
        how()

    @staticmethod
    def _raise(window: W) -> W:
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def open_window(self, request: str) -> None:
        """A window a second launch asked for: "timesheet [DATE]" or "approvals"."""
        name, _, arg = request.partition(" ")
        if name == "timesheet":
            try:
                day = date.fromisoformat(arg) if arg else None
            except ValueError:
                day = None
            self.open_timesheet(day)
        elif name == "approvals":
            self.open_approvals()
        elif name == "manage":
            self.open_manage()
        else:
            self.show_popup()

    def _sync_changed(self) -> None:
        link = self.sync
        self.tray.set_sync(link.text, link.logged_in, link.attention)

    def _settings_saved(self) -> None:
        settings = self.core.preferences.settings()
        self.detector.source = self.idle_source if settings.idle_detection else None
        self.detector.threshold_s = settings.idle_threshold_min * 60
        self.reminders.reschedule()
        self.apply_shortcut()
        self.state.refresh()

    # ----------------------------------------------------------------- idle

    def poll_idle(self) -> None:
        span = self.detector.poll()
        if self.detector.woke:
            self.sync.resumed()
        if span is None:
            return
        running = self.state.snapshot.running
        if running is None or running.started_at is None or running.started_at >= span.end:
            return
        if any(isinstance(d, IdleDialog) for d in self.dialogs):
            return
        self.ask_about_idle(span)

    def ask_about_idle(self, span: IdleSpan) -> IdleDialog | None:
        running = self.state.snapshot.running
        if running is None:
            return None
        log.info("away %s s (%s) while tracking", span.seconds, span.reason)
        dialog = IdleDialog(self.state, running, span.start, span.end)
        self._keep(dialog)
        return dialog

    # ------------------------------------------------------------ messages

    def show_reminder(self, reminder: Reminder) -> None:
        if self.tray.icon.isVisible() and QSystemTrayIcon.supportsMessages():
            self.tray.notify(reminder)
        else:
            self.popup.notice.setText(f"{reminder.title}: {reminder.message}")
            self.popup.notice.show()

    def reminder_action(self, reminder: Reminder) -> None:
        if reminder.action == due.CONTINUE_LAST:
            self.state.continue_last()
        elif reminder.action == due.LOG_TIME:
            self.open_log_time()
        elif reminder.action == due.TIMESHEET:
            self.open_timesheet(week_of(reminder))
        else:
            self.show_popup()

    def show_failure(self, message: str) -> None:
        if self.tray.icon.isVisible():
            self.tray.icon.showMessage("Punchclock", message,
                                       QSystemTrayIcon.MessageIcon.Warning, 8000)
        self.popup.error.show_message(message)

    # ----------------------------------------------------------------- quit

    def quit(self) -> None:
        QApplication.quit()

    def shutdown(self) -> None:
        self.hotkey.stop()
        self.state.stop_watching()
        self.reminders.shutdown()
        self.sync.shutdown()
        self.state.runner.wait(5000)
        self.tray.icon.hide()
        for dialog in list(self.dialogs):
            dialog.close()
        for window in (self.timesheet, self.approvals, self.timeline, self.reports_window,
                       self.export_dialog, self.manage):
            if window is not None:
                window.close()
        self.popup.close()
