"""payments.asked_at: when a retry last asked the processor under a pending attempt's key

Recovery finishes a card payment attempt left pending by a crash once its
grace has passed. A retry of the same request may carry the attempt on and
ask the processor again under the same key; recovery then counts its grace
from that ask, not from the attempt's start, so it never fails an attempt
whose charge is still on its way.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-05 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import UTCDateTime

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ALTER: a nullable column, no rebuild on SQLite; no attempt was carried on before.
    op.add_column("payments", sa.Column("asked_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+), as 0032's: a batch rebuild of
    # ``payments`` would trip over the rows that refer to it.
    op.drop_column("payments", "asked_at")
