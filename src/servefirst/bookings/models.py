from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Amount, Base, UTCDateTime


class Booking(Base):
    """A reserved slot, and the deposit that protects it."""

    __tablename__ = "bookings"
    __table_args__ = (
        ForeignKeyConstraint(
            ["merchant_id", "customer_id"], ["customers.merchant_id", "customers.customer_id"]
        ),
        ForeignKeyConstraint(
            ["merchant_id", "service_id"], ["services.merchant_id", "services.service_id"]
        ),
        UniqueConstraint("merchant_id", "token"),
        Index("ix_bookings_starts", "merchant_id", "starts_at"),
        Index("ix_bookings_staff_starts", "merchant_id", "staff_id", "starts_at"),
        Index("ix_bookings_tab", "merchant_id", "tab_id"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("buffer_minutes >= 0", name="buffer_not_negative"),
        CheckConstraint(
            "deposit_amount >= 0 AND deposit_fee >= 0 AND deposit_refund >= 0"
            " AND deposit_fee + deposit_refund <= deposit_amount",
            name="deposit_split_within_deposit",
        ),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    booking_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(40))
    service_id: Mapped[str] = mapped_column(String(40))
    staff_id: Mapped[str | None] = mapped_column(
        String(40), nullable=True, doc="Who will serve; two bookings of one person never overlap."
    )
    token: Mapped[str] = mapped_column(String(80), doc="The customer's credential (calendar).")
    status: Mapped[str] = mapped_column(String(16), doc="See bookings.rules.BookingStatus.")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    buffer_minutes: Mapped[int] = mapped_column(
        Integer,
        default=0,
        server_default="0",
        doc="The service's buffer when booked: the staff member stays taken until"
        " ends_at plus these minutes, and nobody else is booked in them (on PostgreSQL"
        " the exclusion constraint ex_bookings_staff_time covers them too).",
    )
    any_staff: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        doc="Booked online for anyone who performs the service: moving it may change"
        " who serves it. False when a person was chosen, or staff booked it.",
    )
    currency: Mapped[str] = mapped_column(String(3))
    price: Mapped[int] = mapped_column(Amount, doc="The service's price when booked.")
    deposit_required: Mapped[bool] = mapped_column(Boolean, default=False)
    deposit_amount: Mapped[int] = mapped_column(Amount, default=0)
    deposit_status: Mapped[str] = mapped_column(String(16), doc="See DepositStatus.")
    deposit_mode: Mapped[str] = mapped_column(String(16), doc="capture or hold.")
    deposit_reason: Mapped[str] = mapped_column(String(200), doc="Why, in plain words.")
    risk_probability: Mapped[float | None] = mapped_column(
        Float, nullable=True, doc="The no-show model's chance of a no-show, when it decided."
    )
    risk_model_version: Mapped[str | None] = mapped_column(
        String(40), nullable=True, doc="The version of the no-show model that decided."
    )
    hold_plan: Mapped[str | None] = mapped_column(
        String(20), nullable=True, doc="hold, hold_and_renew or capture: how the deposit is kept."
    )
    deposit_fee: Mapped[int] = mapped_column(Amount, default=0, doc="Kept as a no-show fee.")
    deposit_refund: Mapped[int] = mapped_column(Amount, default=0, doc="Given back.")
    deposit_move_fee: Mapped[int] = mapped_column(
        Amount,
        default=0,
        server_default="0",
        doc="Kept by late moves before the booking ended, each from the deposit then held"
        " (``deposit_amount`` is what followed the booking after them): with ``deposit_fee``,"
        " all the deposit's fees.",
    )
    outcome_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tab_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_by: Mapped[str | None] = mapped_column(
        String(16),
        nullable=True,
        doc="Who cancelled it (see CancelledBy): the customer's cancellation e-mail says"
        " so. None until cancelled, and for bookings cancelled before it was kept.",
    )
    deposit_reference: Mapped[str | None] = mapped_column(
        String(80),
        nullable=True,
        doc="The processor's reference of a captured deposit (what a refund of it names);"
        " None for a card hold, and for deposits taken before it was kept.",
    )
    calendar_sequence: Mapped[int] = mapped_column(
        Integer,
        default=0,
        server_default="0",
        doc="How often the customer's calendar entry changed (moved, cancelled): the"
        " .ics file's SEQUENCE, so a calendar takes the newer file over an older one.",
    )


