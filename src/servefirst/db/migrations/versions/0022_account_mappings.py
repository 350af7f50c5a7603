"""exports: the merchant's account mapping to their accountant's codes

Revision ID: 0022
Revises: 0024
Create Date: 2026-12-04 10:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_mappings",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("target", sa.String(100), nullable=False),
        sa.CheckConstraint(
            "kind IN ('account', 'tax_rate')", name=op.f("ck_account_mappings_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.merchant_id"],
            name="fk_account_mappings_merchant_id_merchants",
        ),
        sa.PrimaryKeyConstraint("merchant_id", "kind", "source", name="pk_account_mappings"),
    )


def downgrade() -> None:
    op.drop_table("account_mappings")
