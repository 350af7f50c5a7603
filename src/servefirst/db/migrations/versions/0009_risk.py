"""deposits decided by measured risk: fitted models, imported history, and the
probability and model version on each booking's deposit decision

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk_models",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("fitted_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("merchant_id", "version", name="pk_risk_models"),
    )
    op.create_index("ix_risk_models_fitted", "risk_models", ["merchant_id", "fitted_at"])
    op.create_table(
        "risk_history",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("booking_id", sa.String(80), nullable=False),
        sa.Column("customer_id", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("price", sa.BigInteger(), nullable=True),
        sa.Column("service", sa.String(200), nullable=True),
        sa.Column("staff", sa.String(200), nullable=True),
        sa.Column("previous_visits", sa.Integer(), nullable=False),
        sa.Column("previous_no_shows", sa.Integer(), nullable=False),
        sa.Column("previous_cancellations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("merchant_id", "booking_id", name="pk_risk_history"),
    )
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("risk_probability", sa.Float(), nullable=True))
        batch.add_column(sa.Column("risk_model_version", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("risk_model_version")
        batch.drop_column("risk_probability")
    op.drop_table("risk_history")
    op.drop_index("ix_risk_models_fitted", table_name="risk_models")
    op.drop_table("risk_models")
