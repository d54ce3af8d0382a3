"""The server's tables.

Synced entities are the desktop store's tables (:mod:`desktop.core.model`)
copied column for column (``Table.to_metadata``), so a pulled ``data`` dict has
exactly the column names the client upserts, and every constraint the local
schema enforces (one running timer per user, ``ended_at >= started_at``, one
timesheet per user and week…) holds on the server too. Each copy gains one
server-only columns: ``revision``, the value of the global revision counter when
the row last changed (see :mod:`sync.server.db.database`), and ``origin``, the
device (``device.id``) whose pushed create/update/delete made the row's current
version and got the row back in the push result (NULL when the server, an admin
command or a side effect of another mutation wrote it). A pull that asks for it
skips the rows whose origin is the caller's device (no echoes).

Server-only tables:

* ``revision_counter`` — one row; every write transaction that versioned rows
  bumps it (and so locks it) in its last statements before commit.
* ``field_change`` — per row and version, the columns that version changed, so
  a stale-base update whose fields are disjoint from everything changed since
  its base can be merged.
* ``credential`` — argon2id password hashes.
* ``device`` — one per (user, client device): a sha256 of its bearer token,
  expiry, revocation and last use. The token itself is never stored.
* ``mutation_result`` — the stored result of every applied mutation, keyed by
  (device, mutation id), kept permanently.
* ``login_failure`` — recent failed logins, for rate limiting across workers.
* ``view_change`` — per reader, rows that entered (``shown``) or left their
  view when a team's membership or manager, or a user's role, changed; each
  with a revision of its own, read by the changes feed
  (:mod:`sync.server.views`).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    text,
)

from desktop.core import model as core
from desktop.core.model import UTCDateTime

metadata = MetaData(naming_convention=core.NAMING)

_CORE_CLASSES: dict[str, type] = {**core.SYNCED_ENTITIES, "company_setting": core.CompanySetting}

ENTITY_TABLES: dict[str, Table] = {}
"""Entity name (protocol ``Entity``) → the server's table."""

DATA_COLUMNS: dict[str, tuple[str, ...]] = {}
"""Entity name → the desktop model's column names (what ``data`` carries)."""

for _name, _cls in _CORE_CLASSES.items():
    _source: Table = _cls.__table__  # type: ignore[attr-defined]
    _table = _source.to_metadata(metadata)
    _table.append_column(Column("revision", BigInteger, nullable=False, server_default=text("0")))
    _table.append_column(Column("origin", String(36), nullable=True))
    for _index in _table.indexes:  # the desktop's partial indexes, for PostgreSQL too
        _where = _index.dialect_kwargs.get("sqlite_where")
        if _where is not None:
            _index.dialect_kwargs["postgresql_where"] = _where
    Index(f"ix_{_name}_revision", _table.c.revision)
    ENTITY_TABLES[_name] = _table
    DATA_COLUMNS[_name] = tuple(c.name for c in _source.columns)

KEY_COLUMN: dict[str, str] = {
    name: ("key" if name == "company_setting" else "id") for name in ENTITY_TABLES
}

revision_counter = Table(
    "revision_counter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("value", BigInteger, nullable=False),
)

field_change = Table(
    "field_change",
    metadata,
    Column("entity", String(32), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("fields", JSON, nullable=False),
    PrimaryKeyConstraint("entity", "entity_id", "version"),
)

credential = Table(
    "credential",
    metadata,
    Column("user_id", String(36), ForeignKey("user.id"), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

device = Table(
    "device",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("user.id"), nullable=False, index=True),
    Column("device_id", String(36), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime()),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
    UniqueConstraint("user_id", "device_id"),
)

mutation_result = Table(
    "mutation_result",
    metadata,
    Column("device_id", String(36), nullable=False),
    Column("mutation_id", String(36), nullable=False),
    Column("user_id", String(36), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("result", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("device_id", "mutation_id"),
)

login_failure = Table(
    "login_failure",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, index=True),
    Column("address", String(100), nullable=False, index=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
)

view_change = Table(
    "view_change",
    metadata,
    Column("revision", BigInteger, primary_key=True, autoincrement=False),
    Column("viewer_id", String(36), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("shown", Boolean, nullable=False),
    Index("ix_view_change_viewer_revision", "viewer_id", "revision"),
)
