from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Amount, Base, UTCDateTime


class Payment(Base):
    """Money received for a tab, or a card payment's attempt at it.

    A card payment is kept before the processor is called (``pending``), then
    finished as ``succeeded`` or ``failed`` (DESIGN.md, "A payment in phases");
    only a succeeded payment counts towards the bill. A refund would be its own row.
    """

    __tablename__ = "payments"
    #: ``client_secret`` below is not a column.
    __allow_unmapped__ = True
    __table_args__ = (
        ForeignKeyConstraint(["merchant_id", "tab_id"], ["tabs.merchant_id", "tabs.tab_id"]),
        Index("ix_payments_tab", "merchant_id", "tab_id"),
        # The day's takings (the Today page, the day close) read one window of time.
        Index("ix_payments_created", "merchant_id", "created_at"),
        # A processor's event names its own id for the payment.
        Index("ix_payments_reference", "merchant_id", "gateway_reference"),
        CheckConstraint("amount >= 0 AND tip >= 0 AND amount + tip > 0", name="positive"),
        # What recovery looks for: attempts a crash left pending (few, if any).
        Index("ix_payments_status", "status", "created_at"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    payment_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tab_id: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(16), doc="cash, card_terminal or card.")
    gateway: Mapped[str] = mapped_column(String(16), doc="manual or sandbox.")
    amount: Mapped[int] = mapped_column(Amount, doc="Towards the bill.")
    tip: Mapped[int] = mapped_column(Amount, default=0, doc="For the staff; not revenue.")
    status: Mapped[str] = mapped_column(
        String(16), default="succeeded", doc="pending, succeeded or failed."
    )
    failure_code: Mapped[str | None] = mapped_column(
        String(32), nullable=True, doc="Why a failed attempt failed (the decline code)."
    )
    processor_key: Mapped[str | None] = mapped_column(
        String(64),
        nullable=True,
        doc="The processor's idempotency key for this attempt, kept before the call:"
        " recovery asks the processor by it, never charging again.",
    )
    card_last4: Mapped[str | None] = mapped_column(String(4), nullable=True)
    gateway_reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    asked_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        nullable=True,
        doc="When a retry of the request that began this attempt asked the processor again"
        " under its key (phases.resume); recovery waits its grace from then.",
    )
    #: Stripe's client secret of a payment waiting for 3-D Secure: handed to
    #: the payer's page in the answer, never stored.
    client_secret: str | None = None


class GatewayAccount(Base):
    """The merchant's card processor: the sandbox (no row) or Stripe with its
    keys. The secret key and webhook signing secret are sealed
    (``kit/sealed.py``) and never leave the server again."""

    __tablename__ = "gateway_accounts"

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    gateway: Mapped[str] = mapped_column(String(16), doc="sandbox or stripe.")
    publishable_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    secret_key_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    webhook_secret_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcessorEvent(Base):
    """Each processor event handled, by its id: a redelivered event is answered
    and not handled again."""

    __tablename__ = "processor_events"

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Dispute(Base):
    """A customer disputed a card payment (or a booking's deposit) with their
    bank. Shown to staff; lost (marked by the owner or closed so by Stripe),
    the money leaves the books; counted in the customer's trust history only
    once the owner marks it lost; won (or closed without a loss), its payment
    can be refunded again. Won by Stripe after a loss was booked, the loss is
    booked back (``won_back_entry_id``)."""

    __tablename__ = "disputes"
    __table_args__ = (Index("ix_disputes_payment", "merchant_id", "payment_id"),)

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    dispute_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    payment_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    tab_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    booking_id: Mapped[str | None] = mapped_column(
        String(40),
        nullable=True,
        doc="A dispute of a booking's own charge, its deposit or a fee charged on its card"
        " (no payment of a tab): the booking; None for a dispute of a payment, or of a"
        " charge we do not know. Lost, a deposit applied to a tab names that tab too"
        " (tab_id), whose bill it paid (payments.booking_disputes).",
    )
    charge: Mapped[str] = mapped_column(String(255), doc="The processor's charge id.")
    amount: Mapped[int] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(
        String(16),
        doc="open, lost, won or closed (dispute_rules.DisputeStatus): open or lost, the"
        " payment cannot be refunded.",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lost_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, doc="When it became lost: the owner's mark or Stripe's verdict."
    )
    marked_lost_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        nullable=True,
        doc="When the owner marked it lost, which (alone) counts it against the customer's"
        " trust; None while only Stripe closed it lost.",
    )
    bill_lost: Mapped[int] = mapped_column(
        Amount,
        default=0,
        server_default="0",
        doc="Marked lost: what the bank took of the payment's bill part (what"
        " refunds and earlier lost disputes left of it), booked to disputes_lost.",
    )
    tip_lost: Mapped[int] = mapped_column(
        Amount,
        default=0,
        server_default="0",
        doc="Marked lost: what the bank took of the payment's tip (after the bill part).",
    )
    fee_lost: Mapped[int] = mapped_column(
        Amount,
        default=0,
        server_default="0",
        doc="Of bill_lost, for a deposit applied to a tab after a late move kept a fee: the"
        " fee's part (revenue the bank took back, not the tab's bill).",
    )
    deposit_returned: Mapped[int] = mapped_column(
        Amount,
        default=0,
        server_default="0",
        doc="Lost, of a booking's deposit whose refund the processor refused (still in"
        " deposits_held, owed to the customer): what the bank gave them of it, out of"
        " deposits_held beside bill_lost, no revenue lost.",
    )
    entry_id: Mapped[str | None] = mapped_column(
        String(40), nullable=True, doc="The journal entry that booked the loss, if any."
    )
    won_back_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        nullable=True,
        doc="When Stripe closed it won after it had been lost: the money came back.",
    )
    won_back_entry_id: Mapped[str | None] = mapped_column(
        String(40),
        nullable=True,
        doc="The journal entry that booked the loss back (entry_id's legs, sides swapped);"
        " bill_lost and tip_lost stay as what it gave back.",
    )


class SandboxCharge(Base):
    """A charge the sandbox gateway made, kept by the sandbox as a processor
    keeps its own: after a crash, recovery asks it what happened to an
    attempt. The processor's table, not servefirst's: keyed by the processor's
    idempotency key, outside the merchant schema (tests/integration/test_schema.py)."""

    __tablename__ = "sandbox_charges"

    idempotency_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    card_last4: Mapped[str | None] = mapped_column(String(4), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: A hold (not a charge): the saved card it was made on, and when it lapses.
    payment_method: Mapped[str | None] = mapped_column(String(80), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
