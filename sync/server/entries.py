"""Time-entry rules on the server, mirroring the desktop's tracking service
with the pure rule modules (one rule, two ends):

* the customer exists; a project belongs to that customer; a task belongs to
  that customer and, when it has a project, to that project; a reference an
  update leaves unchanged is not re-checked for being live, so an entry whose
  task was archived or deleted by someone else stays editable by its owner;
* ``duration_s`` is 0..24 h, ``ended_at >= started_at``, an end needs a start,
  ``source`` is one of the desktop's sources; the description passes
  :func:`desktop.core.rules.check_description_text` and is stored trimmed;
* an entry's times agree with each other as the desktop makes them: with a
  start, ``work_date`` is the local date at ``started_at`` in the owner's
  timezone (:func:`desktop.core.timeutil.work_date`); with a start and an end,
  ``duration_s`` is ``ended_at - started_at`` in whole seconds. An update that
  leaves all four fields as stored is not re-judged (the owner's timezone may
  have changed since the entry was logged);
* a day holds at most 24 h (``rules.MAX_DAY_S``) of the owner's time;
* entries of a submitted or approved week are locked
  (:func:`desktop.core.workflow.check_entry_editable`), for the week the entry
  is in and the week it moves to;
* two running timers for one user: the later start stops the earlier one at
  that instant (server decides; laptop clocks never order anything else) —
  only when that stop is itself allowed: the stopped timer's week is open, it
  runs at most 24 h, and its day stays within 24 h. Otherwise the mutation
  that brought the second timer is refused (``locked`` or ``validation``,
  naming the running timer) and nothing changes: the user stops the running
  timer when it really stopped, then starts again. This is DESIGN §6's "a
  submitted/approved week wins over an offline edit" and the 24 h day applied
  to the stop the rule would make — the one stop the desktop's own start makes
  too (after checking the running timer's week).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, select

from desktop.core.errors import Locked, NotFound, ValidationError
from desktop.core.rules import (
    ENTRY_SOURCES,
    MAX_DAY_S,
    TASK_STATUSES,
    check_description_text,
    settle_two_timers,
)
from desktop.core.timeutil import format_week, week_start, work_date
from desktop.core.workflow import Status, check_entry_editable
from sync.server.db.models import ENTITY_TABLES
from sync.server.rows import KEY_PARAM, RowWriter, by_key, get_row

_entry = ENTITY_TABLES["time_entry"]
_sheet = ENTITY_TABLES["timesheet"]
_user = ENTITY_TABLES["user"]


@cache
def _live_by_key(entity: str) -> Select[Any]:
    return by_key(entity).where(ENTITY_TABLES[entity].c.deleted_at.is_(None))


def _live(conn: Connection, entity: str, key: str | None) -> dict[str, Any] | None:
    if key is None:
        return None
    row = conn.execute(_live_by_key(entity), {KEY_PARAM: key}).mappings().first()
    return dict(row) if row is not None else None


_FIRST_WEEKDAY = select(_user.c.first_weekday).where(_user.c.id == bindparam("user_id"))
_SHEET_OF = select(_sheet).where(
    _sheet.c.user_id == bindparam("user_id"),
    _sheet.c.week_start == bindparam("start"),
    _sheet.c.deleted_at.is_(None),
)
_DAY_TOTAL = select(func.coalesce(func.sum(_entry.c.duration_s), 0)).where(
    _entry.c.user_id == bindparam("user_id"),
    _entry.c.work_date == bindparam("day"),
    _entry.c.deleted_at.is_(None),
    _entry.c.id != bindparam("exclude_id"),
)


def first_weekday(conn: Connection, user_id: str) -> int:
    found = conn.scalar(_FIRST_WEEKDAY, {"user_id": user_id})
    return int(found or 0)


def sheet_of(conn: Connection, user_id: str, start: date) -> dict[str, Any] | None:
    row = conn.execute(_SHEET_OF, {"user_id": user_id, "start": start}).mappings().first()
    return dict(row) if row is not None else None


def check_week_open(conn: Connection, user_id: str, day: date) -> None:
    start = week_start(day, first_weekday(conn, user_id))
    sheet = sheet_of(conn, user_id, start)
    if sheet is not None:
        check_entry_editable(Status(sheet["status"]), format_week(start))


def _row(conn: Connection, entity: str, key: str | None) -> dict[str, Any] | None:
    return None if key is None else get_row(conn, entity, key)


def _target(
    conn: Connection, row: dict[str, Any], current: dict[str, Any] | None, entity: str, what: str
) -> dict[str, Any] | None:
    """The customer / project / task row ``row`` refers to. A reference the update leaves
    as it was is taken as it is, even when that row was archived or deleted
    meanwhile (someone else's clean-up never locks an owner out of their own
    entry); a new reference must be to a live row."""
    column = f"{entity}_id"
    key = row.get(column)
    if key is None:
        return None
    if current is not None and current.get(column) == key:
        return _row(conn, entity, key)
    found = _live(conn, entity, key)
    if found is None:
        raise ValidationError(f"the {what} doesn't exist (or was deleted)")
    return found


def _customer_and_project(
    conn: Connection, row: dict[str, Any], current: dict[str, Any] | None, owner: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The customer ``row`` (an entry or a task) belongs to, and its project
    when it names one, which must be that customer's."""
    customer = _target(conn, row, current, "customer", f"{owner}'s customer")
    if customer is None:
        raise ValidationError(f"the {owner}'s customer doesn't exist (or was deleted)")
    project = _target(conn, row, current, "project", f"{owner}'s project")
    if project is not None and project["customer_id"] != customer["id"]:
        raise ValidationError("the project belongs to another customer")
    return customer, project


