"""The tray tells a technician that a week of theirs was rejected or returned.

Once a second the tray's heartbeat asks SQLite whether anything was committed
(``PRAGMA data_version``, no table read); only then it asks the core for the
latest reject or return of the user's weeks (one query). A decision newer than
the last one seen becomes a notification whose click opens that week. The
decision already there when the app starts is not announced again.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QObject, Signal

from desktop.core import dto
from desktop.core.errors import PunchclockError
from desktop.core.services.reminders import TIMESHEET, Reminder
from desktop.ui.qtcompat import emit
from desktop.ui.state import TrackerState

KIND = "sheet_decision"


def reminder_for(d: dto.Decision) -> Reminder:
    verb = "rejected" if d.action == "reject" else "returned for revision"
    why = f": {d.comment}" if d.comment else ""
    return Reminder(KIND, f"{KIND}:{d.week_start.isoformat()}:{d.event_id}",
                    f"Timesheet {d.week} {verb}",
                    f"{d.actor or 'Your manager'} {verb} week {d.week}{why}. "
                    "Click to open the week.", TIMESHEET)


def week_of(reminder: Reminder) -> date | None:
    """The week a decision's notification opens (None for other reminders)."""
    if reminder.kind != KIND:
        return None
    return date.fromisoformat(reminder.key.split(":")[1])


class DecisionWatch(QObject):
    decided = Signal(object)  # a Reminder

    def __init__(self, state: TrackerState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._version: int | None = None
        self._seen: str | None = None
        self._started = False
        state.heartbeat.connect(self.poll)

    def poll(self) -> None:
        app, profile = self.state.app, self.state.snapshot.profile
        if profile is None:
            return
        try:
            version = app.db.data_version()
            if version == self._version:
                return
            self._version = version
            latest = app.timesheets.last_decision(profile.id)
        except PunchclockError:
            return
        key = latest.event_id if latest else None
        if self._started and latest is not None and key != self._seen:
            emit(self.decided, reminder_for(latest))
        self._seen, self._started = key, True
