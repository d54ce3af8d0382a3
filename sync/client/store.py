"""Writing server state into the local store (the replica side of sync).

* Server rows are written through a second SQLite engine on the same file with
  the same guarantees (WAL, ``synchronous=FULL``, busy timeout, ``BEGIN
  IMMEDIATE``) but with foreign-key enforcement off: the server is the
  authority on integrity, and a page of changes may reference a row that comes
  in a later page (or one the reader may not see, such as the manager who
  decided a week). Local edits keep going through ``Database.write()`` with
  foreign keys on.
* A pulled change never overwrites a local edit still pending in the outbox:
  the server's fields are taken except those a pending mutation changed
  (``fields``); a pending create, delete or workflow action keeps the whole
  local row. A server tombstone always wins (nothing resurrects).
* Timesheets are matched by (user_id, week_start): when the server's row has
  another id than the local draft, the local row adopts the server id and its
  ``timesheet_event`` rows and outbox rows follow. Provisional local audit
  events (version 0) of a week are dropped once the server's copy of the week
  arrives with no action pending (the server's events replace them).
* A pulled running timer never makes two for one user: the earlier one stops
  where the later started (the server's rule, until its own copy arrives).
  That stop is provisional (its id is kept in the ``sync.provisional``
  preference): the laptop's own later timer may reach the server already
  stopped, and then the server keeps the earlier one running. Once nothing of
  the laptop's time entries waits to be pushed, the engine reads the server's
  copy of each provisionally stopped timer and applies it like a pulled change
  (:func:`settle_provisional`), so the laptop never keeps a stop the server
  doesn't have.
* A change the local store still refuses (a schema rule) is parked in the
  ``sync.parked`` preference instead of failing its page, and applied again
  with every later page (dropped once a newer copy of its row arrives).
* A ``gone`` change (the row left this reader's view: a team or role change
  on the server) removes the local copy through the replica — no outbox row,
  so nothing is pushed; it is not a delete (:func:`withdraw`).
* Users are matched by id, then by email (re-keying the local row and every
  row that references it). Company settings are keyed by ``key``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from desktop.core.db import Database, sqlite_engine
from desktop.core.model import (
    SYNCED_ENTITIES,
    CompanySetting,
    Holiday,
    Outbox,
    Preference,
    Rate,
    Synced,
    SyncState,
    Team,
    TimeEntry,
    Timesheet,
    TimesheetEvent,
    User,
)
from desktop.core.rules import settle_two_timers
from sync import protocol

PARKED_KEY = "sync.parked"
PROVISIONAL_KEY = "sync.provisional"
ALL = frozenset({"*"})  # a pending create/delete/action protects the whole row
SETTING = "company_setting"
# (table, column) pairs that hold a user id.
USER_REFS: tuple[tuple[type[Any], str], ...] = (
    (Team, "manager_id"),
    (Rate, "user_id"),
    (TimeEntry, "user_id"),
    (Timesheet, "user_id"),
    (Timesheet, "decided_by"),
    (TimesheetEvent, "actor_id"),
    (Holiday, "user_id"),
)


class Replica:
    """Sessions for writing server state (foreign keys off; see the module doc)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.engine = sqlite_engine(f"sqlite:///{db.path}", "BEGIN IMMEDIATE", foreign_keys=False)
        self._maker = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._maker() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


# ------------------------------------------------------------------- state


def sync_state(s: Session) -> SyncState:
    """The single sync_state row, created on first use (with a new device id)."""
    row = s.get(SyncState, 1)
    if row is None:
        row = SyncState(id=1, pull_cursor=0)
        s.add(row)
        s.flush()
    return row


def pending_map(s: Session) -> dict[tuple[str, str], frozenset[str]]:
    """(entity, entity_id) → the fields local pending mutations changed."""
    out: dict[tuple[str, str], frozenset[str]] = {}
    for entity, entity_id, op, payload in s.execute(
        select(Outbox.entity, Outbox.entity_id, Outbox.op, Outbox.payload).where(
            Outbox.state == "pending"
        )
    ):
        key = (entity, entity_id)
        fields = payload.get("fields") if op == "update" else None
        if fields is None or out.get(key) == ALL:
            out[key] = ALL
        else:
            out[key] = out.get(key, frozenset()) | frozenset(fields)
    return out


