"""server: the device whose push made each synced row's current version

``origin`` lets a pull leave out the rows the asking device pushed itself and
already holds (the push result carried the server's copy).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "company_setting", "customer", "project", "task", "team", "user", "rate", "time_entry",
    "timesheet", "timesheet_event", "holiday",
)  # fmt: skip


def upgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name) as batch_op:
            batch_op.add_column(sa.Column("origin", sa.String(length=36), nullable=True))


def downgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name) as batch_op:
            batch_op.drop_column("origin")
