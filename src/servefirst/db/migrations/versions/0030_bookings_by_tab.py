"""bookings: found by the tab they were checked in to

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 21:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every receipt e-mail, a tab's console page and a void on a checked-in
    # tab look up the booking behind the tab: without this, a scan of all the
    # merchant's bookings each time.
    op.create_index("ix_bookings_tab", "bookings", ["merchant_id", "tab_id"])


def downgrade() -> None:
    op.drop_index("ix_bookings_tab", table_name="bookings")
