"""numbered receipts, invoices with a due date, seller and customer tax ids

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-04 10:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import UTCDateTime

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "receipt_counters",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("merchant_id", "year", name="pk_receipt_counters"),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.merchant_id"],
            name="fk_receipt_counters_merchant_id_merchants",
        ),
    )
    # Plain ALTER TABLE ... ADD COLUMN: on SQLite a batch would rebuild these
    # tables, and dropping the old one fails while other rows refer to it.
    op.add_column("tabs", sa.Column("receipt_number", sa.String(16), nullable=True))
    op.add_column("tabs", sa.Column("due_date", sa.Date(), nullable=True))
    op.add_column("tabs", sa.Column("invoiced_at", UTCDateTime(), nullable=True))
    # A unique index (SQLite cannot add a constraint to a table): a number is
    # never given twice, whatever happens to the counter.
    op.create_index(
        "ix_tabs_receipt_number", "tabs", ["merchant_id", "receipt_number"], unique=True
    )
    op.add_column("merchants", sa.Column("legal_name", sa.String(200), nullable=True))
    op.add_column("merchants", sa.Column("address", sa.String(500), nullable=True))
    op.add_column("merchants", sa.Column("tax_id", sa.String(32), nullable=True))
    op.add_column("customers", sa.Column("tax_id", sa.String(32), nullable=True))


def downgrade() -> None:
    op.drop_column("customers", "tax_id")
    op.drop_column("merchants", "tax_id")
    op.drop_column("merchants", "address")
    op.drop_column("merchants", "legal_name")
    op.drop_index("ix_tabs_receipt_number", table_name="tabs")
    op.drop_column("tabs", "invoiced_at")
    op.drop_column("tabs", "due_date")
    op.drop_column("tabs", "receipt_number")
    op.drop_table("receipt_counters")
