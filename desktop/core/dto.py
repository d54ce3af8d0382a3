"""Plain, frozen dataclasses handed to the CLI and the UI.

Services never return live ORM objects: a window may keep one of these for as
long as it likes, across threads, without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    is_internal: bool
    default_billable: bool
    round_increment_min: int
    round_minimum_min: int
    active: bool


@dataclass(frozen=True)
class Project:
    id: str
    customer_id: str
    customer: str
    name: str
    default_billable: bool | None
    active: bool


@dataclass(frozen=True)
class Task:
    id: str
    customer_id: str
    customer: str
    project_id: str | None
    project: str | None
    title: str
    external_ref: str | None
    status: str
    default_billable: bool | None

    @property
    def label(self) -> str:
        return f"#{self.external_ref} {self.title}" if self.external_ref else self.title


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    manager_id: str | None
    manager_email: str | None


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str
    role: str
    team_id: str | None
    team: str | None
    work_schedule_s: tuple[int, ...]
    utilization_target: int
    timezone: str
    first_weekday: int
    managed_team_ids: frozenset[str] = field(default_factory=frozenset)


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
        """Seconds worked: the stored duration, or for a running timer the time
        since its stored start (so a restart never loses a running timer)."""
        if self.running and self.started_at is not None:
            return max(0, int((now - self.started_at).total_seconds()))
        return self.duration_s

    @property
    def path(self) -> str:
        """"ACME › Server migration › #4521" — how the tray names what is tracked."""
        parts = [self.customer]
        if self.project:
            parts.append(self.project)
        if self.task:
            parts.append(f"#{self.task_ref}" if self.task_ref else self.task)
        return " › ".join(parts)


@dataclass(frozen=True)
class SavedEntry:
    """An entry that was just written, and the warnings the write produced
    (overlaps are allowed but reported)."""

    entry: Entry
    warnings: tuple[str, ...] = ()
    stopped: Entry | None = None


@dataclass(frozen=True)
class Combination:
    """A customer / project / task combination the user tracked recently."""

    customer_id: str
    customer: str
    project_id: str | None
    project: str | None
    task_id: str | None
    task: str | None
    task_ref: str | None
    last_used: datetime

    @property
    def path(self) -> str:
        parts = [self.customer]
        if self.project:
            parts.append(self.project)
        if self.task:
            parts.append(f"#{self.task_ref}" if self.task_ref else self.task)
        return " › ".join(parts)
