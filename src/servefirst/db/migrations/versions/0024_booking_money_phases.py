"""a booking's money in phases: the fee asked of a card hold, the saved card's
customer at the processor, and the holds the sandbox keeps for recovery

Revision ID: 0024
Revises: 0019
Create Date: 2026-12-04 10:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import Amount, UTCDateTime

revision: str = "0024"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("card_holds") as table:
        table.add_column(sa.Column("customer_reference", sa.String(80), nullable=True))
        table.add_column(sa.Column("fee_to", Amount(), nullable=True))
        table.add_column(sa.Column("fee_keeps", Amount(), nullable=True))
        table.add_column(sa.Column("fee_key", sa.String(40), nullable=True))
        table.add_column(sa.Column("fee_asked_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("sandbox_charges") as table:
        table.add_column(sa.Column("payment_method", sa.String(80), nullable=True))
        table.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sandbox_charges") as table:
        table.drop_column("expires_at")
        table.drop_column("payment_method")
    with op.batch_alter_table("card_holds") as table:
        table.drop_column("fee_asked_at")
        table.drop_column("fee_key")
        table.drop_column("fee_keeps")
        table.drop_column("fee_to")
        table.drop_column("customer_reference")
