from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import true

from servefirst.db.base import Base, UTCDateTime


class Merchant(Base):
    """One business. Its id is the distribution column of every other table.

    The ``slug`` is the one name looked up without a merchant in hand (the
    public booking routes): unique across merchants, which a sharded database
    keeps by holding this small table whole on every node (a reference table).
    """

    __tablename__ = "merchants"
    __table_args__ = (Index("ix_merchants_slug", "slug", unique=True),)

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
    slug: Mapped[str | None] = mapped_column(
        String(63), nullable=True, doc="The public name in booking links ('cafe-azul')."
    )
    slot_minutes: Mapped[int] = mapped_column(
        Integer, default=15, server_default="15", doc="The step between times offered online."
    )
    min_notice_minutes: Mapped[int] = mapped_column(
        Integer, default=120, server_default="120", doc="Online booking closes this long before."
    )
    max_days_ahead: Mapped[int] = mapped_column(
        Integer, default=60, server_default="60", doc="How far ahead one may book online."
    )
    prices_include_tax: Mapped[bool] = mapped_column(
        Boolean,
        default=True,
        server_default=true(),
        doc="Prices are entered with tax in them (EU custom); false: tax is added on top (US).",
    )
    tax_rounding: Mapped[str] = mapped_column(
        String(8),
        default="line",
        server_default="line",
        doc="Where tax is rounded: each 'line', or each rate's total on the 'receipt'.",
    )
    legal_name: Mapped[str | None] = mapped_column(
        String(200), nullable=True, doc="The seller's registered name, printed on receipts."
    )
    address: Mapped[str | None] = mapped_column(
        String(500), nullable=True, doc="The seller's address (lines split by newlines)."
    )
    tax_id: Mapped[str | None] = mapped_column(
        String(32), nullable=True, doc="The seller's tax id (NIF, VAT number), normalised."
    )
    phone: Mapped[str | None] = mapped_column(
        String(40),
        nullable=True,
        doc="The number customers call the business on, as the owner wrote it: on the"
        " customer's pages, receipts and messages (the customers' phone rules).",
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