class CardHold(Base):
    """An authorisation on the customer's card: for a booking, then for its tab.

    Only the gateway's references and the last four digits are kept.
    """

    __tablename__ = "card_holds"
    __table_args__ = (
        Index("ix_card_holds_booking", "merchant_id", "booking_id"),
        Index("ix_card_holds_tab", "merchant_id", "tab_id"),
        Index("ix_card_holds_expiry", "merchant_id", "status", "expires_at"),
        CheckConstraint("amount > 0 AND captured >= 0 AND captured <= amount", name="within_hold"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    hold_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    booking_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    tab_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(
        String(16), doc="active, captured, released, expired or replaced."
    )
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(Amount, doc="Held on the card.")
    captured: Mapped[int] = mapped_column(Amount, default=0, doc="Taken from the hold.")
    reference: Mapped[str] = mapped_column(String(80))
    payment_method: Mapped[str] = mapped_column(String(80), doc="The gateway's saved-card ref.")
    card_last4: Mapped[str] = mapped_column(String(4))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaces_hold_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: A raise asked and not yet answered (``bookings.hold_raises``): the amount,
    #: the processor's idempotency key (kept before the call) and when.
    raise_to: Mapped[int | None] = mapped_column(Amount, nullable=True)
    raise_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    raise_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The processor's customer the card is kept on file for (Stripe's
    #: Customer); None at the sandbox, whose saved-card reference says it all.
    customer_reference: Mapped[str | None] = mapped_column(String(80), nullable=True)
    #: A fee asked of this hold and not yet answered (``bookings.hold_fees``):
    #: the fee, what is held anew afterwards for the booking (0: nothing, the
    #: booking ended), the processor's idempotency key (kept before the call) and when.
    fee_to: Mapped[int | None] = mapped_column(Amount, nullable=True)
    fee_keeps: Mapped[int | None] = mapped_column(Amount, nullable=True)
    fee_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    fee_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fee_reference: Mapped[str | None] = mapped_column(
        String(80),
        nullable=True,
        doc="The processor's reference of the charge that took the fee: the hold's own when"
        " captured from it, a new one when the card on file was charged after the hold"
        " lapsed (what a dispute of the fee names). None: no fee taken, or taken before"
        " it was kept.",
    )


class DepositTotals(Base):
    """Running totals of how deposits ended, one row per merchant.

    The cash-flow report reads them in O(1): ``deposits_held`` in the ledger
    says what is held now, these say where the rest went. Amounts are deposit
    amounts whether the deposit was captured or only held on the card.
    """

    __tablename__ = "deposit_totals"

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    applied: Mapped[int] = mapped_column(Amount, default=0, doc="Used towards a bill.")
    refunded: Mapped[int] = mapped_column(Amount, default=0, doc="Given back or released.")
    forfeited: Mapped[int] = mapped_column(Amount, default=0, doc="Kept as no-show fees.")


class HoldRelease(Base):
    """A card hold servefirst no longer needs, to be let go at the processor.

    Kept ``pending`` in the transaction that decided it (a tab paid another
    way, a booking ended), and sent afterwards with no transaction open
    (``bookings.hold_releases``); its id is the processor's idempotency key.
    """

    __tablename__ = "card_hold_releases"
    __table_args__ = (Index("ix_card_hold_releases_pending", "status", "asked_at"),)

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    release_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    hold_id: Mapped[str] = mapped_column(String(40))
    gateway: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), doc="pending or sent.")
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DepositRefund(Base):
    """A captured deposit (or part of it) given back to the card it was taken
    on, through the processor that took it (``bookings.deposit_refunds``).

    Kept ``pending`` in the transaction that ends the booking, before the
    processor is asked; its id is the processor's idempotency key. Its journal
    entry is posted once the processor says it refunded: until then the money
    is still in ``deposits_held``.
    """

    __tablename__ = "deposit_refunds"
    __table_args__ = (
        Index("ix_deposit_refunds_pending", "status", "asked_at"),
        Index("ix_deposit_refunds_booking", "merchant_id", "booking_id"),
        CheckConstraint("amount > 0", name="positive"),
        CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status_known"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    refund_id: Mapped[str] = mapped_column(
        String(40), primary_key=True, doc="Also the processor's idempotency key."
    )
    booking_id: Mapped[str] = mapped_column(String(40))
    gateway: Mapped[str] = mapped_column(String(16), doc="The processor that took the deposit.")
    charge_reference: Mapped[str | None] = mapped_column(
        String(80), nullable=True, doc="The deposit's charge; None: asked by the booking's id."
    )
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(Amount)
    status: Mapped[str] = mapped_column(String(16), doc="pending, succeeded or failed.")
    gateway_reference: Mapped[str | None] = mapped_column(String(80), nullable=True)
    failure_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
