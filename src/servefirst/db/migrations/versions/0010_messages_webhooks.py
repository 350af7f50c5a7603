"""messages, webhook endpoints and deliveries; customers.messages_opt_out

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-03 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place, not a batch: a batch rebuilds the table, and tabs refer to it.
    op.add_column(
        "customers",
        sa.Column("messages_opt_out", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # What happened before there was a worker is history, not news: nobody
    # gets a receipt for last year's coffee when the server is upgraded.
    op.execute("UPDATE events SET delivered_at = created_at WHERE delivered_at IS NULL")
    op.create_index(
        "ix_events_to_deliver",
        "events",
        ["created_at"],
        sqlite_where=sa.text("delivered_at IS NULL"),
        postgresql_where=sa.text("delivered_at IS NULL"),
    )
    op.create_table(
        "messages",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(40), nullable=False),
        sa.Column("customer_id", sa.String(40), nullable=False),
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("to_address", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(300), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("unsubscribe_token", sa.String(80), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.merchant_id"], name="fk_messages_merchant_id_merchants"
        ),
        sa.PrimaryKeyConstraint("merchant_id", "message_id", name="pk_messages"),
        sa.UniqueConstraint(
            "merchant_id",
            "event_id",
            "kind",
            "step",
            name="uq_messages_merchant_id_event_id_kind_step",
        ),
        sa.UniqueConstraint(
            "merchant_id", "unsubscribe_token", name="uq_messages_merchant_id_unsubscribe_token"
        ),
    )
    op.create_index("ix_messages_due", "messages", ["status", "next_attempt_at"])
    op.create_index(
        "ix_messages_recipient", "messages", ["merchant_id", "customer_id", "status", "due_at"]
    )
    op.create_index("ix_messages_created", "messages", ["merchant_id", "created_at"])
    op.create_table(
        "webhook_endpoints",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("endpoint_id", sa.String(40), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(80), nullable=False),
        sa.Column("previous_secret", sa.String(80), nullable=True),
        sa.Column("previous_secret_until", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("disabled_reason", sa.String(200), nullable=True),
        sa.Column("failing_since", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.merchant_id"],
            name="fk_webhook_endpoints_merchant_id_merchants",
        ),
        sa.PrimaryKeyConstraint("merchant_id", "endpoint_id", name="pk_webhook_endpoints"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("delivery_id", sa.String(40), nullable=False),
        sa.Column("endpoint_id", sa.String(40), nullable=False),
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["merchant_id", "endpoint_id"],
            ["webhook_endpoints.merchant_id", "webhook_endpoints.endpoint_id"],
            name="fk_webhook_deliveries_merchant_id_endpoint_id_webhook_endpoints",
        ),
        sa.PrimaryKeyConstraint("merchant_id", "delivery_id", name="pk_webhook_deliveries"),
        sa.UniqueConstraint(
            "merchant_id",
            "endpoint_id",
            "event_id",
            name="uq_webhook_deliveries_merchant_id_endpoint_id_event_id",
        ),
    )
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"]
    )
    op.create_index(
        "ix_webhook_deliveries_endpoint",
        "webhook_deliveries",
        ["merchant_id", "endpoint_id", "status", "created_at"],
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
    op.drop_table("messages")
    op.drop_index("ix_events_to_deliver", table_name="events")
    # In place too (SQLite drops a column itself since 3.35).
    op.execute("ALTER TABLE customers DROP COLUMN messages_opt_out")
