"""The trust history: one row per event that moved a customer's score (append-only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Base, UTCDateTime


class TrustEvent(Base):
    __tablename__ = "trust_events"
    __table_args__ = (
        ForeignKeyConstraint(
            ["merchant_id", "customer_id"], ["customers.merchant_id", "customers.customer_id"]
        ),
        Index("ix_trust_events_customer", "merchant_id", "customer_id", "at"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(32), doc="paid_visits, no_shows, write_offs, ...")
    weight: Mapped[float] = mapped_column(Float, doc="Good (+) or bad (-) visits it counts as.")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    score_before: Mapped[float] = mapped_column(Float)
    score_after: Mapped[float] = mapped_column(Float)
    tier_before: Mapped[str] = mapped_column(String(16))
    tier_after: Mapped[str] = mapped_column(String(16))
    tab_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    amount: Mapped[int | None] = mapped_column(
        BigInteger, nullable=True, doc="The tab's total (paid) or what was lost (written off)."
    )
