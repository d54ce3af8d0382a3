"""The tray icon, its tooltip and its menu.

The menu is rebuilt only when the tracker's snapshot changes (not every tick).
Its sections, top to bottom: the running timer and Stop · the five most recent
combinations (one click switches) · Start timer…, Log time… · the windows
the controller registers in :attr:`TrayIcon.windows` (a window with ``roles``
shows only for users with one of those roles; the section is absent while
none is registered) · the sync status line, Sync now (logged in) and Needs
attention (N)… (when N > 0) · Settings…, Quit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop.core import dto
from desktop.core.durations import format_duration
from desktop.core.services.reminders import Reminder
from desktop.ui.qtcompat import emit
from desktop.ui.state import TrackerState
from desktop.ui.tray.icon import tray_icon

RECENT_COUNT = 5
RECENT_TEXT_PX = 420  # a recent combination longer than this elides
LOCAL_ONLY = "Local only — no sync server"


@dataclass(frozen=True)
class WindowEntry:
    """A window reachable from the menu; ``roles`` empty = everyone."""

    label: str
    open: Callable[[], None]
    roles: tuple[str, ...] = ()


def _act(menu: QMenu, text: str, slot: Any) -> QAction:
    """Add an action wired to ``slot`` (a callable or a signal)."""
    action = menu.addAction(text)
    action.triggered.connect(slot)
    return action


def tooltip_text(state: TrackerState) -> str:
    snap = state.snapshot
    now = state.now()
    today = format_duration(snap.today_s(now))
    if snap.profile is None:
        return "Punchclock — no profile yet"
    if snap.running is None:
        return f"Punchclock — no timer running (today {today})"
    elapsed = format_duration(snap.running.elapsed_s(now))
    return f"{snap.running.label} — {elapsed} (today {today})"


class TrayIcon(QObject):
    popup_requested = Signal()
    log_time_requested = Signal()
    settings_requested = Signal()
    quit_requested = Signal()
    reminder_clicked = Signal(object)
    sync_requested = Signal()
    attention_requested = Signal()

    def __init__(self, state: TrackerState, parent: QObject | None = None,
                 icon: QSystemTrayIcon | None = None) -> None:
        """``icon``: the one start-up already showed (see :mod:`desktop.ui.main`)."""
        super().__init__(parent)
        self.state = state
        self.windows: list[WindowEntry] = []
        self.sync_status = LOCAL_ONLY
        self.sync_logged_in = False
        self.sync_attention = 0
        self.icon = icon or QSystemTrayIcon(tray_icon(False))
        self.icon.setParent(self)
        self.menu = QMenu()
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(self._message_clicked)
        self.menu.aboutToShow.connect(self._refresh_running_text)
        self._last_reminder: Reminder | None = None
        self._tooltip = ""
        self.running_action: QAction | None = None
        self.sync_action: QAction | None = None
        state.changed.connect(self.update)
        state.heartbeat.connect(self.update_tooltip)
        self.update()

    # ---------------------------------------------------------------- view

    def update(self) -> None:
        running = self.state.snapshot.running is not None
        self.icon.setIcon(tray_icon(running))
        self.update_tooltip()
        self.rebuild_menu()

    def update_tooltip(self) -> None:
        text = tooltip_text(self.state)
        if text != self._tooltip:  # the minute changed: cheap, and no repaint otherwise
            self._tooltip = text
            self.icon.setToolTip(text)

    def rebuild_menu(self) -> None:
        menu, snap = self.menu, self.state.snapshot
        menu.clear()
        self.running_action = None
        if snap.profile is not None:
            if snap.running is not None:
                self.running_action = menu.addAction("")
                self.running_action.triggered.connect(self.popup_requested)
                self._refresh_running_text()
                _act(menu, "S&top timer", self.state.stop)
            else:
                idle = menu.addAction("No timer running")
                idle.setEnabled(False)
            if snap.recent:
                menu.addSection("Recent")
                for combo in snap.recent[:RECENT_COUNT]:
                    self._add_recent(combo)
            menu.addSeparator()
        _act(menu, "&Start timer…", self.popup_requested)
        log_time = _act(menu, "&Log time…", self.log_time_requested)
        log_time.setEnabled(snap.profile is not None)
        role = snap.profile.role if snap.profile else ""
        shown = [w for w in self.windows if not w.roles or role in w.roles]
        if shown:
            menu.addSeparator()
            for window in shown:
                _act(menu, window.label, window.open)
        menu.addSeparator()
        self.sync_action = menu.addAction(self.sync_status if self.sync_logged_in else LOCAL_ONLY)
        self.sync_action.setEnabled(False)
        if self.sync_logged_in:
            _act(menu, "Sync &now", self.sync_requested)
        if self.sync_attention:
            _act(menu, f"Needs &attention ({self.sync_attention})…", self.attention_requested)
        menu.addSeparator()
        _act(menu, "Se&ttings…", self.settings_requested)
        _act(menu, "&Quit", self.quit_requested)

    def set_sync(self, text: str, logged_in: bool, attention: int) -> None:
        """The sync line, Sync now and Needs attention; rebuilds only on a change."""
        if (logged_in, attention) == (self.sync_logged_in, self.sync_attention):
            self.sync_status = text
            if self.sync_action is not None and logged_in:
                self.sync_action.setText(text)  # in place: an open menu stays open
            return
        self.sync_status, self.sync_logged_in, self.sync_attention = text, logged_in, attention
        self.rebuild_menu()

    def _add_recent(self, combo: dto.Combination) -> None:
        running = self.state.snapshot.running
        current = running is not None and (running.customer_id, running.project_id,
                                           running.task_id) == (
            combo.customer_id, combo.project_id, combo.task_id)
        # the task with its title ("#5566 Teams phone rollout"), elided past
        # RECENT_TEXT_PX; the tooltip has it whole, with the description it reuses
        text = self.menu.fontMetrics().elidedText(combo.label, Qt.TextElideMode.ElideRight,
                                                  RECENT_TEXT_PX)
        action = self.menu.addAction(text.replace("&", "&&"))
        action.setCheckable(True)
        action.setChecked(current)
        said = f" — {combo.description}" if combo.description else ""
        action.setToolTip(f"Start a timer on {combo.label}{said}")
        action.triggered.connect(lambda _c=False, c=combo: self.state.start(c))

    def _refresh_running_text(self) -> None:
        running = self.state.snapshot.running
        if self.running_action is not None and running is not None:
            elapsed = format_duration(running.elapsed_s(self.state.now()))
            # the task with its title, elided like Recent; the tooltip has it whole
            label = self.menu.fontMetrics().elidedText(
                running.label, Qt.TextElideMode.ElideRight, RECENT_TEXT_PX)
            self.running_action.setText(f"▶ {label} — {elapsed}".replace("&", "&&"))
            self.running_action.setToolTip(f"{running.label} — open the timer")
        self.update_tooltip()

    def action_texts(self) -> list[str]:
        return [a.text() for a in self.menu.actions() if not a.isSeparator() or a.text()]

    # -------------------------------------------------------------- events

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            emit(self.popup_requested)

    def notify(self, reminder: Reminder) -> None:
        self._last_reminder = reminder
        self.icon.showMessage(reminder.title, reminder.message,
                              QSystemTrayIcon.MessageIcon.Information, 15000)

    def _message_clicked(self) -> None:
        if self._last_reminder is not None:
            emit(self.reminder_clicked, self._last_reminder)

    def anchor(self) -> QPoint:
        """Where the popup should appear: by the icon, else by the mouse."""
        geometry: QRect = self.icon.geometry()
        return geometry.bottomLeft() if geometry.isValid() else QCursor.pos()
