"""merchants.phone: the number customers call the business on

Until now a business had no phone number in servefirst, so a message that
tells a customer something went wrong (a deposit's refund refused, a booking
cancelled) and the customer's pages could only offer an e-mail to reply to.
Optional: every business created before keeps none until its owner gives one.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-05 23:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0040"
down_revision: str | None = "0039"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column: a plain ALTER on both engines, no rebuild on SQLite.
    op.add_column("merchants", sa.Column("phone", sa.String(length=40), nullable=True))


def downgrade() -> None:
    # A plain drop, as it was added: no constraint or index names the column.
    op.drop_column("merchants", "phone")
