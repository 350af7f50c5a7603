"""messages: one per recipient of an event (an event told to every owner)

Revision ID: 0026
Revises: 0022
Create Date: 2026-12-04 18:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0026"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("merchant_id", "event_id", "kind", "step")
NEW = (*OLD, "customer_id")


def upgrade() -> None:
    # A customer's messages have one recipient an event, so nothing planned
    # before is doubled; a notice to the owners has one row per owner.
    with op.batch_alter_table("messages") as table:
        table.drop_constraint("uq_messages_merchant_id_event_id_kind_step", type_="unique")
        table.create_unique_constraint(
            "uq_messages_merchant_id_event_id_kind_step_customer_id", NEW
        )


def downgrade() -> None:
    with op.batch_alter_table("messages") as table:
        table.drop_constraint(
            "uq_messages_merchant_id_event_id_kind_step_customer_id", type_="unique"
        )
        table.create_unique_constraint("uq_messages_merchant_id_event_id_kind_step", OLD)
