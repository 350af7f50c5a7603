"""taxes: rates per merchant, a service's rate, the rate each line was charged at,
the merchant's tax settings, a tab's tax state, the tax movements and the
tax payable account

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 10:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import Amount, UTCDateTime

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tax_rates",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("rate_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("percent", sa.String(12), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.merchant_id"],
            name=op.f("fk_tax_rates_merchant_id_merchants"),
        ),
        sa.PrimaryKeyConstraint("merchant_id", "rate_id", name=op.f("pk_tax_rates")),
        sa.UniqueConstraint("merchant_id", "name", name=op.f("uq_tax_rates_merchant_id_name")),
    )
    op.create_table(
        "tax_movements",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(40), nullable=False),
        sa.Column("rate_id", sa.String(40), nullable=False),
        sa.Column("percent", sa.String(12), nullable=False),
        sa.Column("tab_id", sa.String(40), nullable=False),
        sa.Column("net", Amount(), nullable=False),
        sa.Column("tax", Amount(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id", "entry_id"],
            ["journal_entries.merchant_id", "journal_entries.entry_id"],
            name=op.f("fk_tax_movements_merchant_id_journal_entries"),
        ),
        sa.PrimaryKeyConstraint(
            "merchant_id", "entry_id", "rate_id", name=op.f("pk_tax_movements")
        ),
    )
    # Plain ALTERs, no batch: rebuilding these tables on SQLite would drop
    # tables other rows point at.
    op.add_column(
        "merchants",
        sa.Column("prices_include_tax", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.add_column(
        "merchants",
        sa.Column("tax_rounding", sa.String(8), server_default="line", nullable=False),
    )
    op.add_column("services", sa.Column("tax_rate_id", sa.String(40), nullable=True))
    op.add_column("tab_lines", sa.Column("tax_rate_id", sa.String(40), nullable=True))
    op.add_column("tab_lines", sa.Column("tax_percent", sa.String(12), nullable=True))
    op.add_column("tabs", sa.Column("taxes", sa.JSON(), nullable=True))
    # Every merchant's account plan gains tax payable (posting needs its row).
    op.execute(
        "INSERT INTO account_balances (merchant_id, account, debits, credits, balance)"
        " SELECT merchant_id, 'tax_payable', 0, 0, 0 FROM merchants"
    )


def downgrade() -> None:
    op.execute("DELETE FROM account_balances WHERE account = 'tax_payable'")
    # Plain DROP COLUMNs, as the upgrade's plain ADDs: no table is rebuilt.
    op.drop_column("tabs", "taxes")
    op.drop_column("tab_lines", "tax_percent")
    op.drop_column("tab_lines", "tax_rate_id")
    op.drop_column("services", "tax_rate_id")
    op.drop_column("merchants", "tax_rounding")
    op.drop_column("merchants", "prices_include_tax")
    op.drop_table("tax_movements")
    op.drop_table("tax_rates")
