"""closing the day: day_closes, and the cash_over_short account for every merchant

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-04 03:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "day_closes",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("close_id", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("opening_float", sa.BigInteger(), nullable=False),
        sa.Column("expected_cash", sa.BigInteger(), nullable=False),
        sa.Column("counted_cash", sa.BigInteger(), nullable=False),
        sa.Column("counted", sa.JSON(), nullable=False),
        sa.Column("difference", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.String(40), nullable=True),
        sa.Column("closed_by", sa.String(40), nullable=False),
        sa.Column("closed_by_name", sa.String(200), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.merchant_id"],
            name="fk_day_closes_merchant_id_merchants",
        ),
        sa.PrimaryKeyConstraint("merchant_id", "day", name="pk_day_closes"),
        sa.UniqueConstraint("close_id", name="uq_day_closes_close_id"),
    )
    # Every merchant's account plan gains the new account with a zero balance,
    # so posting to it is an UPDATE like every other account.
    op.execute(
        "INSERT INTO account_balances (merchant_id, account, debits, credits, balance) "
        "SELECT merchant_id, 'cash_over_short', 0, 0, 0 FROM merchants"
    )


def downgrade() -> None:
    op.execute("DELETE FROM account_balances WHERE account = 'cash_over_short'")
    op.drop_table("day_closes")
