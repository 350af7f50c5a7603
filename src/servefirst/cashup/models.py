"""A closed day: the count, what was expected, and the difference booked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Amount, Base, UTCDateTime


class DayClose(Base):
    """One close per merchant and day (the merchant's day, in its zone): the
    primary key is what refuses a second close of the same day."""

    __tablename__ = "day_closes"
    __table_args__ = (ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),)

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, doc="The merchant's calendar day.")
    close_id: Mapped[str] = mapped_column(String(40), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    opening_float: Mapped[int] = mapped_column(Amount, doc="Put in the drawer for change.")
    expected_cash: Mapped[int] = mapped_column(
        Amount, doc="The float plus the day's cash movements in the ledger."
    )
    counted_cash: Mapped[int] = mapped_column(Amount, doc="What the count adds up to.")
    counted: Mapped[dict[str, Any]] = mapped_column(
        JSON, doc="Pieces per note and coin, keyed by its value in minor units."
    )
    difference: Mapped[int] = mapped_column(
        Amount, doc="Counted less expected: positive over, negative short."
    )
    entry_id: Mapped[str | None] = mapped_column(
        String(40), nullable=True, doc="The over/short journal entry (none when exact)."
    )
    closed_by: Mapped[str] = mapped_column(String(40), doc="Staff id, or 'api_key'.")
    closed_by_name: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
