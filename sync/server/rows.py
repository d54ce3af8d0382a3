"""Rows as ``data`` dicts: coercion of pushed values, serialization for the
wire, and the one write path that versions a row.

Rules:

* ``data`` carries the desktop model's column names (:data:`DATA_COLUMNS`);
  dates are ``YYYY-MM-DD`` (:func:`sync.protocol.parse_iso_date`) and
  instants ISO 8601 with a zone. A value of the
  wrong type, an unknown column, text over its column's length or a naive
  instant is a ``ValidationError`` naming the field.
* ``id``/``key``, ``version``, ``updated_at``, ``deleted_at`` and ``revision``
  are never taken from a push: the key comes from ``entity_id``, the rest is
  the server's (``deleted_at`` only through a ``delete``).
* :meth:`RowWriter.save` is the only way a synced row changes: it bumps
  ``version``, sets ``updated_at`` to server time, gives the row a provisional
  revision (the real one is set just before commit, see
  :mod:`sync.server.db.database`) and records which columns that version
  changed (``field_change``); a change to a user or a team that changes who
  reads what also writes the rows that entered or left each affected reader's
  view (:mod:`sync.server.views`).
* The statements a push runs for every mutation are built once, with bound
  parameters (:func:`by_key` and the writes below): building a statement and
  its cache key costs about three times what SQLite takes to run it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    Integer,
    String,
    Table,
    and_,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.sql import Insert, Select, Update
from sqlalchemy.types import TypeEngine

from desktop.core.errors import ValidationError
from desktop.core.model import UTCDateTime
from sync.protocol import parse_iso_date
from sync.server.db.database import next_revisions
from sync.server.db.models import DATA_COLUMNS, ENTITY_TABLES, KEY_COLUMN, field_change
from sync.server.views import watch

SERVER_MANAGED = frozenset({"id", "key", "version", "updated_at", "deleted_at", "revision"})
MAX_JSON_BYTES = 64 * 1024


def table(entity: str) -> Table:
    return ENTITY_TABLES[entity]


def key_column(entity: str) -> Any:
    return table(entity).c[KEY_COLUMN[entity]]


KEY_PARAM = "_key"
"""The bound parameter :func:`by_key` and :func:`_update_by_key` select by
(named apart from every column, so it never clashes with a SET value)."""


@cache
def by_key(entity: str) -> Select[Any]:
    """``SELECT * FROM entity WHERE key = :_key``, built once."""
    return select(table(entity)).where(key_column(entity) == bindparam(KEY_PARAM))


@cache
def _insert(entity: str) -> Insert:
    return insert(table(entity))


@cache
def _update_by_key(entity: str) -> Update:
    return update(table(entity)).where(key_column(entity) == bindparam(KEY_PARAM))


_INSERT_FIELD_CHANGE = insert(field_change)


def _coerce(column_type: TypeEngine[Any], name: str, value: Any, nullable: bool) -> Any:
    if value is None:
        if not nullable:
            raise ValidationError(f"{name} can't be empty")
        return None
    if isinstance(column_type, UTCDateTime):
        if not isinstance(value, str):
            raise ValidationError(f"{name} must be an ISO 8601 instant")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(f"{name} is not an ISO 8601 instant: {value[:40]!r}") from None
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            raise ValidationError(f"{name} must carry a timezone")
        return parsed
    if isinstance(column_type, Date):
        if not isinstance(value, str):
            raise ValidationError(f"{name} must be an ISO 8601 date")
        try:
            return parse_iso_date(value)
        except ValueError:
            raise ValidationError(f"{name} is not an ISO 8601 date: {value[:40]!r}") from None
    if isinstance(column_type, Boolean):
        if not isinstance(value, bool):
            raise ValidationError(f"{name} must be true or false")
        return value
    if isinstance(column_type, Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"{name} must be a whole number")
        if not -(2**53) <= value <= 2**53:
            raise ValidationError(f"{name} is out of range")
        return value
    if isinstance(column_type, String):  # Text is a String
        if not isinstance(value, str):
            raise ValidationError(f"{name} must be text")
        if column_type.length is not None and len(value) > column_type.length:
            raise ValidationError(f"{name} is longer than {column_type.length} characters")
        if "\x00" in value:
            raise ValidationError(f"{name} contains a NUL character")
        return value
    if isinstance(column_type, JSON):
        if len(json.dumps(value)) > MAX_JSON_BYTES:
            raise ValidationError(f"{name} is too large")
        return value
    raise ValidationError(f"{name} can't be set")  # pragma: no cover - every type is listed


def coerce_data(
    entity: str, data: Mapping[str, Any], names: Iterable[str] | None = None
) -> dict[str, Any]:
    """The pushed values of ``names`` (default: every non-server column present)
    converted to column values; unknown columns are refused."""
    columns = DATA_COLUMNS[entity]
    unknown = sorted(set(data) - set(columns))
    if unknown:
        raise ValidationError(
            f"unknown field{'s' if len(unknown) > 1 else ''} for {entity}: {', '.join(unknown[:5])}"
        )
    wanted = [n for n in (names if names is not None else data) if n not in SERVER_MANAGED]
    out: dict[str, Any] = {}
    t = table(entity)
    for name in wanted:
        if name not in columns:
            raise ValidationError(f"unknown field for {entity}: {name}")
        if name not in data:
            raise ValidationError(f"{name} is listed as changed but has no value")
        col = t.c[name]
        out[name] = _coerce(col.type, name, data[name], bool(col.nullable))
    return out


def to_json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_data(entity: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The wire ``data`` of a row: the desktop columns, JSON-ready."""
    return {name: to_json(row[name]) for name in DATA_COLUMNS[entity]}


