"""The local store's tables (SQLAlchemy 2.x typed models).

The same entities live on the server. Every synced row carries

* ``id`` — a UUIDv4 string made where the row is born (laptop or server);
* ``version`` — assigned by the server, 0 while the row was never synced;
* ``updated_at`` — UTC, informational only (laptop clocks never order changes);
* ``deleted_at`` — the tombstone; synced rows are never hard-deleted.

Rules the schema itself enforces, so that no code path (CLI, tray, a second
process) can break them:

* at most one running timer per user — a partial unique index over
  ``time_entry.user_id`` where the entry was started, not ended and not deleted;
* ``duration_s >= 0`` and ``ended_at >= started_at``;
* one timesheet per (user, week_start).

Money is integer minor units; durations are integer seconds; instants are UTC.
The ORM objects never leave :mod:`desktop.core.services`: callers get plain
dataclasses (:mod:`desktop.core.dto`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from desktop.core.timeutil import utcnow

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware UTC datetimes; SQLite keeps them as ISO text without zone,
    so the zone is put back on the way out. Naive input is refused: a naive
    instant is a bug (whose local time was it?)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Synced:
    """Columns every synced entity carries."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class Customer(Synced, Base):
    __tablename__ = "customer"

    name: Mapped[str] = mapped_column(String(200))
    is_internal: Mapped[bool] = mapped_column(Boolean, default=False)
    default_billable: Mapped[bool] = mapped_column(Boolean, default=True)
    round_increment_min: Mapped[int] = mapped_column(Integer, default=0)
    round_minimum_min: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        CheckConstraint("round_increment_min >= 0 AND round_minimum_min >= 0", name="rounding"),
    )


class Project(Synced, Base):
    __tablename__ = "project"

    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # None = inherit the customer's default.
    default_billable: Mapped[bool | None] = mapped_column(Boolean, default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # An optional budget: hours (as seconds) or money (minor units), not both.
    budget_s: Mapped[int | None] = mapped_column(Integer, default=None)
    budget_minor: Mapped[int | None] = mapped_column(Integer, default=None)


class Task(Synced, Base):
    """A service ticket, project ticket or activity. Belongs to a project (and so
    to its customer) or directly to a customer."""

    __tablename__ = "task"

    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.id"), index=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    external_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    # None = inherit from the project, then the customer.
    default_billable: Mapped[bool | None] = mapped_column(Boolean, default=None)
    # Who opened it (a user id; None for tasks older than the column). Decides
    # who may edit it (desktop.core.permissions.can_edit_task).
    created_by: Mapped[str | None] = mapped_column(String(36), default=None)


class Team(Synced, Base):
    __tablename__ = "team"

    name: Mapped[str] = mapped_column(String(200))
    manager_id: Mapped[str | None] = mapped_column(
        ForeignKey("user.id", use_alter=True), index=True
    )


class User(Synced, Base):
    __tablename__ = "user"

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="technician")
    team_id: Mapped[str | None] = mapped_column(ForeignKey("team.id"), index=True)
    # Scheduled hours per weekday, Monday first, in seconds (7 integers).
    work_schedule: Mapped[list[int]] = mapped_column(JSON)
    utilization_target: Mapped[int] = mapped_column(Integer, default=75)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    first_weekday: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        CheckConstraint("role IN ('technician', 'manager', 'admin')", name="role"),
        CheckConstraint("utilization_target BETWEEN 0 AND 200", name="target"),
        CheckConstraint("first_weekday BETWEEN 0 AND 6", name="first_weekday"),
    )


class Rate(Synced, Base):
    """An effective-dated billing or cost rate (integer minor units per hour)."""

    __tablename__ = "rate"

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    effective_from: Mapped[date] = mapped_column(Date)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customer.id"))
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"))

    __table_args__ = (
        CheckConstraint("kind IN ('billing', 'cost')", name="kind"),
        CheckConstraint("amount_minor >= 0", name="amount"),
        # the latest rate change on or before a date, in one index seek (reports)
        Index("ix_rate_user_deleted_effective", "user_id", "deleted_at", "effective_from"),
    )


