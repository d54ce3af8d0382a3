"""The timer's state read through the standard ``sqlite3`` module — the lean
path of ``punchclock status`` and of the tray's first paint.

Status bars poll ``status`` every few seconds; importing SQLAlchemy, the mapped
models and Alembic costs many times the read itself. :func:`timer_status`
reads the same rows the tracking service reads (the profile, its user, the
running timer with its customer / project / task names, the day's counted
entries)
and builds the same :class:`~desktop.core.entry_dto.TimerStatus`, counting time with
the same rule (:func:`desktop.core.entry_dto.worked_s`) and the same local date
(:func:`desktop.core.timeutil.work_date`).

It only answers for the plain case: a store at the current schema
(:func:`desktop.core.schema.is_current`) with a profile whose user exists and
has a known timezone. Anything else returns None and the caller takes the
full path, which migrates, or raises the error the user should see — so the
two paths can read differently but never decide differently (the tests give
both the same cases).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from desktop.core.entry_dto import Entry, TimerStatus, worked_s
from desktop.core.errors import ValidationError
from desktop.core.paths import DB_FILENAME
from desktop.core.schema import SCHEMA_HEAD, code_is_current, open_read_only, revision_of
from desktop.core.timeutil import work_date

PROFILE_KEY = "profile.user_id"
"""The preference naming the user this device tracks for."""

_RUNNING = """
SELECT e.id, e.user_id, u.email, e.customer_id, c.name, e.project_id, p.name,
       e.task_id, t.title, t.external_ref, e.work_date, e.started_at, e.ended_at,
       e.duration_s, e.description, e.billable, e.source, e.rejection_reason, e.version
FROM time_entry e
LEFT JOIN user u ON u.id = e.user_id
LEFT JOIN customer c ON c.id = e.customer_id
LEFT JOIN project p ON p.id = e.project_id
LEFT JOIN task t ON t.id = e.task_id
WHERE e.user_id = ? AND e.started_at IS NOT NULL AND e.ended_at IS NULL
  AND e.deleted_at IS NULL
LIMIT 1
"""

COUNTED = (
    "time_entry.deleted_at IS NULL AND NOT (time_entry.version = 0 AND time_entry.id IN "
    "(SELECT outbox.entity_id FROM outbox WHERE outbox.entity = 'time_entry' AND "
    "outbox.state = 'attention' AND outbox.op = 'create') AND (time_entry.id NOT IN "
    "(SELECT outbox.entity_id FROM outbox WHERE outbox.entity = 'time_entry' AND "
    "outbox.state = 'pending')))"
)
"""The entries totals count: :func:`desktop.core.outbox.counted` as SQLite SQL
(a test compiles that predicate and compares)."""

_DAY = f"""
SELECT started_at, ended_at, duration_s FROM time_entry
WHERE user_id = ? AND work_date = ? AND {COUNTED}
"""


@dataclass(frozen=True)
class QuickStatus:
    """The timer's state and the zone to show it in."""

    status: TimerStatus
    timezone: str


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def timer_status(data_dir: Path, now: datetime) -> QuickStatus | None:
    """The profile user's timer at ``now``, or None when the full path must answer."""
    if not code_is_current():
        return None
    conn = open_read_only(data_dir / DB_FILENAME)
    if conn is None:
        return None
    try:
        return _read(conn, now)
    except (sqlite3.Error, ValueError, TypeError, ValidationError):
        return None
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, now: datetime) -> QuickStatus | None:
    conn.execute("BEGIN")  # one snapshot for every read below
    if revision_of(conn) != SCHEMA_HEAD:
        return None
    pref = conn.execute("SELECT value FROM preference WHERE key = ?", (PROFILE_KEY,)).fetchone()
    if pref is None or pref[0] is None:
        return None
    user_id = json.loads(pref[0])
    if not isinstance(user_id, str):
        return None
    user = conn.execute(
        "SELECT timezone FROM user WHERE id = ? AND deleted_at IS NULL", (user_id,)
    ).fetchone()
    if user is None:
        return None
    tz = str(user[0])
    today = work_date(now, tz)
    row = conn.execute(_RUNNING, (user_id,)).fetchone()
    running = _entry(row) if row is not None else None
    today_s = sum(
        worked_s(_instant(start), _instant(end), int(seconds), now)
        for start, end, seconds in conn.execute(_DAY, (user_id, today.isoformat()))
    )
    elapsed = running.elapsed_s(now) if running else 0
    return QuickStatus(TimerStatus(running, elapsed, today_s), tz)


def _entry(row: tuple[object, ...]) -> Entry:
    (id_, user_id, email, customer_id, customer, project_id, project, task_id, task,
     task_ref, day, started, ended, seconds, description, billable, source, reason,
     version) = row  # fmt: skip
    return Entry(
        id=str(id_),
        user_id=str(user_id),
        user=str(email or ""),
        customer_id=str(customer_id),
        customer=str(customer or ""),
        project_id=None if project_id is None else str(project_id),
        project=None if project_id is None or project is None else str(project),
        task_id=None if task_id is None else str(task_id),
        task=None if task_id is None or task is None else str(task),
        task_ref=None if task_id is None or task_ref is None else str(task_ref),
        work_date=date.fromisoformat(str(day)),
        started_at=_instant(None if started is None else str(started)),
        ended_at=_instant(None if ended is None else str(ended)),
        duration_s=int(str(seconds)),
        description=str(description or ""),
        billable=bool(billable),
        source=str(source),
        rejection_reason=None if reason is None else str(reason),
        version=int(str(version)),
    )
