"""reports: project budgets and the indexes the reports read

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 22:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("budget_s", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("budget_minor", sa.Integer(), nullable=True))

    with op.batch_alter_table("rate", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rate_user_deleted_effective",
            ["user_id", "deleted_at", "effective_from"],
            unique=False,
        )

    with op.batch_alter_table("time_entry", schema=None) as batch_op:
        batch_op.create_index("ix_time_entry_work_date", ["work_date"], unique=False)
        batch_op.create_index("ix_time_entry_project_id", ["project_id"], unique=False)
        batch_op.create_index(
            "ix_time_entry_money",
            [
                "user_id",
                "customer_id",
                "project_id",
                "billable",
                "work_date",
                "duration_s",
                "deleted_at",
            ],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("time_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_time_entry_money")
        batch_op.drop_index("ix_time_entry_project_id")
        batch_op.drop_index("ix_time_entry_work_date")

    with op.batch_alter_table("rate", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_user_deleted_effective")

    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("budget_minor")
        batch_op.drop_column("budget_s")
