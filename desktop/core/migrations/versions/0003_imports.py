"""import keys: which source rows an import already wrote

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:30:00

A local-only table (never synced).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import desktop.core.model

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_key",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("imported_at", desktop.core.model.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["time_entry.id"], name=op.f("fk_import_key_entry_id_time_entry")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_import_key_user_id_user")
        ),
        sa.PrimaryKeyConstraint("source", "user_id", "key", name=op.f("pk_import_key")),
    )


def downgrade() -> None:
    op.drop_table("import_key")
