"""The time entry and the timer's state as plain, frozen dataclasses, with the
naming and counting rules they use — :mod:`desktop.core.dto` re-exports them
(the same classes).

They live apart from dto's other classes because building a frozen dataclass
costs about a millisecond here (its methods are compiled at import): the lean
``punchclock status`` path (:mod:`desktop.core.quickread`) needs only these two
and so never builds the other forty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


def target_path(customer: str, project: str | None, task: str | None, task_ref: str | None) -> str:
    """ "ACME › Server migration › #4521" — how the tray and the grid name what is tracked."""
    parts = [customer]
    if project:
        parts.append(project)
    if task:
        parts.append(f"#{task_ref}" if task_ref else task)
    return " › ".join(parts)


def task_label(task: str | None, task_ref: str | None) -> str:
    """ "#5566 Teams phone rollout" — a task with its ticket number and title."""
    if not task:
        return ""
    return f"#{task_ref} {task}" if task_ref else task


def target_label(customer: str, project: str | None, task: str | None, task_ref: str | None) -> str:
    """ "ACME › Phones › #5566 Teams phone rollout" — the path with the task's
    title, where there is room for it (the popup, its Continue and recent)."""
    parts = [customer, project or "", task_label(task, task_ref)]
    return " › ".join(p for p in parts if p)


def worked_s(
    started_at: datetime | None, ended_at: datetime | None, duration_s: int, now: datetime
) -> int:
    """Seconds an entry counts: the stored duration, or for a running timer the
    time since its stored start (so a restart never loses a running timer)."""
    if started_at is not None and ended_at is None:
        return max(0, int((now - started_at).total_seconds()))
    return duration_s


@dataclass(frozen=True)
class Entry:
    id: str
    user_id: str
    user: str
    customer_id: str
    customer: str
    project_id: str | None
    project: str | None
    task_id: str | None
    task: str | None
    task_ref: str | None
    work_date: date
    started_at: datetime | None
    ended_at: datetime | None
    duration_s: int
    description: str
    billable: bool
    source: str
    rejection_reason: str | None
    version: int

    @property
    def running(self) -> bool:
        return self.started_at is not None and self.ended_at is None

    def elapsed_s(self, now: datetime) -> int:
        return worked_s(self.started_at, self.ended_at, self.duration_s, now)

    @property
    def path(self) -> str:
        return target_path(self.customer, self.project, self.task, self.task_ref)

    @property
    def label(self) -> str:
        return target_label(self.customer, self.project, self.task, self.task_ref)


@dataclass(frozen=True)
class TimerStatus:
    """Where the user's timer stands: the running entry (None when stopped),
    its elapsed time and the day's total so far."""

    running: Entry | None
    elapsed_s: int
    today_s: int
