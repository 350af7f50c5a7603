"""bookings: who cancelled, and how often the calendar entry changed

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 18:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTERs, no batch: rebuilding bookings on SQLite would drop a table
    # other rows point at. Bookings cancelled before this say nobody.
    op.add_column("bookings", sa.Column("cancelled_by", sa.String(16), nullable=True))
    op.add_column(
        "bookings",
        sa.Column("calendar_sequence", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    # Plain DROP COLUMNs too: a batch rebuild would write the table's checks
    # anew, and an older downgrade's plain DROP of a column they name would fail.
    op.drop_column("bookings", "calendar_sequence")
    op.drop_column("bookings", "cancelled_by")
