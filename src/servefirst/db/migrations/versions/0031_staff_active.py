"""staff: a member who left the business (active false), kept for their past work

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 23:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("staff_members", "staff_accounts")


def upgrade() -> None:
    # Plain ALTERs, no batch: rebuilding these on SQLite would drop tables that
    # tab lines, sessions and hours point at. Everyone here before still works here.
    for table in TABLES:
        op.add_column(
            table, sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_column(table, "active")
