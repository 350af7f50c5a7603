"""sign-in throttles counted before the password check; known browsers

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 19:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_sign_in_throttles",
        sa.Column("merchant_id", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("window_ends", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("merchant_id", "key", name=op.f("pk_staff_sign_in_throttles")),
    )
    with op.batch_alter_table("staff_sign_in_attempts") as batch:
        batch.add_column(sa.Column("device_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_sign_in_attempts") as batch:
        batch.drop_column("device_hash")
    op.drop_table("staff_sign_in_throttles")
