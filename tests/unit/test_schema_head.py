"""SCHEMA_HEAD is the desktop migrations' head, and the Alembic-free check
agrees with Alembic about when a store needs migrating."""

from __future__ import annotations

import shutil
from pathlib import Path

from desktop.core import schema
from desktop.core.db import open_database
from desktop.core.migrate import current_revision, head_revision, upgrade
from desktop.core.paths import DB_FILENAME


def test_schema_head_is_the_migrations_head() -> None:
    head = head_revision()
    hint = f"a migration was added: set SCHEMA_HEAD in desktop/core/schema.py to {head!r}"
    assert head == schema.SCHEMA_HEAD, hint
    assert schema.newest_migration_file() == head


def test_a_migrated_store_is_current(tmp_path: Path) -> None:
    open_database(tmp_path).close()
    assert schema.database_revision(tmp_path / DB_FILENAME) == schema.SCHEMA_HEAD
    assert schema.is_current(tmp_path / DB_FILENAME)


def test_a_store_one_migration_behind_is_not_current_and_migrates(tmp_path: Path) -> None:
    db = open_database(tmp_path, migrate=False)
    upgrade(db.write_engine, revision="0003")
    db.close()
    path = tmp_path / DB_FILENAME
    assert schema.database_revision(path) == "0003"
    assert not schema.is_current(path)
    db = open_database(tmp_path)
    assert current_revision(db.read_engine) == schema.SCHEMA_HEAD
    db.close()


def test_no_file_or_no_table_is_not_current(tmp_path: Path) -> None:
    assert not schema.is_current(tmp_path / "missing.sqlite3")
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    assert not schema.is_current(tmp_path / "empty.sqlite3")


def test_a_migration_newer_than_the_constant_is_not_current(tmp_path: Path) -> None:
    """A migration added without bumping SCHEMA_HEAD still runs."""
    open_database(tmp_path / "data").close()
    versions = tmp_path / "versions"
    shutil.copytree(schema.VERSIONS, versions)
    path = tmp_path / "data" / DB_FILENAME
    assert schema.is_current(path, versions)
    nxt = f"{int(schema.SCHEMA_HEAD) + 1:04d}"
    (versions / f"{nxt}_later.py").write_text(f'revision = "{nxt}"\n')
    assert schema.newest_migration_file(versions) == nxt
    assert not schema.is_current(path, versions)


def test_a_migration_named_otherwise_is_not_current(tmp_path: Path) -> None:
    """A migration whose file isn't numbered (the installer's upgrade test adds
    ``zz_installer_upgrade_test.py``) counts as newer: Alembic decides."""
    open_database(tmp_path / "data").close()
    versions = tmp_path / "versions"
    shutil.copytree(schema.VERSIONS, versions)
    path = tmp_path / "data" / DB_FILENAME
    (versions / "__init__.py").write_text("")
    assert schema.is_current(path, versions)
    (versions / "zz_installer_upgrade_test.py").write_text('revision = "zz"\n')
    assert not schema.is_current(path, versions)
