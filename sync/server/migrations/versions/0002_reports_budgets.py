"""server: project budgets and the report indexes

The server's synced tables are the desktop store's, column for column
(:mod:`sync.server.db.models`), so this step is the desktop store's 0002,
run here too.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 22:15:00.000000
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import desktop.core.migrate

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _desktop_step() -> ModuleType:
    path = Path(desktop.core.migrate.MIGRATIONS) / "versions" / "0002_reports_budgets.py"
    spec = importlib.util.spec_from_file_location("desktop_store_0002", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    _desktop_step().upgrade()


def downgrade() -> None:
    _desktop_step().downgrade()
