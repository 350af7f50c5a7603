"""indexes for the Today page: payments and tab lines by time

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-04 03:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The day's takings and what was sold read one window of time, never the history.
    op.create_index("ix_payments_created", "payments", ["merchant_id", "created_at"])
    op.create_index("ix_tab_lines_created", "tab_lines", ["merchant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_tab_lines_created", table_name="tab_lines")
    op.drop_index("ix_payments_created", table_name="payments")
