from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from servefirst.db.base import Base, UTCDateTime


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),
        UniqueConstraint("merchant_id", "referral_code"),
        Index("ix_customers_search", "merchant_id", "name"),
        Index("ix_customers_name_key", "merchant_id", "name_key"),
        Index("ix_customers_phone_key", "merchant_id", "phone_key"),
        Index("ix_customers_email_key", "merchant_id", "email_key"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # What a search and the duplicate check compare (customers.rules), kept
    # beside what was typed so a search never normalises every row it reads.
    name_key: Mapped[str] = mapped_column(
        String(200),
        default="",
        server_default=text("''"),
        doc="The name without accents, case or spaces.",
    )
    phone_key: Mapped[str | None] = mapped_column(
        String(40), nullable=True, doc="The phone number's digits only."
    )
    email_key: Mapped[str | None] = mapped_column(
        String(320), nullable=True, doc="The e-mail trimmed and without case."
    )
    messages_opt_out: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        doc="No e-mail or text of any kind (the receipt stays on the tab page).",
    )
    tax_id: Mapped[str | None] = mapped_column(
        String(32), nullable=True, doc="Their tax id, printed on their receipts when given."
    )
    referral_code: Mapped[str] = mapped_column(String(16), doc="Code this customer gives friends.")
    referred_by: Mapped[str | None] = mapped_column(
        String(40), nullable=True, doc="The customer whose referral code brought this one."
    )
    # The history trust is computed from, kept as running counts so reading a
    # customer's trust never scans their past.
    paid_visits: Mapped[int] = mapped_column(Integer, default=0, doc="Tabs paid in full.")
    late_payments: Mapped[int] = mapped_column(Integer, default=0, doc="Tabs paid after overdue.")
    no_shows: Mapped[int] = mapped_column(Integer, default=0)
    late_cancellations: Mapped[int] = mapped_column(Integer, default=0)
    write_offs: Mapped[int] = mapped_column(Integer, default=0, doc="Tabs never paid.")
    rejected_concerns: Mapped[int] = mapped_column(
        Integer, default=0, doc="Concerns staff rejected as unfounded (upheld ones never count)."
    )
    # Trust evidence, faded to ``trust_as_of`` (see trust/estimator.py): the
    # decayed good and bad visit weights, and per kind of event the decayed
    # count, the count and the first and last time. NULL: no history yet.
    trust_as_of: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    trust_good: Mapped[float | None] = mapped_column(Float, nullable=True)
    trust_bad: Mapped[float | None] = mapped_column(Float, nullable=True)
    trust_tallies: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CustomerMerge(Base):
    """A duplicate customer merged into another: the merged id answers 404
    from then on, and asking for the same merge again answers as the first
    time did (this row says where the duplicate went)."""

    __tablename__ = "customer_merges"
    __table_args__ = (ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),)

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    merged_id: Mapped[str] = mapped_column(String(40), primary_key=True, doc="The duplicate, gone.")
    into_id: Mapped[str] = mapped_column(String(40), doc="The customer who kept everything.")
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime)
