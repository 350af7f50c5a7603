"""loyalty and referrals: the stamps-and-points journal, the rewards, and the
loyalty_rewards contra-revenue account for every merchant

Revision ID: 0023
Revises: 0019
Create Date: 2026-12-04 10:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import Amount, UTCDateTime

revision: str = "0023"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loyalty_transactions",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("transaction_id", sa.String(40), nullable=False),
        sa.Column("customer_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("tab_id", sa.String(40), nullable=True),
        sa.Column("reward_id", sa.String(40), nullable=True),
        sa.Column("reference", sa.String(40), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id", "customer_id"],
            ["customers.merchant_id", "customers.customer_id"],
            name="fk_loyalty_transactions_merchant_id_customer_id_customers",
        ),
        sa.PrimaryKeyConstraint("merchant_id", "transaction_id", name="pk_loyalty_transactions"),
    )
    op.create_index(
        "ix_loyalty_transactions_customer",
        "loyalty_transactions",
        ["merchant_id", "customer_id", "created_at"],
    )
    op.create_index(
        "ix_loyalty_transactions_tab", "loyalty_transactions", ["merchant_id", "tab_id"]
    )
    op.create_table(
        "loyalty_rewards",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("reward_id", sa.String(40), nullable=False),
        sa.Column("customer_id", sa.String(40), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("reward", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.Column("referred_customer_id", sa.String(40), nullable=True),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("redeemed_at", UTCDateTime(), nullable=True),
        sa.Column("tab_id", sa.String(40), nullable=True),
        sa.Column("discount", Amount(), nullable=True),
        sa.CheckConstraint(
            "discount IS NULL OR discount > 0", name=op.f("ck_loyalty_rewards_discount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id", "customer_id"],
            ["customers.merchant_id", "customers.customer_id"],
            name="fk_loyalty_rewards_merchant_id_customer_id_customers",
        ),
        sa.PrimaryKeyConstraint("merchant_id", "reward_id", name="pk_loyalty_rewards"),
    )
    op.create_index(
        "ix_loyalty_rewards_customer",
        "loyalty_rewards",
        ["merchant_id", "customer_id", "status"],
    )
    # Every merchant's account plan gains the new account with a zero balance,
    # so posting to it is an UPDATE like every other account.
    op.execute(
        "INSERT INTO account_balances (merchant_id, account, debits, credits, balance) "
        "SELECT merchant_id, 'loyalty_rewards', 0, 0, 0 FROM merchants"
    )


def downgrade() -> None:
    op.execute("DELETE FROM account_balances WHERE account = 'loyalty_rewards'")
    op.drop_index("ix_loyalty_rewards_customer", table_name="loyalty_rewards")
    op.drop_table("loyalty_rewards")
    op.drop_index("ix_loyalty_transactions_tab", table_name="loyalty_transactions")
    op.drop_index("ix_loyalty_transactions_customer", table_name="loyalty_transactions")
    op.drop_table("loyalty_transactions")
