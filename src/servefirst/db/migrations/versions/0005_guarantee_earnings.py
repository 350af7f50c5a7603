"""staff members (who serves, at what commission), one for every existing login

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_members",
        sa.Column("merchant_id", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("commission_bps", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "commission_bps >= 0 AND commission_bps <= 10000",
            name=op.f("ck_staff_members_commission_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.merchant_id"],
            name=op.f("fk_staff_members_merchant_id_merchants"),
        ),
        sa.PrimaryKeyConstraint("merchant_id", "staff_id", name=op.f("pk_staff_members")),
    )
    # Everyone who already signs in has served: they become members, at 0%.
    op.execute(
        "INSERT INTO staff_members (merchant_id, staff_id, name, role, commission_bps, created_at)"
        " SELECT merchant_id, staff_id, name, role, 0, created_at FROM staff_accounts"
    )


def downgrade() -> None:
    op.drop_table("staff_members")
