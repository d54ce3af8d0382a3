"""The server's tables are the desktop's, plus what the server needs on PostgreSQL."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex

from sync.server.db.models import ENTITY_TABLES

RUNNING = "ended_at IS NULL AND started_at IS NOT NULL AND deleted_at IS NULL"


def _ddl(dialect: object) -> str:
    indexes = ENTITY_TABLES["time_entry"].indexes
    (index,) = (i for i in indexes if i.name == "uq_time_entry_one_running_timer")
    return str(CreateIndex(index).compile(dialect=dialect))  # type: ignore[arg-type]


def test_the_one_running_timer_index_is_partial_on_postgresql_and_sqlite() -> None:
    assert _ddl(postgresql.dialect()).endswith(f"WHERE {RUNNING}")
    assert _ddl(sqlite.dialect()).endswith(f"WHERE {RUNNING}")
