"""events.object_id and loyalty_transactions.reference hold a processor's id in full

A card dispute is named by the processor's id, kept whole in ``disputes``
(255 characters: Stripe's stated bound for its ids). Its events named it in
a column of 40, and loyalty's take-back ("dispute <id>") in another of 40:
a longer id was refused by PostgreSQL when the dispute came, or when it was
marked lost (SQLite keeps any length, so nothing there had to change but
the declared size).

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-05 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column, size before, size now, nullable)
WIDENED = (
    ("events", "object_id", 40, 255, False),
    ("loyalty_transactions", "reference", 40, 263, True),
)


def upgrade() -> None:
    # Widening a varchar is a change of the catalog alone on PostgreSQL (no
    # rewrite of the table); SQLite's batch rebuilds it with its indexes.
    for table, column, before, now, nullable in WIDENED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                type_=sa.String(now),
                existing_type=sa.String(before),
                existing_nullable=nullable,
            )


def downgrade() -> None:
    for table, column, before, now, nullable in WIDENED:
        op.execute(
            f"UPDATE {table} SET {column} = substr({column}, 1, {before})"  # noqa: S608
            f" WHERE length({column}) > {before}"
        )
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                type_=sa.String(before),
                existing_type=sa.String(now),
                existing_nullable=nullable,
            )
