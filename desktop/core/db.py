"""Opening the local SQLite store.

Crash safety and concurrency: WAL journal, ``synchronous=FULL``,
foreign keys on, a busy timeout, and real transactions. pysqlite's own
transaction handling is switched off (``isolation_level=None``) and we emit
``BEGIN`` ourselves — the documented SQLAlchemy workaround — so a transaction
starts where the session starts. Writers use ``BEGIN IMMEDIATE``: the write
lock is taken up front, so two processes (the CLI and the tray) queue on the
busy timeout instead of failing half-way with "database is locked" when a
read transaction tries to upgrade.

The database is migrated to the newest schema (Alembic) every time it opens;
when :func:`desktop.core.schema.is_current` says it already is, Alembic is not
even imported.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from desktop.core.errors import PunchclockError
from desktop.core.paths import DB_FILENAME as DB_FILENAME
from desktop.core.schema import is_current

BUSY_TIMEOUT_MS = 15_000


class StorageError(PunchclockError):
    """The database file can't be used (disk full, locked too long, unreadable)."""

    code = "storage"


def sqlite_engine(
    url: str,
    begin: str = "BEGIN",
    *,
    foreign_keys: bool = True,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
) -> Engine:
    """A SQLite engine with the store's settings (WAL, ``synchronous=FULL``, busy
    timeout, real transactions opened with ``begin``). The sync client's replica
    writer turns ``foreign_keys`` off. Pooled connections move between threads
    (one at a time), as SQLAlchemy's pool allows for file databases."""
    engine = create_engine(
        url,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


@dataclass
class Database:
    """One per process. ``read()`` and ``write()`` hand out a session per user
    action; the session commits on success and rolls back on any error."""

    path: Path
    read_engine: Engine
    write_engine: Engine

    def __post_init__(self) -> None:
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with _storage_errors(), self._read() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with _storage_errors(), self._write() as session, session.begin():
            yield session

    def close(self) -> None:
        watch = self.__dict__.pop("_watch", None)
        if watch is not None:
            watch.close()
        self.read_engine.dispose()
        self.write_engine.dispose()

    def data_version(self) -> int:
        """A number that changes whenever any other connection (another process
        such as the CLI, or this process's own sessions) commits to the file.

        SQLite's ``PRAGMA data_version`` on one long-lived connection: a cheap
        check that reads no table, so the tray can look once a second and only
        refresh when something changed.
        """
        watch: sqlite3.Connection | None = self.__dict__.get("_watch")
        if watch is None:
            watch = sqlite3.connect(str(self.path), check_same_thread=False)
            self.__dict__["_watch"] = watch
        with _storage_errors_raw():
            return int(watch.execute("PRAGMA data_version").fetchone()[0])


@contextmanager
def _storage_errors() -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
        if "locked" in text or "busy" in text:
            raise StorageError(
                "the database is busy (another Punchclock process holds it); try again"
            ) from exc
        if "disk" in text or "full" in text:
            raise StorageError("the disk is full; free some space and try again") from exc
        if "readonly" in text or "unable to open" in text:
            raise StorageError(f"can't write the database: {exc.orig}") from exc
        raise


@contextmanager
def _storage_errors_raw() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise StorageError(f"can't read the database: {exc}") from exc


def open_database(data_dir: Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the store in ``data_dir`` and migrate it to head."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"can't create the data folder {data_dir}: {exc.strerror}") from exc
    path = data_dir / DB_FILENAME
    url = f"sqlite:///{path}"
    db = Database(path, sqlite_engine(url, "BEGIN"), sqlite_engine(url, "BEGIN IMMEDIATE"))
    if migrate and not is_current(path):
        from desktop.core.migrate import upgrade

        with _storage_errors():
            upgrade(db.write_engine)
    return db


def bulk_insert(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """One ``executemany`` of ``rows`` (every row the same keys, every column
    given) through the columns' own bind processors — what ``insert(table)``
    does, without building the statement's parameters row by row."""
    if not rows:
        return
    conn = session.connection()
    names = list(rows[0])
    processors = [
        (i, p if isinstance(table.c[n].type, JSON) else _memo(p))
        for i, n in enumerate(names)
        if (p := table.c[n].type.dialect_impl(conn.dialect).bind_processor(conn.dialect))
    ]
    values = itemgetter(*names)
    params = []
    for row in rows:
        param = list(values(row))
        for i, process in processors:
            param[i] = process(param[i])
        params.append(tuple(param))
    columns = ", ".join(f'"{n}"' for n in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" * len(names))})'
    conn.exec_driver_sql(sql, params)


def _memo(process: Any) -> Any:
    """``process`` remembering its answers: a batch repeats instants and dates
    (every row's ``created_at``, a day's ``work_date``)."""
    seen: dict[Any, Any] = {}

    def run(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = out = process(value)
            return out

    return run
