from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Base, UTCDateTime


class WebhookEndpoint(Base):
    """A URL of an integrator's that receives signed events."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),)

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[Any]] = mapped_column(JSON, doc='Event types, or ["*"] for all.')
    # The signing key must be readable to sign with (an HMAC, not a password).
    secret: Mapped[str] = mapped_column(String(80), doc="whsec_ + base64 key.")
    previous_secret: Mapped[str | None] = mapped_column(
        String(80), nullable=True, doc="Still signed with during a rotation."
    )
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16), doc="enabled, disabled or deleted.")
    disabled_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    failing_since: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, doc="First failure since the last success."
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookDelivery(Base):
    """One event to one endpoint: the body is fixed when planned, so every
    attempt sends the same bytes under the same ``webhook-id`` (the event id)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["merchant_id", "endpoint_id"],
            ["webhook_endpoints.merchant_id", "webhook_endpoints.endpoint_id"],
        ),
        UniqueConstraint("merchant_id", "endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index(
            "ix_webhook_deliveries_endpoint", "merchant_id", "endpoint_id", "status", "created_at"
        ),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(40), doc="Sent as webhook-id.")
    event_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text, doc="The JSON sent, byte for byte on every attempt.")
    status: Mapped[str] = mapped_column(String(16), doc="pending, succeeded or failed.")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
