from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Base, UTCDateTime


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),
        Index("ix_events_created", "merchant_id", "created_at"),
        Index("ix_events_undelivered", "merchant_id", "delivered_at"),
        # The delivery worker's queue, across merchants, oldest first: only
        # the rows it has not read yet are in it.
        Index(
            "ix_events_to_deliver",
            "created_at",
            sqlite_where=text("delivered_at IS NULL"),
            postgresql_where=text("delivered_at IS NULL"),
        ),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    type: Mapped[str] = mapped_column(String(64), doc="e.g. tab.opened, payment.succeeded.")
    object_id: Mapped[str] = mapped_column(
        String(255),
        doc="What the event is about: servefirst's own ids, or a processor's (a card"
        " dispute's, up to 255 characters as Stripe's may be).",
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        nullable=True,
        doc="When the delivery worker planned its messages and webhooks.",
    )
