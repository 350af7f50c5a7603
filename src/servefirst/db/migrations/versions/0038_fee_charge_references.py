"""card_holds.fee_reference: the processor's reference of the charge that took
a no-show, late-cancellation or late-move fee

A fee is taken from the booking's card hold (the hold's own PaymentIntent,
captured) or, once the hold lapsed, charged on the card kept on file (a new
PaymentIntent nobody kept). The charge's reference is kept now, so a dispute
the processor opens on it names its booking as a deposit's dispute does. Fees
taken before this revision keep none: a hold's own is its ``reference``, the
rest is not known.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-05 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0038"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ALTER: a nullable column, no rebuild on SQLite.
    op.add_column("card_holds", sa.Column("fee_reference", sa.String(80), nullable=True))


def downgrade() -> None:
    op.drop_column("card_holds", "fee_reference")
