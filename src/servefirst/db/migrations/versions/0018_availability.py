"""online booking: staff hours, service buffers, merchant slug and booking
settings; on PostgreSQL no two active bookings of one person overlap

Revision ID: 0018
Revises: 0011
Create Date: 2026-12-04 03:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0011"
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
    with op.batch_alter_table("services") as batch:
        batch.add_column(
            sa.Column("buffer_minutes", sa.Integer(), server_default="0", nullable=False)
        )
        batch.create_check_constraint(
            op.f("ck_services_buffer_not_negative"), "buffer_minutes >= 0"
        )
    with op.batch_alter_table("merchants") as batch:
        batch.add_column(sa.Column("slug", sa.String(63), nullable=True))
        for name, default in (
            ("slot_minutes", "15"),
            ("min_notice_minutes", "120"),
            ("max_days_ahead", "60"),
        ):
            batch.add_column(sa.Column(name, sa.Integer(), server_default=default, nullable=False))
        batch.create_unique_constraint(op.f("uq_merchants_slug"), ["slug"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"ALTER TABLE bookings ADD CONSTRAINT {OVERLAP} EXCLUDE USING gist"
            " (merchant_id WITH =, staff_id WITH =, tstzrange(starts_at, ends_at) WITH &&)"
            " WHERE (staff_id IS NOT NULL AND status IN ('confirmed', 'checked_in'))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE bookings DROP CONSTRAINT IF EXISTS {OVERLAP}")
    with op.batch_alter_table("merchants") as batch:
        batch.drop_constraint("uq_merchants_slug", type_="unique")
        for name in ("max_days_ahead", "min_notice_minutes", "slot_minutes", "slug"):
            batch.drop_column(name)
    with op.batch_alter_table("services") as batch:
        batch.drop_constraint("ck_services_buffer_not_negative", type_="check")
        batch.drop_column("buffer_minutes")
    op.drop_table("staff_hours")
