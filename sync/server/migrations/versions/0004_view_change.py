"""server: rows entering or leaving a reader's view (team and role changes)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "view_change",
        sa.Column("revision", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("viewer_id", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("shown", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("revision", name=op.f("pk_view_change")),
    )
    op.create_index(
        "ix_view_change_viewer_revision", "view_change", ["viewer_id", "revision"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_view_change_viewer_revision", table_name="view_change")
    op.drop_table("view_change")
