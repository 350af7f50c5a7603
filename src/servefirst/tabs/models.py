from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from servefirst.db.base import Amount, Base, UTCDateTime


class ReceiptCounter(Base):
    """The last receipt number a merchant gave in a year. Its row is taken (and
    so locked until commit) by the transaction that makes a tab paid: numbers
    follow one another without a gap, as tax authorities ask, and a payment
    rolled back gives its number back with it."""

    __tablename__ = "receipt_counters"
    __table_args__ = (ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),)

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, doc="In the merchant's zone.")
    last_number: Mapped[int] = mapped_column(Integer, doc="The last number given; 0 for none.")


class Tab(Base):
    """A visit. Amounts are running totals kept in step with the ledger."""

    __tablename__ = "tabs"
    __table_args__ = (
        ForeignKeyConstraint(
            ["merchant_id", "customer_id"], ["customers.merchant_id", "customers.customer_id"]
        ),
        UniqueConstraint("merchant_id", "token"),
        UniqueConstraint("merchant_id", "short_code"),
        Index("ix_tabs_customer_status", "merchant_id", "customer_id", "status"),
        Index("ix_tabs_status_opened", "merchant_id", "status", "opened_at"),
        CheckConstraint(
            "subtotal >= 0 AND adjustments >= 0 AND paid >= 0 AND tips >= 0 "
            "AND deposit_applied >= 0",
            name="amounts_not_negative",
        ),
        CheckConstraint("paid + deposit_applied + adjustments <= subtotal", name="never_overpaid"),
        # The last line of defence for the gap-free sequence: a number is never given twice.
        Index("ix_tabs_receipt_number", "merchant_id", "receipt_number", unique=True),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    tab_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(40))
    token: Mapped[str] = mapped_column(String(80), doc="The customer's credential (link, QR).")
    short_code: Mapped[str] = mapped_column(String(8), doc="Read aloud at the counter.")
    status: Mapped[str] = mapped_column(String(16), doc="See tabs.rules.TabStatus.")
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(
        Amount,
        default=0,
        doc="What the live lines charge: their sum, and the tax added on top of them when"
        " the merchant's prices exclude tax.",
    )
    adjustments: Mapped[int] = mapped_column(Amount, default=0, doc="Approved guarantee discounts.")
    paid: Mapped[int] = mapped_column(Amount, default=0, doc="Paid towards the bill, tips apart.")
    tips: Mapped[int] = mapped_column(Amount, default=0, doc="Tips; owed to staff, not revenue.")
    deposit_applied: Mapped[int] = mapped_column(Amount, default=0, doc="Booking deposit used.")
    refunded: Mapped[int] = mapped_column(
        Amount,
        default=0,
        server_default="0",
        doc="Given back from the bill's payments after they were taken. ``paid`` keeps what"
        " was taken (a paid tab stays paid); refunds are shown beside it.",
    )
    tips_refunded: Mapped[int] = mapped_column(
        Amount, default=0, server_default="0", doc="Tips given back (out of tips payable)."
    )
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    card_held: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        doc="A booking's card hold stands (or stood) behind this tab. Most tabs never"
        " have one, and every line and payment would otherwise look for it.",
    )
    pending_payment_id: Mapped[str | None] = mapped_column(
        String(40),
        nullable=True,
        doc="A card payment's attempt waiting for the processor: no other payment"
        " is taken on the tab until it is finished.",
    )
    taxes: Mapped[dict[str, Any] | None] = mapped_column(
        JSON(none_as_null=True),
        nullable=True,
        doc="How the tab is taxed and its lines summed per rate (taxes.rules.TabTaxState),"
        " from its first taxed line on; none: nothing on it is taxed.",
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    terms_accepted_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, doc="When the customer accepted the lines' terms."
    )
    receipt_number: Mapped[str | None] = mapped_column(
        String(16),
        nullable=True,
        doc="'2026-000123': the year and the merchant's gap-free sequence, given in the"
        " transaction that makes the tab paid (``receipt_counters``).",
    )
    due_date: Mapped[date | None] = mapped_column(
        Date,
        nullable=True,
        doc="An invoice's last day to pay, in the merchant's zone; overdue the day after."
        " None: an ordinary tab, counted from when it was served.",
    )
    invoiced_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, doc="When the tab was issued as an invoice (billed after)."
    )


class TabLine(Base):
    """One service on a tab, priced when it was added, with the terms version shown."""

    __tablename__ = "tab_lines"
    __table_args__ = (
        ForeignKeyConstraint(["merchant_id", "tab_id"], ["tabs.merchant_id", "tabs.tab_id"]),
        ForeignKeyConstraint(
            ["merchant_id", "service_id", "terms_version"],
            ["service_terms.merchant_id", "service_terms.service_id", "service_terms.version"],
        ),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # What was sold today, by service and by person (the Today page) reads one window.
        Index("ix_tab_lines_created", "merchant_id", "created_at"),
        CheckConstraint("amount = unit_price * quantity", name="amount_is_price_times_quantity"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    tab_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(String(40))
    terms_version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    unit_price: Mapped[int] = mapped_column(Amount)
    quantity: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Amount)
    staff_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        nullable=True,
        doc="When the line was taken off the tab (a mistake): it stays, struck through,"
        " and no longer counts in the subtotal.",
    )
    void_reason: Mapped[str | None] = mapped_column(
        String(200), nullable=True, doc="Why, in staff's words; the customer sees it."
    )
    tax_rate_id: Mapped[str | None] = mapped_column(
        String(40), nullable=True, doc="The rate the line was charged at; none: untaxed."
    )
    tax_percent: Mapped[str | None] = mapped_column(
        String(12),
        nullable=True,
        doc="That rate's percent, kept with the line: its tax never changes afterwards.",
    )
