"""tasks: who created them

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 07:00:00

``task.created_by`` decides who may edit a task
(:func:`desktop.core.permissions.can_edit_task`). Existing tasks keep None:
only managers and admins edit those.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("created_by", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_column("created_by")
