"""What the risk model keeps: each merchant's fitted models, and history imported
from another system (so a merchant's model can start with history)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Base, UTCDateTime


class RiskModelRow(Base):
    """One fitted no-show model of a merchant; the newest is in force. Kept, not
    replaced: a booking's decision names the version it used."""

    __tablename__ = "risk_models"
    __table_args__ = (Index("ix_risk_models_fitted", "merchant_id", "fitted_at"),)

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rows: Mapped[int] = mapped_column(Integer, doc="Bookings with an outcome it was fit on.")
    body: Mapped[dict[str, Any]] = mapped_column(JSON, doc="risk.model.RiskModel.as_dict().")


class ImportedBooking(Base):
    """A past booking from another system (``servefirst import bookings``): history
    for the model, never a booking of this system (no slot, no deposit)."""

    __tablename__ = "risk_history"

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    booking_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(80), doc="The other system's customer.")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(
        String(16), nullable=True, doc="showed, no_show, cancelled or late_cancelled."
    )
    price: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    service: Mapped[str | None] = mapped_column(String(200), nullable=True)
    staff: Mapped[str | None] = mapped_column(String(200), nullable=True)
    previous_visits: Mapped[int] = mapped_column(Integer, default=0)
    previous_no_shows: Mapped[int] = mapped_column(Integer, default=0)
    previous_cancellations: Mapped[int] = mapped_column(Integer, default=0)
