"""trust: faded evidence on the customer, and the append-only trust history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The weights of trust/estimator.py when this migration was written (a
#: migration must not change meaning when the code later does).
GOOD = {"paid_visits": 1.0}
BAD = {
    "late_payments": 0.5,
    "no_shows": 1.0,
    "late_cancellations": 0.5,
    "write_offs": 2.0,
    "rejected_concerns": 1.0,
}


def upgrade() -> None:
    op.add_column("customers", sa.Column("trust_as_of", UTCDateTime(timezone=True), nullable=True))
    op.add_column("customers", sa.Column("trust_good", sa.Float(), nullable=True))
    op.add_column("customers", sa.Column("trust_bad", sa.Float(), nullable=True))
    op.add_column("customers", sa.Column("trust_tallies", sa.JSON(), nullable=True))
    op.create_table(
        "trust_events",
        sa.Column("merchant_id", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("score_before", sa.Float(), nullable=False),
        sa.Column("score_after", sa.Float(), nullable=False),
        sa.Column("tier_before", sa.String(length=16), nullable=False),
        sa.Column("tier_after", sa.String(length=16), nullable=False),
        sa.Column("tab_id", sa.String(length=40), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["merchant_id", "customer_id"],
            ["customers.merchant_id", "customers.customer_id"],
            name=op.f("fk_trust_events_merchant_id_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("merchant_id", "event_id", name=op.f("pk_trust_events")),
    )
    op.create_index(
        "ix_trust_events_customer", "trust_events", ["merchant_id", "customer_id", "at"]
    )
    _backfill()


def _backfill() -> None:
    """Customers with history from before: their counts as evidence of today
    (when each event happened was not kept, so nothing is faded yet)."""
    kinds = [*GOOD, *BAD]
    customers = sa.table(
        "customers",
        sa.column("merchant_id", sa.String),
        sa.column("customer_id", sa.String),
        *(sa.column(kind, sa.Integer) for kind in kinds),
        sa.column("trust_as_of", UTCDateTime(timezone=True)),
        sa.column("trust_good", sa.Float),
        sa.column("trust_bad", sa.Float),
        sa.column("trust_tallies", sa.JSON),
    )
    bind = op.get_bind()
    now = datetime.now(UTC)
    rows = bind.execute(
        sa.select(customers).where(sa.or_(*(customers.c[kind] > 0 for kind in kinds)))
    ).all()
    for row in rows:
        counts = {kind: int(getattr(row, kind) or 0) for kind in kinds}
        tallies = {
            kind: {
                "remembered": float(n),
                "count": n,
                "first_at": now.isoformat(),
                "last_at": now.isoformat(),
            }
            for kind, n in counts.items()
            if n
        }
        bind.execute(
            customers.update()
            .where(
                customers.c.merchant_id == row.merchant_id,
                customers.c.customer_id == row.customer_id,
            )
            .values(
                trust_as_of=now,
                trust_good=sum(GOOD[k] * n for k, n in counts.items() if k in GOOD),
                trust_bad=sum(BAD[k] * n for k, n in counts.items() if k in BAD),
                trust_tallies=tallies,
            )
        )


def downgrade() -> None:
    op.drop_index("ix_trust_events_customer", table_name="trust_events")
    op.drop_table("trust_events")
    op.drop_column("customers", "trust_tallies")
    op.drop_column("customers", "trust_bad")
    op.drop_column("customers", "trust_good")
    op.drop_column("customers", "trust_as_of")
