"""server: who created each task

The server's synced tables are the desktop store's, column for column
(:mod:`sync.server.db.models`), so this step is the desktop store's 0004,
run here too.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 07:00:00.000000
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import desktop.core.migrate

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _desktop_step() -> ModuleType:
    path = Path(desktop.core.migrate.MIGRATIONS) / "versions" / "0004_task_creator.py"
    spec = importlib.util.spec_from_file_location("desktop_store_0004", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    _desktop_step().upgrade()


def downgrade() -> None:
    _desktop_step().downgrade()
