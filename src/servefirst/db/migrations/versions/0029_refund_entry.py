"""refunds: the journal entry that booked each one

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 21:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ALTER, no batch (as 0027): rebuilding refunds on SQLite would
    # rewrite a table other rows point at. Refunds booked before this have no
    # entry; their receipt works the split out from the tab, as before.
    op.add_column("refunds", sa.Column("entry_id", sa.String(40), nullable=True))


def downgrade() -> None:
    op.drop_column("refunds", "entry_id")
