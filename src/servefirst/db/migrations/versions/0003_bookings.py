"""bookings, card holds, deposit totals, per-service deposit policy; the balance trigger also checks deletes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servefirst.db.base import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "card_holds",
        sa.Column("merchant_id", sa.String(length=16), nullable=False),
        sa.Column("hold_id", sa.String(length=40), nullable=False),
        sa.Column("booking_id", sa.String(length=40), nullable=True),
        sa.Column("tab_id", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("captured", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("payment_method", sa.String(length=80), nullable=False),
        sa.Column("card_last4", sa.String(length=4), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("replaces_hold_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "amount > 0 AND captured >= 0 AND captured <= amount",
            name=op.f("ck_card_holds_within_hold"),
        ),
        sa.PrimaryKeyConstraint("merchant_id", "hold_id", name=op.f("pk_card_holds")),
    )
    op.create_index(
        "ix_card_holds_booking", "card_holds", ["merchant_id", "booking_id"], unique=False
    )
    op.create_index(
        "ix_card_holds_expiry", "card_holds", ["merchant_id", "status", "expires_at"], unique=False
    )
    op.create_index("ix_card_holds_tab", "card_holds", ["merchant_id", "tab_id"], unique=False)
    op.create_table(
        "bookings",
        sa.Column("merchant_id", sa.String(length=16), nullable=False),
        sa.Column("booking_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("service_id", sa.String(length=40), nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=True),
        sa.Column("token", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("deposit_required", sa.Boolean(), nullable=False),
        sa.Column("deposit_amount", sa.BigInteger(), nullable=False),
        sa.Column("deposit_status", sa.String(length=16), nullable=False),
        sa.Column("deposit_mode", sa.String(length=16), nullable=False),
        sa.Column("deposit_reason", sa.String(length=200), nullable=False),
        sa.Column("hold_plan", sa.String(length=20), nullable=True),
        sa.Column("deposit_fee", sa.BigInteger(), nullable=False),
        sa.Column("deposit_refund", sa.BigInteger(), nullable=False),
        sa.Column("outcome_reason", sa.String(length=200), nullable=True),
        sa.Column("tab_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "deposit_amount >= 0 AND deposit_fee >= 0 AND deposit_refund >= 0 AND deposit_fee + deposit_refund <= deposit_amount",
            name=op.f("ck_bookings_deposit_split_within_deposit"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_bookings_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["merchant_id", "customer_id"],
            ["customers.merchant_id", "customers.customer_id"],
            name=op.f("fk_bookings_merchant_id_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id", "service_id"],
            ["services.merchant_id", "services.service_id"],
            name=op.f("fk_bookings_merchant_id_service_id_services"),
        ),
        sa.PrimaryKeyConstraint("merchant_id", "booking_id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("merchant_id", "token", name=op.f("uq_bookings_merchant_id_token")),
    )
    op.create_index(
        "ix_bookings_staff_starts",
        "bookings",
        ["merchant_id", "staff_id", "starts_at"],
        unique=False,
    )
    op.create_index("ix_bookings_starts", "bookings", ["merchant_id", "starts_at"], unique=False)
    op.create_table(
        "deposit_totals",
        sa.Column("merchant_id", sa.String(length=16), nullable=False),
        sa.Column("applied", sa.BigInteger(), nullable=False),
        sa.Column("refunded", sa.BigInteger(), nullable=False),
        sa.Column("forfeited", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("merchant_id", name=op.f("pk_deposit_totals")),
    )
    op.add_column("services", sa.Column("deposit_policy", sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(ENTRY_BALANCE_FUNCTION)


# 0001's trigger function read only NEW, so deleting one leg of an entry (or
# moving a leg to another entry) went unchecked. Check both sides of the change.
ENTRY_BALANCE_FUNCTION = """
CREATE OR REPLACE FUNCTION journal_entry_must_balance() RETURNS trigger AS $$
DECLARE m text; e text; net bigint;
BEGIN
    FOR m, e IN
        SELECT OLD.merchant_id, OLD.entry_id WHERE TG_OP IN ('UPDATE', 'DELETE')
        UNION
        SELECT NEW.merchant_id, NEW.entry_id WHERE TG_OP IN ('INSERT', 'UPDATE')
    LOOP
        SELECT COALESCE(SUM(CASE WHEN side = 'debit' THEN amount ELSE -amount END), 0)
          INTO net FROM journal_legs WHERE merchant_id = m AND entry_id = e;
        IF net <> 0 THEN
            RAISE EXCEPTION 'journal entry %/% does not balance (net %)', m, e, net
                USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def downgrade() -> None:
    op.drop_column("services", "deposit_policy")
    op.drop_table("deposit_totals")
    op.drop_index("ix_bookings_starts", table_name="bookings")
    op.drop_index("ix_bookings_staff_starts", table_name="bookings")
    op.drop_table("bookings")
    op.drop_index("ix_card_holds_tab", table_name="card_holds")
    op.drop_index("ix_card_holds_expiry", table_name="card_holds")
    op.drop_index("ix_card_holds_booking", table_name="card_holds")
    op.drop_table("card_holds")