# ------------------------------------------------------------------- apply


def coerce(model: type[Any], data: dict[str, Any]) -> dict[str, Any]:
    """The wire values of ``data`` as column values of ``model`` (unknown keys dropped)."""
    out: dict[str, Any] = {}
    for column in model.__table__.columns:
        if column.key not in data:
            continue
        value = data[column.key]
        if value is not None and isinstance(value, str):
            if _is_datetime(column):
                parsed = datetime.fromisoformat(value)
                value = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
            elif isinstance(column.type, Date):
                value = date.fromisoformat(value[:10])
        out[column.key] = value
    return out


def _is_datetime(column: Any) -> bool:
    kind = column.type
    impl = getattr(kind, "impl", None)
    return (
        isinstance(kind, DateTime)
        or isinstance(impl, DateTime)
        or (isinstance(impl, type) and issubclass(impl, DateTime))
    )


def apply_change(
    s: Session,
    entity: str,
    entity_id: str,
    version: int,
    deleted: bool,
    data: dict[str, Any],
    pending: dict[tuple[str, str], frozenset[str]],
    *,
    known: bool = True,
) -> None:
    """Write one server row into the local store, merged with pending local edits.
    ``known`` false says the id is not in the store (see :func:`prefetch`)."""
    if entity == SETTING:
        _apply_setting(s, str(data.get("key", entity_id)), version, data, pending)
        return
    model = SYNCED_ENTITIES.get(entity)
    if model is None:
        return
    values = coerce(model, data)
    values.pop("id", None)
    values.pop("version", None)
    row = s.get(model, entity_id) if known else None
    if row is None and entity == "timesheet":
        row = _adopt_timesheet(s, entity_id, values, pending)
    elif row is None and entity == "user" and values.get("email"):
        old = s.scalar(select(User).where(func.lower(User.email) == str(values["email"]).lower()))
        if old is not None:
            rekey_user(s, old.id, entity_id)
            _move_pending(pending, "user", old.id, entity_id)
            s.expunge(old)
            row = s.get(model, entity_id)
    protected = pending.get((entity, entity_id), frozenset())
    if row is None:
        if deleted and not values.get("deleted_at"):
            values["deleted_at"] = datetime.now(UTC)
        new: Any = model(**values)
        new.id, new.version = entity_id, version
        s.add(new)
        row = new
    else:
        for key, value in values.items():
            if protected == ALL or key in protected:
                continue
            setattr(row, key, value)
        if deleted and row.deleted_at is None:
            row.deleted_at = values.get("deleted_at") or datetime.now(UTC)
        row.version = max(row.version or 0, version)
    if isinstance(row, TimeEntry):
        _settle_running(s, row)
    if entity == "timesheet" and protected != ALL:
        s.flush()
        s.execute(
            delete(TimesheetEvent).where(
                TimesheetEvent.timesheet_id == entity_id, TimesheetEvent.version == 0
            )
        )


def withdraw(s: Session, entity: str, entity_id: str) -> None:
    """Remove the local copy of a row that left the reader's view (see the
    module rule); a row that isn't here is nothing to do."""
    model = SYNCED_ENTITIES.get(entity)
    row = s.get(model, entity_id) if model is not None else None
    if row is not None:
        s.delete(row)
        s.flush()


_PREFETCHED = "sync.prefetched"