def get_row(conn: Connection, entity: str, key: str) -> dict[str, Any] | None:
    row = conn.execute(by_key(entity), {KEY_PARAM: key}).mappings().first()
    return dict(row) if row is not None else None


def changed_since(conn: Connection, entity: str, key: str, base_version: int) -> set[str]:
    """Columns changed by versions after ``base_version``."""
    out: set[str] = set()
    for (fields,) in conn.execute(
        select(field_change.c.fields).where(
            and_(
                field_change.c.entity == entity,
                field_change.c.entity_id == key,
                field_change.c.version > base_version,
            )
        )
    ):
        out.update(fields)
    return out


class RowWriter:
    """Versioned writes inside one write transaction (see the module rule)."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn = conn
        self.now = now

    def create(
        self,
        entity: str,
        key: str,
        values: Mapping[str, Any],
        *,
        origin: str | None = None,
    ) -> dict[str, Any]:
        """Insert version 1; ``origin``: the pushing device that gets the row back."""
        t = table(entity)
        revision = next_revisions(self.conn, t)
        row = {
            **values,
            KEY_COLUMN[entity]: key,
            "version": 1,
            "updated_at": self.now,
            "revision": revision,
            "origin": origin,
        }
        if "deleted_at" in t.c:
            row.setdefault("deleted_at", None)
        self.conn.execute(_insert(entity), row)
        self._history(entity, key, 1, sorted(set(values) | {"updated_at"}))
        created = get_row(self.conn, entity, key)
        assert created is not None
        return created

    def save(
        self,
        entity: str,
        current: Mapping[str, Any],
        values: Mapping[str, Any],
        *,
        origin: str | None = None,
    ) -> dict[str, Any]:
        """Write ``values`` over ``current`` (only what differs); returns the new row.
        Nothing differing → the row unchanged, no version bump. ``origin``: the
        pushing device that gets the row back (None for changes made on the side)."""
        changes = {k: v for k, v in values.items() if current.get(k) != v}
        if not changes:
            return dict(current)
        key = current[KEY_COLUMN[entity]]
        views = watch(self.conn, entity, current, changes)
        version = int(current["version"]) + 1
        t = table(entity)
        revision = next_revisions(self.conn, t)
        written = {
            **changes,
            "version": version,
            "updated_at": self.now,
            "revision": revision,
            "origin": origin,
        }
        self.conn.execute(_update_by_key(entity), {**written, KEY_PARAM: key})
        self._history(entity, key, version, sorted(set(changes) | {"updated_at"}))
        if views is not None:
            views.emit()
        saved = get_row(self.conn, entity, key)
        assert saved is not None
        return saved

    def clear_origin(self, entity: str, key: str) -> None:
        t = table(entity)
        self.conn.execute(update(t).where(key_column(entity) == key).values(origin=None))

    def _history(self, entity: str, key: str, version: int, fields: list[str]) -> None:
        self.conn.execute(
            _INSERT_FIELD_CHANGE,
            {"entity": entity, "entity_id": key, "version": version, "fields": fields},
        )
