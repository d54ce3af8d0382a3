"""Engines, transactions and migrations of the server database.

* SQLite (the default): WAL, ``synchronous=FULL``, foreign keys on, a busy
  timeout; pysqlite's own transaction handling is off and writers begin with
  ``BEGIN IMMEDIATE`` so they queue on the database lock instead of failing
  half-way.
* PostgreSQL (``postgresql+psycopg://…``): READ COMMITTED; every write
  transaction first takes ``SELECT … FOR UPDATE`` on the single
  ``revision_counter`` row.

Revision rule: a write transaction holds the counter (row lock on PostgreSQL,
the database write lock on SQLite) from its first statement to its commit, so
transactions that change rows commit in revision order. Hence the committed
revisions are always a prefix 1..C of the counter: a reader that reads the
counter C first and then lists rows with ``since < revision <= C`` can never
skip a row that commits late (see :mod:`sync.server.changes`).

The schema is migrated with the server's own Alembic scripts
(``sync/server/migrations``) on start; ``check`` compares against head.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, create_engine, select, update
from sqlalchemy.engine import make_url

from desktop.core import migrate as core_migrate
from desktop.core.db import sqlite_engine
from sync.server.db.models import revision_counter

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


class DatabaseError(Exception):
    """The database can't be used (unreachable, wrong URL, not migrated)."""


class ServerDatabase:
    """The engines of one server process (one per app; stateless between requests)."""

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except Exception as exc:  # sqlalchemy.exc.ArgumentError and friends
            raise DatabaseError(f"not a database URL: {url!r}") from exc
        self.url = url
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.read_engine = sqlite_engine(url, "BEGIN", busy_timeout_ms=BUSY_TIMEOUT_MS)
            self.write_engine = sqlite_engine(
                url, "BEGIN IMMEDIATE", busy_timeout_ms=BUSY_TIMEOUT_MS
            )
        elif self.dialect == "postgresql":
            self.read_engine = self.write_engine = create_engine(
                url, pool_pre_ping=True, pool_size=10, max_overflow=20
            )
        else:
            raise DatabaseError(f"unsupported database {self.dialect!r}; use sqlite or postgresql")

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.read_engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self, *, revisions: bool = True) -> Iterator[Connection]:
        """A write transaction; with ``revisions`` it holds the revision counter
        from the start (see the module rule). Auth bookkeeping passes False."""
        with self.write_engine.connect() as conn, conn.begin():
            if revisions:
                conn.execute(
                    select(revision_counter.c.value)
                    .where(revision_counter.c.id == 1)
                    .with_for_update()
                )
            yield conn

    def dispose(self) -> None:
        self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            self.write_engine.dispose()

    # ---------------------------------------------------------- migrations

    def upgrade(self) -> None:
        """Bring the schema to head (no-op when current)."""
        if self.current_revision() == head_revision():
            return
        cfg = alembic_config()
        with self.write_engine.connect() as conn:
            if self.dialect == "postgresql":
                with conn.begin():
                    # one migrator at a time when several workers start together
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4711)")
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
            else:
                cfg.attributes["connection"] = conn
                with conn.begin():
                    command.upgrade(cfg, "head")

    def current_revision(self) -> str | None:
        with self.read_engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()


def alembic_config() -> Config:
    return core_migrate.alembic_config(MIGRATIONS)


def head_revision() -> str:
    return core_migrate.head_revision(MIGRATIONS)


def next_revisions(conn: Connection, count: int) -> int:
    """Reserve ``count`` revisions in the current write transaction; returns the first."""
    value = conn.execute(
        update(revision_counter)
        .where(revision_counter.c.id == 1)
        .values(value=revision_counter.c.value + count)
        .returning(revision_counter.c.value)
    ).scalar_one()
    return int(value) - count + 1


def current_counter(conn: Connection) -> int:
    return int(
        conn.execute(
            select(revision_counter.c.value).where(revision_counter.c.id == 1)
        ).scalar_one()
    )