def prefetch(s: Session, changes: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """Load the rows a page touches in one query per entity (into the session's
    identity map, held there for the session's life: the map is weak, and a row
    dropped from it costs a query at each ``Session.get``); returns the
    (entity, id) pairs that exist locally."""
    held: list[Any] = s.info.setdefault(_PREFETCHED, [])
    by_entity: dict[str, list[str]] = {}
    for entity, entity_id in changes:
        by_entity.setdefault(entity, []).append(entity_id)
    found: set[tuple[str, str]] = set()
    for entity, ids in by_entity.items():
        model = SYNCED_ENTITIES.get(entity)
        if model is None:
            found.update((entity, i) for i in ids)  # settings: looked up one by one
            continue
        for i in range(0, len(ids), 500):
            for row in s.scalars(select(model).where(model.id.in_(ids[i : i + 500]))):
                held.append(row)
                found.add((entity, row.id))
    return found


def unpark(s: Session, page: Sequence[protocol.Change]) -> list[protocol.Change]:
    """Changes parked by earlier pages (not superseded by this page), then the page."""
    pref = s.get(Preference, PARKED_KEY)
    if pref is None or not pref.value:
        return list(page)
    newer = {(c.entity, c.entity_id) for c in page}
    old = [protocol.Change.model_validate(v) for v in pref.value]
    return [c for c in old if (c.entity, c.entity_id) not in newer] + list(page)


def park(s: Session, changes: Sequence[protocol.Change]) -> None:
    """Keep changes the local store refused for the next pull (never lost)."""
    pref = s.get(Preference, PARKED_KEY)
    if not changes:
        if pref is not None:
            s.delete(pref)
        return
    value = [c.model_dump(mode="json") for c in changes]
    if pref is None:
        s.add(Preference(key=PARKED_KEY, value=value))
    else:
        pref.value = value


def _settle_running(s: Session, row: TimeEntry) -> None:
    """At most one running timer per user (a schema rule): when a pulled timer
    runs while another local one does, the earlier one stops where the later
    started — the server's own rule; its copy follows once both are pushed."""
    if not _runs(row):
        return
    # Not flushed yet (a flush now would break the one-running-timer index), so
    # the query sees the rows as stored; the session's copies say what this page
    # already changed: a timer stopped earlier in the page no longer runs, one
    # started earlier in the page does.
    with s.no_autoflush:
        stored = s.scalars(
            select(TimeEntry).where(
                TimeEntry.user_id == row.user_id,
                TimeEntry.id != row.id,
                TimeEntry.started_at.is_not(None),
                TimeEntry.ended_at.is_(None),
                TimeEntry.deleted_at.is_(None),
            )
        ).all()
    unflushed = [o for o in (*s.new, *s.dirty) if isinstance(o, TimeEntry)]
    others = [o for o in (*stored, *unflushed) if o is not row and o.user_id == row.user_id]
    other = next((o for o in others if _runs(o)), None)
    if other is None or other.started_at is None or row.started_at is None:
        return
    stop = settle_two_timers(other.started_at, row.started_at)
    stopped = other if stop.stored_stops else row
    stopped.ended_at = stop.ended_at
    stopped.duration_s = stop.duration_s
    with s.no_autoflush:
        _keep_provisional(s, add={stopped.id})


def provisional(s: Session) -> list[str]:
    """Ids of the timers stopped here provisionally (see the module doc)."""
    pref = s.get(Preference, PROVISIONAL_KEY)
    return list(pref.value) if pref is not None and pref.value else []


def _keep_provisional(s: Session, *, add: Collection[str] = (), drop: Collection[str] = ()) -> None:
    pref = s.get(Preference, PROVISIONAL_KEY)
    old = list(pref.value) if pref is not None and pref.value else []
    ids = [i for i in old if i not in drop] + sorted(set(add) - set(old))
    if ids == old:
        return
    if pref is None:
        s.add(Preference(key=PROVISIONAL_KEY, value=ids))
    elif ids:
        pref.value = ids  # a new list: the JSON column sees the change
    else:
        s.delete(pref)


def entries_waiting(s: Session) -> bool:
    """Whether time-entry changes of this laptop still wait to be pushed."""
    return (
        s.scalar(
            select(Outbox.id)
            .where(Outbox.entity == "time_entry", Outbox.state == "pending")
            .limit(1)
        )
        is not None
    )


def settle_provisional(s: Session, records: dict[str, protocol.Record | None]) -> None:
    """Apply the server's copies of provisionally stopped timers (``None``: the
    server has no such row this reader may see; the pull says what became of
    it). Each id leaves the list unless applying its copy stops it again (the
    laptop's own later timer still runs and the server hasn't settled it)."""
    _keep_provisional(s, drop=set(records))
    pending = pending_map(s)
    for entry_id, record in records.items():
        if record is None or record.version < row_version(s, "time_entry", entry_id):
            continue  # a newer copy arrived meanwhile: the pull applied it
        apply_change(
            s, "time_entry", entry_id, record.version, record.deleted, record.data, pending
        )


def _runs(row: TimeEntry) -> bool:
    return row.started_at is not None and row.ended_at is None and row.deleted_at is None


def _apply_setting(
    s: Session,
    key: str,
    version: int,
    data: dict[str, Any],
    pending: dict[tuple[str, str], frozenset[str]],
) -> None:
    row = s.get(CompanySetting, key)
    if row is None:
        s.add(CompanySetting(key=key, value=data.get("value"), version=version))
        return
    if (SETTING, key) not in pending:
        row.value = data.get("value")
    row.version = max(row.version or 0, version)


def _adopt_timesheet(
    s: Session,
    server_id: str,
    values: dict[str, Any],
    pending: dict[tuple[str, str], frozenset[str]],
) -> Timesheet | None:
    user_id, start = values.get("user_id"), values.get("week_start")
    if user_id is None or start is None:
        return None
    local = s.scalar(
        select(Timesheet).where(Timesheet.user_id == user_id, Timesheet.week_start == start)
    )
    if local is None:
        return None
    old_id = local.id
    s.flush()
    s.expunge(local)
    s.execute(update(Timesheet).where(Timesheet.id == old_id).values(id=server_id))
    s.execute(
        update(TimesheetEvent)
        .where(TimesheetEvent.timesheet_id == old_id)
        .values(timesheet_id=server_id)
    )
    s.execute(
        update(Outbox)
        .where(Outbox.entity == "timesheet", Outbox.entity_id == old_id)
        .values(entity_id=server_id)
    )
    _move_pending(pending, "timesheet", old_id, server_id)
    return s.get(Timesheet, server_id)


def _move_pending(
    pending: dict[tuple[str, str], frozenset[str]], entity: str, old: str, new: str
) -> None:
    if (entity, old) in pending:
        pending[(entity, new)] = pending.pop((entity, old))


def rekey_user(s: Session, old_id: str, new_id: str) -> None:
    """Give the local user ``old_id`` the id ``new_id`` everywhere: the row, every
    reference, queued outbox payloads and preferences. If a row ``new_id``
    already exists the old row is merged into it (references move, old row goes)."""
    if old_id == new_id:
        return
    s.flush()
    for model, column in USER_REFS:
        col = getattr(model, column)
        s.execute(update(model).where(col == old_id).values({column: new_id}))
    if s.get(User, new_id) is not None:
        s.execute(delete(User).where(User.id == old_id))
    else:
        s.execute(update(User).where(User.id == old_id).values(id=new_id))
    for item in s.scalars(select(Outbox)):
        if item.entity == "user" and item.entity_id == old_id:
            item.entity_id = new_id
        if old_id in json.dumps(item.payload):
            item.payload = _replace(item.payload, old_id, new_id)
    for pref in s.scalars(select(Preference)):
        if pref.value == old_id:
            pref.value = new_id
    s.flush()
    s.expire_all()


def _replace(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return new if value == old else value
    if isinstance(value, list):
        return [_replace(v, old, new) for v in value]
    if isinstance(value, dict):
        return {_replace(k, old, new): _replace(v, old, new) for k, v in value.items()}
    return value


def row_version(s: Session, entity: str, entity_id: str) -> int:
    if entity == SETTING:
        setting = s.get(CompanySetting, entity_id)
        return setting.version if setting else 0
    model = SYNCED_ENTITIES.get(entity)
    row: Synced | None = s.get(model, entity_id) if model else None
    return row.version if row is not None else 0


def set_version(s: Session, entity: str, entity_id: str, version: int) -> None:
    """Store the version the server gave an applied mutation (never going back)."""
    if entity == SETTING:
        setting = s.get(CompanySetting, entity_id)
        if setting is not None:
            setting.version = max(setting.version or 0, version)
        return
    model = SYNCED_ENTITIES.get(entity)
    row: Synced | None = s.get(model, entity_id) if model else None
    if row is not None:
        row.version = max(row.version or 0, version)