def check_entry(
    conn: Connection, row: dict[str, Any], current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Validate the entry as it would be saved (``current``: the stored row of
    an update); returns it with the description trimmed."""
    owner = _live(conn, "user", row.get("user_id"))
    if owner is None:
        raise NotFound("no such user")
    customer, _ = _customer_and_project(conn, row, current, "entry")
    task = _target(conn, row, current, "task", "entry's task")
    if task is not None:
        if task["customer_id"] != customer["id"]:
            raise ValidationError("the task belongs to another customer")
        if task["project_id"] is not None and task["project_id"] != row.get("project_id"):
            raise ValidationError("the task belongs to another project")
    if row.get("work_date") is None:
        raise ValidationError("an entry needs a work_date")
    duration = row.get("duration_s") or 0
    if not 0 <= duration <= MAX_DAY_S:
        raise ValidationError("duration_s must be between 0 and 24 hours")
    started, ended = row.get("started_at"), row.get("ended_at")
    if ended is not None and started is None:
        raise ValidationError("an entry with an end needs a start")
    if started is not None and ended is not None and ended < started:
        raise ValidationError("the entry ends before it starts")
    if row.get("source", "manual") not in ENTRY_SOURCES:
        raise ValidationError(f"source must be one of {', '.join(ENTRY_SOURCES)}")
    _check_times(row, current, owner["timezone"])
    cleaned = dict(row)
    cleaned["description"] = check_description_text(row.get("description") or "")
    if cleaned.get("deleted_at") is None:
        others = _day_total(conn, row["user_id"], row["work_date"], row.get("id", ""))
        if others + duration > MAX_DAY_S:
            raise ValidationError(
                f"{row['work_date'].isoformat()} would hold more than 24 hours of time"
            )
    return cleaned


_TIME_FIELDS = ("work_date", "started_at", "ended_at", "duration_s")


def _check_times(row: dict[str, Any], current: dict[str, Any] | None, tz: str) -> None:
    """``work_date`` and ``duration_s`` agree with the start and end (module rule)."""
    if current is not None and all(row.get(f) == current.get(f) for f in _TIME_FIELDS):
        return
    started, ended = row.get("started_at"), row.get("ended_at")
    if started is None:
        return
    local = work_date(started, tz)
    if row["work_date"] != local:
        raise ValidationError(
            f"work_date {row['work_date'].isoformat()} is not the date the entry starts "
            f"on in {tz} ({local.isoformat()})"
        )
    if ended is not None:
        seconds = int((ended - started).total_seconds())
        if (row.get("duration_s") or 0) != seconds:
            raise ValidationError(
                f"duration_s {row.get('duration_s') or 0} is not the time from started_at "
                f"to ended_at ({seconds})"
            )


def _day_total(conn: Connection, user_id: str, day: date, exclude_id: str) -> int:
    """Seconds the user's live entries other than ``exclude_id`` hold on ``day``."""
    total = conn.scalar(_DAY_TOTAL, {"user_id": user_id, "day": day, "exclude_id": exclude_id})
    return int(total or 0)


def _check_stop(conn: Connection, timer: dict[str, Any], at: datetime) -> None:
    """The two-timers rule may stop ``timer`` at ``at`` only as a stop of its own
    would be allowed (module rule)."""
    began = timer["started_at"]
    what = f"the running timer started {began.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    try:
        check_week_open(conn, timer["user_id"], timer["work_date"])
    except Locked as exc:
        raise Locked(f"{what} can't be stopped: {exc.message}") from None
    seconds = int((at - began).total_seconds())
    if seconds > MAX_DAY_S:
        raise ValidationError(
            f"stopping {what} at {at.astimezone(UTC):%Y-%m-%d %H:%M} UTC would make it run "
            "more than 24 hours; stop it when it really stopped, then start again"
        )
    day = timer["work_date"]
    if _day_total(conn, timer["user_id"], day, timer["id"]) + seconds > MAX_DAY_S:
        raise ValidationError(
            f"stopping {what} at {at.astimezone(UTC):%H:%M} UTC would put more than 24 hours "
            f"on {day.isoformat()}; stop it when it really stopped, then start again"
        )


def check_task_row(
    conn: Connection, row: dict[str, Any], current: dict[str, Any] | None = None
) -> None:
    """A task belongs to a live customer and, when it names a project, to a live
    project of that customer (references an update leaves unchanged are taken as
    they are); its status is one of ``TASK_STATUSES``."""
    _customer_and_project(conn, row, current, "task")
    if row.get("status", "open") not in TASK_STATUSES:
        raise ValidationError(f"a task's status is one of {', '.join(TASK_STATUSES)}")


def is_running(row: dict[str, Any]) -> bool:
    return (
        row.get("started_at") is not None
        and row.get("ended_at") is None
        and row.get("deleted_at") is None
    )


def settle_running(writer: RowWriter, row: dict[str, Any]) -> dict[str, Any]:
    """Apply the two-running-timers rule before ``row`` is saved; returns the row
    to save (stopped itself when the other timer started later)."""
    if not is_running(row):
        return row
    other = (
        writer.conn.execute(
            select(_entry).where(
                _entry.c.user_id == row["user_id"],
                _entry.c.id != row["id"],
                _entry.c.started_at.is_not(None),
                _entry.c.ended_at.is_(None),
                _entry.c.deleted_at.is_(None),
            )
        )
        .mappings()
        .first()
    )
    if other is None:
        return row
    stop = settle_two_timers(other["started_at"], row["started_at"])
    _check_stop(writer.conn, dict(other) if stop.stored_stops else row, stop.ended_at)
    stopped = {"ended_at": stop.ended_at, "duration_s": stop.duration_s}
    if stop.stored_stops:
        writer.save("time_entry", dict(other), stopped)
        return row
    return {**row, **stopped}
