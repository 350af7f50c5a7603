"""staff access levels and console language; a merchant's time zone and locale

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 23:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAFF_TABLES = ("staff_accounts", "staff_members")


def upgrade() -> None:
    for table in STAFF_TABLES:
        op.add_column(
            table, sa.Column("access", sa.String(16), server_default="staff", nullable=False)
        )
        # Before access levels, the role said it: an owner keeps owning.
        op.execute(f"UPDATE {table} SET access = 'owner' WHERE role = 'owner'")  # noqa: S608
        # The role becomes a free-text job title (on SQLite a batch rebuilds
        # the table; PostgreSQL alters the column in place).
        with op.batch_alter_table(table) as batch:
            batch.alter_column("role", type_=sa.String(40), existing_nullable=False)
    op.add_column("staff_accounts", sa.Column("language", sa.String(8), nullable=True))
    op.add_column(
        "merchants", sa.Column("timezone", sa.String(64), server_default="UTC", nullable=False)
    )
    op.add_column(
        "merchants", sa.Column("locale", sa.String(16), server_default="en", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("merchants", "locale")
    op.drop_column("merchants", "timezone")
    op.drop_column("staff_accounts", "language")
    for table in STAFF_TABLES:
        op.execute(f"UPDATE {table} SET role = substr(role, 1, 16)")  # noqa: S608
        with op.batch_alter_table(table) as batch:
            batch.alter_column("role", type_=sa.String(16), existing_nullable=False)
            batch.drop_column("access")
