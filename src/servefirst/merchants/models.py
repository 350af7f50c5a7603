from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Base, UTCDateTime


class Merchant(Base):
    """One business. Its id is the distribution column of every other table."""

    __tablename__ = "merchants"

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), doc="The business's name as customers see it.")
    currency: Mapped[str] = mapped_column(String(3), doc="ISO 4217; every amount of this merchant.")
    policy: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, doc="Overrides of the default policies (tier limits, guarantee...)."
    )
    timezone: Mapped[str] = mapped_column(
        String(64),
        default="UTC",
        server_default="UTC",
        doc="IANA zone: the day of reports, times on pages and e-mails.",
    )
    locale: Mapped[str] = mapped_column(
        String(16),
        default="en",
        server_default="en",
        doc="How numbers, money and dates are written ('pt_PT').",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiKey(Base):
    """A secret key for staff tools and integrators. Only its SHA-256 is kept."""

    __tablename__ = "api_keys"
    __table_args__ = (
        UniqueConstraint("merchant_id", "key_hash"),
        ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), doc="sha256 hex of the whole key.")
    last4: Mapped[str] = mapped_column(String(4), doc="Shown in lists so a key can be recognised.")
    label: Mapped[str] = mapped_column(String(100), default="default")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
