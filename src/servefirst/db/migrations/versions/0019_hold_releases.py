"""card hold releases and raises kept pending, the processor called outside any transaction

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-04 04:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import Amount, UTCDateTime

revision: str = "0019"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "card_hold_releases",
        sa.Column("merchant_id", sa.String(16), primary_key=True),
        sa.Column("release_id", sa.String(40), primary_key=True),
        sa.Column("hold_id", sa.String(40), nullable=False),
        sa.Column("gateway", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_card_hold_releases_pending", "card_hold_releases", ["status", "asked_at"])
    with op.batch_alter_table("card_holds") as table:
        table.add_column(sa.Column("raise_to", Amount(), nullable=True))
        table.add_column(sa.Column("raise_key", sa.String(40), nullable=True))
        table.add_column(sa.Column("raise_asked_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("card_holds") as table:
        table.drop_column("raise_asked_at")
        table.drop_column("raise_key")
        table.drop_column("raise_to")
    op.drop_index("ix_card_hold_releases_pending", table_name="card_hold_releases")
    op.drop_table("card_hold_releases")
