"""customers found however their name or phone was typed; merges of duplicates

Revision ID: 0017
Revises: 0012
Create Date: 2026-12-04 03:05:00
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Rows normalised per round trip of the backfill.
BATCH = 1000


# A copy of customers.rules as it stood when this migration was written: a
# migration must give the same keys whatever the code becomes later.
def _name_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", "", plain.casefold())


def _phone_key(text: str | None) -> str | None:
    digits = re.sub(r"\D+", "", text or "")
    return digits or None


def _email_key(text: str | None) -> str | None:
    return text.strip().casefold() if text and text.strip() else None


def upgrade() -> None:
    op.add_column(
        "customers",
        sa.Column("name_key", sa.String(200), server_default=sa.text("''"), nullable=False),
    )
    op.add_column("customers", sa.Column("phone_key", sa.String(40), nullable=True))
    op.add_column("customers", sa.Column("email_key", sa.String(320), nullable=True))
    _backfill()
    op.create_index("ix_customers_name_key", "customers", ["merchant_id", "name_key"])
    op.create_index("ix_customers_phone_key", "customers", ["merchant_id", "phone_key"])
    op.create_index("ix_customers_email_key", "customers", ["merchant_id", "email_key"])
    op.create_table(
        "customer_merges",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("merged_id", sa.String(40), nullable=False),
        sa.Column("into_id", sa.String(40), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.merchant_id"],
            name="fk_customer_merges_merchant_id_merchants",
        ),
        sa.PrimaryKeyConstraint("merchant_id", "merged_id", name="pk_customer_merges"),
    )


def _backfill() -> None:
    """Keys for the customers already there, in batches by primary key (the
    accents rule needs Python's Unicode tables, which neither engine has)."""
    conn = op.get_bind()
    customers = sa.table(
        "customers",
        sa.column("merchant_id"),
        sa.column("customer_id"),
        sa.column("name"),
        sa.column("phone"),
        sa.column("email"),
        sa.column("name_key"),
        sa.column("phone_key"),
        sa.column("email_key"),
    )
    update = (
        customers.update()
        .where(
            customers.c.merchant_id == sa.bindparam("m"),
            customers.c.customer_id == sa.bindparam("c"),
        )
        .values(
            name_key=sa.bindparam("nk"), phone_key=sa.bindparam("pk"), email_key=sa.bindparam("ek")
        )
    )
    after = ("", "")
    while True:
        rows = conn.execute(
            sa.select(
                customers.c.merchant_id,
                customers.c.customer_id,
                customers.c.name,
                customers.c.phone,
                customers.c.email,
            )
            .where(sa.tuple_(customers.c.merchant_id, customers.c.customer_id) > sa.tuple_(*after))
            .order_by(customers.c.merchant_id, customers.c.customer_id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        conn.execute(
            update,
            [
                {
                    "m": r.merchant_id,
                    "c": r.customer_id,
                    "nk": _name_key(r.name),
                    "pk": _phone_key(r.phone),
                    "ek": _email_key(r.email),
                }
                for r in rows
            ],
        )
        after = (rows[-1].merchant_id, rows[-1].customer_id)


def downgrade() -> None:
    op.drop_table("customer_merges")
    op.drop_index("ix_customers_email_key", "customers")
    op.drop_index("ix_customers_phone_key", "customers")
    op.drop_index("ix_customers_name_key", "customers")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite has it): a batch would rebuild
    # ``customers``, which every tab and booking refers to.
    for column in ("email_key", "phone_key", "name_key"):
        op.drop_column("customers", column)
