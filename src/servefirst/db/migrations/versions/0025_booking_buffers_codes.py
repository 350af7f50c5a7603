"""a booking keeps its buffer and whether it was for anyone; on PostgreSQL no
booking starts inside another's buffer; one-time codes for returning customers

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 10:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OVERLAP = "ex_bookings_staff_time"
ACTIVE = "WHERE (staff_id IS NOT NULL AND status IN ('confirmed', 'checked_in'))"
#: The range a booking takes: from its start to its end plus its buffer. In
#: UTC wall time (``AT TIME ZONE 'UTC'``) because an index expression must be
#: immutable: adding minutes to a ``timestamptz`` is only "stable" (a day or a
#: month would depend on the session's zone), to a plain timestamp it is not.
TAKEN = (
    "tsrange(starts_at AT TIME ZONE 'UTC',"
    " (ends_at AT TIME ZONE 'UTC') + make_interval(mins => buffer_minutes))"
)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    # Plain ALTERs, no batch: rebuilding bookings on SQLite would drop what
    # points at it. SQLite adds a constraint in place only with its column.
    if postgresql:
        op.add_column(
            "bookings",
            sa.Column("buffer_minutes", sa.Integer(), server_default="0", nullable=False),
        )
        op.create_check_constraint(
            op.f("ck_bookings_buffer_not_negative"), "bookings", "buffer_minutes >= 0"
        )
    else:
        op.execute(
            "ALTER TABLE bookings ADD COLUMN buffer_minutes INTEGER DEFAULT '0' NOT NULL"
            " CONSTRAINT ck_bookings_buffer_not_negative CHECK (buffer_minutes >= 0)"
        )
    op.add_column(
        "bookings",
        sa.Column("any_staff", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # Bookings made before keep the buffer their service has now: the best
    # record there is of what it was.
    op.execute(
        "UPDATE bookings SET buffer_minutes = (SELECT services.buffer_minutes FROM services"
        " WHERE services.merchant_id = bookings.merchant_id"
        " AND services.service_id = bookings.service_id)"
        " WHERE EXISTS (SELECT 1 FROM services WHERE services.merchant_id = bookings.merchant_id"
        " AND services.service_id = bookings.service_id AND services.buffer_minutes > 0)"
    )
    if postgresql:
        # Bookings already inside one another's buffer (the staff route did not
        # look at buffers) would stop the new constraint: only the buffer is
        # given up for them, never a booking.
        op.execute(
            "UPDATE bookings b SET buffer_minutes = 0 WHERE b.staff_id IS NOT NULL"
            " AND b.status IN ('confirmed', 'checked_in') AND b.buffer_minutes > 0"
            " AND EXISTS (SELECT 1 FROM bookings o WHERE o.merchant_id = b.merchant_id"
            " AND o.staff_id = b.staff_id AND o.booking_id <> b.booking_id"
            " AND o.status IN ('confirmed', 'checked_in')"
            " AND o.starts_at >= b.ends_at"
            " AND o.starts_at < b.ends_at + make_interval(mins => b.buffer_minutes))"
        )
        op.execute(f"ALTER TABLE bookings DROP CONSTRAINT {OVERLAP}")
        op.execute(
            f"ALTER TABLE bookings ADD CONSTRAINT {OVERLAP} EXCLUDE USING gist"
            f" (merchant_id WITH =, staff_id WITH =, {TAKEN} WITH &&) {ACTIVE}"
        )
    op.create_table(
        "booking_codes",
        sa.Column("merchant_id", sa.String(16), nullable=False),
        sa.Column("code_id", sa.String(40), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("email_key", sa.String(320), nullable=False),
        sa.Column("client_ip", sa.String(64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("merchant_id", "code_id", name=op.f("pk_booking_codes")),
    )
    op.create_index(
        "ix_booking_codes_email", "booking_codes", ["merchant_id", "email_key", "created_at"]
    )
    op.create_index(
        "ix_booking_codes_client", "booking_codes", ["merchant_id", "client_ip", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_booking_codes_client", table_name="booking_codes")
    op.drop_index("ix_booking_codes_email", table_name="booking_codes")
    op.drop_table("booking_codes")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE bookings DROP CONSTRAINT {OVERLAP}")
        op.execute(
            f"ALTER TABLE bookings ADD CONSTRAINT {OVERLAP} EXCLUDE USING gist"
            f" (merchant_id WITH =, staff_id WITH =, tstzrange(starts_at, ends_at) WITH &&)"
            f" {ACTIVE}"
        )
        op.drop_constraint(op.f("ck_bookings_buffer_not_negative"), "bookings", type_="check")
    op.drop_column("bookings", "any_staff")
    op.drop_column("bookings", "buffer_minutes")
