"""Engines, transactions and migrations of the server database.

* SQLite (the default): WAL, ``synchronous=FULL``, foreign keys on, a busy
  timeout; pysqlite's own transaction handling is off and writers begin with
  ``BEGIN IMMEDIATE`` so they queue on the database lock instead of failing
  half-way. One writer at a time: the database lock orders everything.
* PostgreSQL (``postgresql+psycopg://…``): READ COMMITTED; writers run in
  parallel (several ``serve`` processes or workers on one database). What must
  not interleave is serialized by transaction-scoped advisory locks on *scopes*
  (:meth:`ServerDatabase.lock`, taken by :mod:`sync.server.apply`: one per
  owner of entries and weeks, one for the shared directory), held to commit.

Revision rule (a reader never skips a late commit): a write transaction does
its work with *provisional* revisions — negative numbers increasing in the order
it writes rows, invisible to readers since they are uncommitted and never > 0
(:data:`PROVISIONAL_BASE`) — and in a
short critical section at its very end, just before commit, it bumps the
single ``revision_counter`` row by the number it used (``UPDATE … RETURNING``,
which row-locks the counter until commit) and turns its k-th provisional
revision into ``base + k`` (one ``UPDATE`` per table it touched). The counter lock is
held only for those statements and the commit, so two transactions of
different scopes do their whole work in parallel and queue only for that
moment; and since the counter row stays locked until commit, transactions that
changed rows commit in revision order. Hence the committed revisions are
always a prefix of 1..C (with gaps for rolled-back savepoints): a reader that
reads the counter C first and then lists rows with ``since < revision <= C``
can never skip a row that commits late — its revision will be > C (see
:mod:`sync.server.changes`). A transaction that dies before commit leaves
nothing: its rows, its provisional revisions and its counter bump go together.

The schema is migrated with the server's own Alembic scripts
(``sync/server/migrations``) on start; ``check`` compares against head.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Table, create_engine, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from desktop.core import migrate as core_migrate
from desktop.core.db import sqlite_engine
from sync.server.db.models import revision_counter

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
_REVISIONS = "punchclock.revisions"
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


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
        """A write transaction; with ``revisions`` the rows it versions get
        their revision numbers at its end (see the module rule). Auth
        bookkeeping passes False."""
        with self.write_engine.connect() as conn, conn.begin():
            pending = _Provisional() if revisions else None
            if pending is not None:
                conn.info[_REVISIONS] = pending
            try:
                yield conn
                if pending is not None:
                    pending.assign(conn)
            finally:
                conn.info.pop(_REVISIONS, None)

    def lock(self, conn: Connection, scope: str) -> None:
        """Hold ``scope`` until the transaction ends (PostgreSQL advisory lock;
        on SQLite the database lock already serializes writers)."""
        if self.dialect == "postgresql":
            key = zlib.crc32(scope.encode())
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

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


PROVISIONAL_BASE = -(2**62)
"""Provisional revision k (k = 1, 2, … in a transaction) is ``PROVISIONAL_BASE + k``:
negative, increasing in write order, and ``+ (base - PROVISIONAL_BASE)`` makes it
``base + k`` in one UPDATE without leaving 64 bits."""


@dataclass
class _Provisional:
    """The provisional revisions one write transaction handed out."""

    used: int = 0
    tables: dict[str, Table] = field(default_factory=dict)

    def take(self, t: Table, count: int) -> int:
        first = PROVISIONAL_BASE + self.used + 1
        self.used += count
        self.tables[t.name] = t
        return first

    def assign(self, conn: Connection) -> None:
        """The critical section: reserve ``used`` real revisions and renumber."""
        if not self.used:
            return
        top = conn.execute(
            update(revision_counter)
            .where(revision_counter.c.id == 1)
            .values(value=revision_counter.c.value + self.used)
            .returning(revision_counter.c.value)
        ).scalar_one()
        shift = int(top) - self.used - PROVISIONAL_BASE
        for t in self.tables.values():
            conn.execute(update(t).where(t.c.revision < 0).values(revision=t.c.revision + shift))


def next_revisions(conn: Connection, t: Table, count: int = 1) -> int:
    """Reserve ``count`` consecutive provisional revisions for rows of ``t`` in this
    write transaction (see the module rule); returns the first. They keep their
    order when they become real at commit."""
    pending = conn.info.get(_REVISIONS)
    if not isinstance(pending, _Provisional):
        raise RuntimeError("versioned rows are written only inside ServerDatabase.write()")
    return pending.take(t, count)


def is_retryable(exc: DBAPIError) -> bool:
    """A PostgreSQL deadlock or serialization failure: run the transaction again."""
    return getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def current_counter(conn: Connection) -> int:
    return int(
        conn.execute(
            select(revision_counter.c.value).where(revision_counter.c.id == 1)
        ).scalar_one()
    )
