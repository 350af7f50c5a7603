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
down_revision: str | None = "0019"
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
    with op.batch_alter_table("tabs") as table:
        table.add_column(sa.Column("receipt_number", sa.String(16), nullable=True))
        table.add_column(sa.Column("due_date", sa.Date(), nullable=True))
        table.add_column(sa.Column("invoiced_at", UTCDateTime(), nullable=True))
        table.create_unique_constraint(
            "uq_tabs_merchant_id_receipt_number", ["merchant_id", "receipt_number"]
        )
    with op.batch_alter_table("merchants") as table:
        table.add_column(sa.Column("legal_name", sa.String(200), nullable=True))
        table.add_column(sa.Column("address", sa.String(500), nullable=True))
        table.add_column(sa.Column("tax_id", sa.String(32), nullable=True))
    with op.batch_alter_table("customers") as table:
        table.add_column(sa.Column("tax_id", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers") as table:
        table.drop_column("tax_id")
    with op.batch_alter_table("merchants") as table:
        table.drop_column("tax_id")
        table.drop_column("address")
        table.drop_column("legal_name")
    with op.batch_alter_table("tabs") as table:
        table.drop_constraint("uq_tabs_merchant_id_receipt_number", type_="unique")
        table.drop_column("invoiced_at")
        table.drop_column("due_date")
        table.drop_column("receipt_number")
    op.drop_table("receipt_counters")
