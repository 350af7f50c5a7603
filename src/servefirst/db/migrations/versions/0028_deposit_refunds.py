"""bookings: a captured deposit's processor reference, and its refunds

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04 19:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import Amount, UTCDateTime

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ALTER, no batch (as 0027): deposits taken before this have no
    # reference; their refund asks the processor for it by the booking's id.
    op.add_column("bookings", sa.Column("deposit_reference", sa.String(80), nullable=True))
    op.create_table(
        "deposit_refunds",
        sa.Column("merchant_id", sa.String(16), primary_key=True),
        sa.Column("refund_id", sa.String(40), primary_key=True),
        sa.Column("booking_id", sa.String(40), nullable=False),
        sa.Column("gateway", sa.String(16), nullable=False),
        sa.Column("charge_reference", sa.String(80), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", Amount(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("gateway_reference", sa.String(80), nullable=True),
        sa.Column("failure_code", sa.String(40), nullable=True),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.Column("settled_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_deposit_refunds_positive")),
        sa.CheckConstraint(
            "status IN ('pending', 'succeeded', 'failed')",
            name=op.f("ck_deposit_refunds_status_known"),
        ),
    )
    op.create_index("ix_deposit_refunds_pending", "deposit_refunds", ["status", "asked_at"])
    op.create_index("ix_deposit_refunds_booking", "deposit_refunds", ["merchant_id", "booking_id"])


def downgrade() -> None:
    op.drop_index("ix_deposit_refunds_booking", table_name="deposit_refunds")
    op.drop_index("ix_deposit_refunds_pending", table_name="deposit_refunds")
    op.drop_table("deposit_refunds")
    op.drop_column("bookings", "deposit_reference")
