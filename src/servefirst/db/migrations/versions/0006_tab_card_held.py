"""tabs.card_held: whether a booking's card hold stands behind the tab

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 14:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tabs") as batch:
        batch.add_column(
            sa.Column("card_held", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Tabs that already have a hold (checked in from a booking) say so.
    op.execute(
        "UPDATE tabs SET card_held = TRUE WHERE EXISTS (SELECT 1 FROM card_holds h"
        " WHERE h.merchant_id = tabs.merchant_id AND h.tab_id = tabs.tab_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("tabs") as batch:
        batch.drop_column("card_held")
