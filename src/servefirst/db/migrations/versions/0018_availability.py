"""online booking: staff hours, service buffers, merchant slug and booking
settings; on PostgreSQL no two active bookings of one person overlap

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-04 03:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The last line of defence against a double booking. SQLite has one writer at
#: a time, which the booking use case's check already relies on; PostgreSQL
#: runs writers side by side, so the database itself refuses an overlap.
OVERLAP = "ex_bookings_staff_time"


def upgrade() -> None:
    op.create_table(
        "staff_hours",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("staff_id", sa.String(40), nullable=False),
        sa.Column("weekly", sa.JSON(), nullable=False),
        sa.Column("exceptions", sa.JSON(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id", "staff_id"],
            ["staff_members.merchant_id", "staff_members.staff_id"],
            name="fk_staff_hours_merchant_id_staff_id_staff_members",
        ),
        sa.PrimaryKeyConstraint("merchant_id", "staff_id", name="pk_staff_hours"),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    # Plain ALTERs, no batch: rebuilding merchants or services on SQLite would
    # drop a table other rows point at.
    if postgresql:
        op.add_column(
            "services",
            sa.Column("buffer_minutes", sa.Integer(), server_default="0", nullable=False),
        )
        op.create_check_constraint(
            op.f("ck_services_buffer_not_negative"), "services", "buffer_minutes >= 0"
        )
    else:
        # SQLite adds a constraint in place only with its column.
        op.execute(
            "ALTER TABLE services ADD COLUMN buffer_minutes INTEGER DEFAULT '0' NOT NULL"
            " CONSTRAINT ck_services_buffer_not_negative CHECK (buffer_minutes >= 0)"
        )
    op.add_column("merchants", sa.Column("slug", sa.String(63), nullable=True))
    for name, default in (
        ("slot_minutes", "15"),
        ("min_notice_minutes", "120"),
        ("max_days_ahead", "60"),
    ):
        op.add_column(
            "merchants", sa.Column(name, sa.Integer(), server_default=default, nullable=False)
        )
    op.create_index("ix_merchants_slug", "merchants", ["slug"], unique=True)
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"ALTER TABLE bookings ADD CONSTRAINT {OVERLAP} EXCLUDE USING gist"
            " (merchant_id WITH =, staff_id WITH =, tstzrange(starts_at, ends_at) WITH &&)"
            " WHERE (staff_id IS NOT NULL AND status IN ('confirmed', 'checked_in'))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE bookings DROP CONSTRAINT IF EXISTS {OVERLAP}")
    op.drop_index("ix_merchants_slug", table_name="merchants")
    for name in ("max_days_ahead", "min_notice_minutes", "slot_minutes", "slug"):
        op.drop_column("merchants", name)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_services_buffer_not_negative"), "services", type_="check")
    op.drop_column("services", "buffer_minutes")
    op.drop_table("staff_hours")
