"""a lost card dispute reaches the books: the disputes_lost account, and what
each lost dispute took of its payment's bill and tip, with its journal entry

Disputes lost before this revision were never booked and stay so: posting
money in a migration would date it today and decide the split for the
accountant; they read ``bill_lost = tip_lost = 0`` and no entry.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-05 07:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("disputes") as batch:
        batch.add_column(
            sa.Column("bill_lost", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("tip_lost", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("entry_id", sa.String(40), nullable=True))
    # Every merchant's account plan gains the new account with a zero balance,
    # so posting to it is an UPDATE like every other account.
    op.execute(
        "INSERT INTO account_balances (merchant_id, account, debits, credits, balance) "
        "SELECT merchant_id, 'disputes_lost', 0, 0, 0 FROM merchants"
    )


def downgrade() -> None:
    op.execute("DELETE FROM account_balances WHERE account = 'disputes_lost'")
    with op.batch_alter_table("disputes") as batch:
        batch.drop_column("entry_id")
        batch.drop_column("tip_lost")
        batch.drop_column("bill_lost")
