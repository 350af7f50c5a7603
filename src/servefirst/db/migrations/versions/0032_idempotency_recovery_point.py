"""idempotency_keys: a recovery point, the booking a key's first request kept before its answer

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05 03:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ALTER: a nullable column, no rebuild on SQLite; no key had one before.
    op.add_column("idempotency_keys", sa.Column("recovery_point", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("idempotency_keys", "recovery_point")
