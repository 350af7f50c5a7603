"""staff accounts, sessions and sign-in attempts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("merchant_id", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.merchant_id"],
            name=op.f("fk_staff_accounts_merchant_id_merchants"),
        ),
        sa.PrimaryKeyConstraint("merchant_id", "staff_id", name=op.f("pk_staff_accounts")),
        sa.UniqueConstraint(
            "merchant_id", "email", name=op.f("uq_staff_accounts_merchant_id_email")
        ),
    )
    with op.batch_alter_table("staff_accounts", schema=None) as batch_op:
        batch_op.create_index("ix_staff_accounts_email", ["email"], unique=False)

    op.create_table(
        "staff_sessions",
        sa.Column("merchant_id", sa.String(length=16), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("csrf_secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id", "staff_id"],
            ["staff_accounts.merchant_id", "staff_accounts.staff_id"],
            name=op.f("fk_staff_sessions_merchant_id_staff_id_staff_accounts"),
        ),
        sa.PrimaryKeyConstraint("merchant_id", "session_hash", name=op.f("pk_staff_sessions")),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_staff_sessions_expires", ["merchant_id", "expires_at"], unique=False
        )

    op.create_table(
        "staff_sign_in_attempts",
        sa.Column("merchant_id", sa.String(length=16), nullable=False),
        sa.Column("attempt_id", sa.String(length=40), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("client_ip", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "merchant_id", "attempt_id", name=op.f("pk_staff_sign_in_attempts")
        ),
    )
    with op.batch_alter_table("staff_sign_in_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_staff_sign_in_attempts_email", ["email_hash", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_staff_sign_in_attempts_ip", ["client_ip", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_sign_in_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_sign_in_attempts_ip")
        batch_op.drop_index("ix_staff_sign_in_attempts_email")
    op.drop_table("staff_sign_in_attempts")
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_sessions_expires")
    op.drop_table("staff_sessions")
    with op.batch_alter_table("staff_accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_accounts_email")
    op.drop_table("staff_accounts")
