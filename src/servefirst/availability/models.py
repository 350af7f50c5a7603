from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Base, UTCDateTime


class StaffHours(Base):
    """When a staff member works and what they perform: what online booking offers.

    Kept as the checked document the API takes (``availability.hours.WorkingHours``):
    it is read whole for every availability answer and written whole when changed.
    """

    __tablename__ = "staff_hours"
    __table_args__ = (
        ForeignKeyConstraint(
            ["merchant_id", "staff_id"], ["staff_members.merchant_id", "staff_members.staff_id"]
        ),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    weekly: Mapped[dict[str, Any]] = mapped_column(
        JSON, doc='Wall-clock ranges by day: {"mon": [["09:00", "13:00"], ...]}.'
    )
    exceptions: Mapped[list[Any]] = mapped_column(
        JSON, doc='Dates whose hours replace the week\'s: [{"date", "hours"}]; [] is a day off.'
    )
    services: Mapped[list[str]] = mapped_column(JSON, doc="Ids of the services they perform.")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BookingCode(Base):
    """A one-time code e-mailed to someone who says they have been here before.

    The code itself is never stored: it is an HMAC of the row's random id under
    the server's secret key (``kit.onetime``), worked out again when the e-mail
    is written and when the code is typed, so a copy of the database gives no
    code. Confirmed once, the row is the proof a booking is made with, once.
    Rows live a day (``availability.codes``), for the limits per e-mail and per
    address; the e-mail is kept as typed to find the customer on confirmation.
    """

    __tablename__ = "booking_codes"
    __table_args__ = (
        Index("ix_booking_codes_email", "merchant_id", "email_key", "created_at"),
        Index("ix_booking_codes_client", "merchant_id", "client_ip", "created_at"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    code_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), doc="Where the code went, as typed.")
    email_key: Mapped[str] = mapped_column(
        String(320), doc="The e-mail trimmed and without case, as customers.email_key."
    )
    client_ip: Mapped[str] = mapped_column(String(64), doc="Who asked (the per-address limit).")
    attempts: Mapped[int] = mapped_column(Integer, default=0, doc="Codes typed so far.")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, doc="The code works until then.")
    confirmed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, doc="The right code was typed: the e-mail is the person's."
    )
    used_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, doc="A booking was made with this proof (once)."
    )
