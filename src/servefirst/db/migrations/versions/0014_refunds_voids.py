"""refunds of payments, the refunds account, voided tab lines

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-04 03:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refunds",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("refund_id", sa.String(40), nullable=False),
        sa.Column("payment_id", sa.String(40), nullable=False),
        sa.Column("tab_id", sa.String(40), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("gateway", sa.String(16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("tip", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("gateway_reference", sa.String(64), nullable=True),
        sa.Column("failure_code", sa.String(40), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("settled_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "amount >= 0 AND tip >= 0 AND amount + tip > 0", name=op.f("ck_refunds_positive")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'succeeded', 'failed')", name=op.f("ck_refunds_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id", "payment_id"],
            ["payments.merchant_id", "payments.payment_id"],
            name=op.f("fk_refunds_merchant_id_payment_id_payments"),
        ),
        sa.PrimaryKeyConstraint("merchant_id", "refund_id", name=op.f("pk_refunds")),
    )
    op.create_index("ix_refunds_payment", "refunds", ["merchant_id", "payment_id"])
    op.create_index("ix_refunds_status", "refunds", ["merchant_id", "status"])
    op.add_column(
        "tabs", sa.Column("refunded", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.add_column(
        "tabs", sa.Column("tips_refunded", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.add_column("tab_lines", sa.Column("voided_at", UTCDateTime(), nullable=True))
    op.add_column("tab_lines", sa.Column("void_reason", sa.String(200), nullable=True))
    # Every merchant's account plan gains the refunds account (posting needs its row).
    op.execute(
        "INSERT INTO account_balances (merchant_id, account, debits, credits, balance)"
        " SELECT merchant_id, 'refunds', 0, 0, 0 FROM merchants"
    )


def downgrade() -> None:
    op.execute("DELETE FROM account_balances WHERE account = 'refunds'")
    with op.batch_alter_table("tab_lines") as batch:
        batch.drop_column("void_reason")
        batch.drop_column("voided_at")
    with op.batch_alter_table("tabs") as batch:
        batch.drop_column("tips_refunded")
        batch.drop_column("refunded")
    op.drop_index("ix_refunds_status", table_name="refunds")
    op.drop_index("ix_refunds_payment", table_name="refunds")
    op.drop_table("refunds")
