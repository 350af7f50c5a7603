"""disputes.won_back_at and disputes.won_back_entry_id: Stripe's won after a
loss was booked gives the money back to the books

A dispute marked lost (by the owner, or by Stripe's lost) and then closed won
by Stripe has its loss booked back once, in an entry that swaps the loss's
sides; the dispute keeps when and which entry. ``disputes.status`` also
takes ``closed`` (an inquiry closed, a charge refunded first, a dispute
prevented): a plain string column, no constraint to change. No dispute was
won back or closed before this revision.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-05 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import UTCDateTime

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTERs: nullable columns, no rebuild on SQLite.
    op.add_column("disputes", sa.Column("won_back_at", UTCDateTime(timezone=True), nullable=True))
    op.add_column("disputes", sa.Column("won_back_entry_id", sa.String(40), nullable=True))


def downgrade() -> None:
    # A dispute closed without a loss was open before this revision knew the word.
    op.execute("UPDATE disputes SET status = 'open' WHERE status = 'closed'")
    op.drop_column("disputes", "won_back_entry_id")
    op.drop_column("disputes", "won_back_at")
