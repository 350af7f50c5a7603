from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKeyConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Amount, Base, UTCDateTime


class Service(Base):
    __tablename__ = "services"
    __table_args__ = (
        ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("buffer_minutes >= 0", name="buffer_not_negative"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    price: Mapped[int] = mapped_column(Amount, doc="Current price, minor units.")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    buffer_minutes: Mapped[int] = mapped_column(
        Integer,
        default=0,
        server_default="0",
        doc="Time kept free after each booking (cleaning, notes); nobody is booked in it.",
    )
    terms_version: Mapped[int] = mapped_column(Integer, default=1, doc="Current terms version.")
    active: Mapped[bool] = mapped_column(Boolean, default=True, doc="Inactive: not sold any more.")
    deposit_policy: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, nullable=True, doc="Overrides of the merchant's deposit policy for this service."
    )
    tax_rate_id: Mapped[str | None] = mapped_column(
        String(40),
        nullable=True,
        # No foreign key: SQLite adds one only by rebuilding the table, which
        # other rows point at; the use case checks the rate is the merchant's.
        doc="The tax rate its lines are charged at (taxes.models.TaxRate); none: untaxed.",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ServiceTerms(Base):
    """One version of a service's promise. Never updated: a change is a new version."""

    __tablename__ = "service_terms"
    __table_args__ = (
        ForeignKeyConstraint(
            ["merchant_id", "service_id"], ["services.merchant_id", "services.service_id"]
        ),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    expected_results: Mapped[Any] = mapped_column(
        JSON, doc="What the customer can expect: a string or a list of statements, as given."
    )
    limits: Mapped[Any] = mapped_column(JSON, doc="What the service does not promise.")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
