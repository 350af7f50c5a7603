"""a merchant's card processor (Stripe) with sealed keys; processor events; disputes

Revision ID: 0013
Revises: 0018
Create Date: 2026-12-04 03:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import Amount, UTCDateTime

revision: str = "0013"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gateway_accounts",
        sa.Column("merchant_id", sa.String(16), primary_key=True),
        sa.Column("gateway", sa.String(16), nullable=False),
        sa.Column("publishable_key", sa.String(255), nullable=True),
        sa.Column("secret_key_sealed", sa.Text(), nullable=True),
        sa.Column("webhook_secret_sealed", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "processor_events",
        sa.Column("merchant_id", sa.String(16), primary_key=True),
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "disputes",
        sa.Column("merchant_id", sa.String(16), primary_key=True),
        sa.Column("dispute_id", sa.String(255), primary_key=True),
        sa.Column("payment_id", sa.String(40), nullable=True),
        sa.Column("tab_id", sa.String(40), nullable=True),
        sa.Column("charge", sa.String(255), nullable=False),
        sa.Column("amount", Amount(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("lost_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_disputes_payment", "disputes", ["merchant_id", "payment_id"])
    op.create_index("ix_payments_reference", "payments", ["merchant_id", "gateway_reference"])


def downgrade() -> None:
    op.drop_index("ix_payments_reference", table_name="payments")
    op.drop_index("ix_disputes_payment", table_name="disputes")
    op.drop_table("disputes")
    op.drop_table("processor_events")
    op.drop_table("gateway_accounts")
