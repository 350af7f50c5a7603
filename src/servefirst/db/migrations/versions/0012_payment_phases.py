"""a card payment in phases: pending attempts, their failures, the sandbox's own charges

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 03:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("payments", sa.Column("failure_code", sa.String(32), nullable=True))
    op.add_column("payments", sa.Column("processor_key", sa.String(64), nullable=True))
    op.create_index("ix_payments_status", "payments", ["status", "created_at"])
    op.add_column("tabs", sa.Column("pending_payment_id", sa.String(40), nullable=True))
    op.create_table(
        "sandbox_charges",
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("card_last4", sa.String(4), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key", name="pk_sandbox_charges"),
    )


def downgrade() -> None:
    op.drop_table("sandbox_charges")
    op.drop_column("tabs", "pending_payment_id")
    op.drop_index("ix_payments_status", table_name="payments")
    op.drop_column("payments", "processor_key")
    op.drop_column("payments", "failure_code")
