"""disputes.marked_lost_at and disputes.booking_id: Stripe's lost verdict is
booked on its own, and a dispute of a booking's deposit names the booking

Stripe closing a dispute lost now books the loss (the money is gone at the
processor), but only the owner's own mark counts it against the customer:
``marked_lost_at`` says when the owner marked it. Every dispute lost before
this revision was marked by the owner (nothing else marked one lost), so
each keeps its ``lost_at`` as that time. ``booking_id`` links a dispute of
a deposit's charge (which has no payment of its own) to its booking; none
was linked before.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import UTCDateTime

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTERs: nullable columns, no rebuild on SQLite.
    op.add_column(
        "disputes", sa.Column("marked_lost_at", UTCDateTime(timezone=True), nullable=True)
    )
    op.add_column("disputes", sa.Column("booking_id", sa.String(40), nullable=True))
    op.execute("UPDATE disputes SET marked_lost_at = lost_at WHERE status = 'lost'")


def downgrade() -> None:
    op.drop_column("disputes", "booking_id")
    op.drop_column("disputes", "marked_lost_at")
