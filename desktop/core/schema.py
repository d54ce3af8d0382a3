"""The schema revision this code expects, checked without Alembic.

``punchclock status`` and the tray's first paint open the store many times a
minute (status bars poll it), so opening must not import Alembic or the ORM
when nothing needs migrating. :data:`SCHEMA_HEAD` is the newest desktop
migration's revision; :func:`is_current` compares it with the database's
``alembic_version`` through the standard ``sqlite3`` module and only says
"current" when

* the database's revision is :data:`SCHEMA_HEAD`, and
* no migration file in ``migrations/versions`` is newer than it (file names
  start with the revision number, ``0004_task_creator.py``; a file named any
  other way counts as newer), so a migration added without bumping the
  constant still runs — and
  ``tests/unit/test_schema_head.py`` fails until the constant is bumped.

Anything else (no file yet, an older or unknown revision, an unreadable file)
answers False, and the caller migrates through Alembic as before.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

SCHEMA_HEAD = "0004"
"""The revision of the newest file in ``desktop/core/migrations/versions``."""

VERSIONS = Path(__file__).with_name("migrations") / "versions"


def newest_migration_file(versions: Path = VERSIONS) -> str | None:
    """The revision prefix of the newest migration file (``"0004"``), or None
    when the folder can't be listed."""
    try:
        names = os.listdir(versions)
    except OSError:
        return None
    # Every module counts, whatever its name: one not named "NNNN_…" (a hotfix,
    # an installer's upgrade test) sorts after the numbered ones, so it is never
    # mistaken for "nothing newer" — the caller then lets Alembic decide.
    revisions = [n.partition("_")[0] or n for n in names
                 if n.endswith(".py") and not n.startswith("__")]
    return max(revisions) if revisions else None


def open_read_only(path: Path) -> sqlite3.Connection | None:
    """A read-only ``sqlite3`` connection to the store at ``path`` (None: no file)."""
    if not path.is_file():
        return None
    try:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=15)
    except sqlite3.Error:
        return None


def revision_of(conn: sqlite3.Connection) -> str | None:
    """The ``alembic_version`` of an open store (None: no table, unreadable)."""
    try:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def database_revision(path: Path) -> str | None:
    """The ``alembic_version`` of the SQLite file at ``path`` (None: no file,
    no table, or unreadable)."""
    conn = open_read_only(path)
    if conn is None:
        return None
    try:
        return revision_of(conn)
    finally:
        conn.close()


def is_current(path: Path, versions: Path = VERSIONS) -> bool:
    """True when the store at ``path`` needs no migration (see the module doc)."""
    return code_is_current(versions) and database_revision(path) == SCHEMA_HEAD


def code_is_current(versions: Path = VERSIONS) -> bool:
    """The newest migration file is :data:`SCHEMA_HEAD` (none was added without
    bumping it)."""
    return newest_migration_file(versions) == SCHEMA_HEAD