class TimeEntry(Synced, Base):
    __tablename__ = "time_entry"

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id"))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.id"))
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"))
    task_id: Mapped[str | None] = mapped_column(ForeignKey("task.id"))
    work_date: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_s: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    billable: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(12), default="manual")
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint("duration_s >= 0", name="duration"),
        CheckConstraint(
            "ended_at IS NULL OR started_at IS NULL OR ended_at >= started_at", name="order"
        ),
        CheckConstraint("ended_at IS NULL OR started_at IS NOT NULL", name="end_needs_start"),
        CheckConstraint("source IN ('timer', 'manual', 'grid', 'idle-split')", name="source"),
        Index("ix_time_entry_user_work_date", "user_id", "work_date"),
        # reports over a period for everyone, and a project's budget burn
        Index("ix_time_entry_work_date", "work_date"),
        Index("ix_time_entry_project_id", "project_id"),
        # profitability: GROUP BY person, customer, project, billable in index
        # order, covering every column it reads (no sort, no table lookups)
        Index(
            "ix_time_entry_money",
            "user_id",
            "customer_id",
            "project_id",
            "billable",
            "work_date",
            "duration_s",
            "deleted_at",
        ),
        Index(
            "uq_time_entry_one_running_timer",
            "user_id",
            unique=True,
            # The server's copy of the table adds the same condition for
            # PostgreSQL (sync.server.db.models); naming that dialect here would
            # import it into every desktop command.
            sqlite_where=text("ended_at IS NULL AND started_at IS NOT NULL AND deleted_at IS NULL"),
        ),
    )


class Timesheet(Synced, Base):
    __tablename__ = "timesheet"

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id"))
    week_start: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("user_id", "week_start"),
        CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'rejected', 'returned')",
            name="status",
        ),
    )


class TimesheetEvent(Synced, Base):
    """Append-only audit of every workflow transition."""

    __tablename__ = "timesheet_event"

    timesheet_id: Mapped[str] = mapped_column(ForeignKey("timesheet.id"), index=True)
    actor_id: Mapped[str] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(12))
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    content_hash: Mapped[str] = mapped_column(String(64))


class Holiday(Synced, Base):
    """A company holiday (``user_id`` null) or one user's time off."""

    __tablename__ = "holiday"

    date: Mapped[date] = mapped_column(Date, index=True)
    hours_s: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[str | None] = mapped_column(ForeignKey("user.id"), index=True)

    __table_args__ = (CheckConstraint("hours_s > 0 AND hours_s <= 86400", name="hours"),)


class CompanySetting(Base):
    """Company policies (description policy, currency…): synced reference data."""

    __tablename__ = "company_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# ---------------------------------------------------------------- local only


class Preference(Base):
    """This device's preferences (profile, reminders, idle threshold). Never synced."""

    __tablename__ = "preference"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Outbox(Base):
    """One row per local mutation, written in the same transaction as the row it
    describes; the sync client pushes them in ``seq`` order."""

    __tablename__ = "outbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    entity: Mapped[str] = mapped_column(String(32))
    op: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    base_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16), default="pending")
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("state IN ('pending', 'attention', 'done')", name="state"),
        Index("ix_outbox_state_seq", "state", "seq"),
    )


class SyncState(Base):
    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), default=new_id)
    server_url: Mapped[str | None] = mapped_column(String(500))
    pull_cursor: Mapped[int] = mapped_column(Integer, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)



class ImportKey(Base):
    """Which source rows an import already wrote (never synced): importing the
    same file again finds its keys here and adds nothing. One row per (source,
    user, key); ``entry_id`` is the entry the row became."""

    __tablename__ = "import_key"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("time_entry.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

SYNCED_ENTITIES: dict[str, type[Synced]] = {
    "customer": Customer,
    "project": Project,
    "task": Task,
    "team": Team,
    "user": User,
    "rate": Rate,
    "time_entry": TimeEntry,
    "timesheet": Timesheet,
    "timesheet_event": TimesheetEvent,
    "holiday": Holiday,
}
