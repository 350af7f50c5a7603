"""Money given back from a payment: one row per refund, with its own status.

A card refund is written in phases (DESIGN.md, "A payment in phases"): the row
is committed ``pending`` before the processor is asked, with its id as the
processor's idempotency key, and its outcome is committed after. A refund left
``pending`` by a crash is finished by ``payments.refund_recovery.finish_pending_refunds``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Amount, Base, UTCDateTime


class Refund(Base):
    __tablename__ = "refunds"
    __table_args__ = (
        ForeignKeyConstraint(
            ["merchant_id", "payment_id"], ["payments.merchant_id", "payments.payment_id"]
        ),
        Index("ix_refunds_payment", "merchant_id", "payment_id"),
        Index("ix_refunds_status", "merchant_id", "status"),
        CheckConstraint("amount >= 0 AND tip >= 0 AND amount + tip > 0", name="positive"),
        CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status_known"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    refund_id: Mapped[str] = mapped_column(
        String(40), primary_key=True, doc="Also the processor's idempotency key."
    )
    payment_id: Mapped[str] = mapped_column(String(40), doc="The payment given back from.")
    tab_id: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(16), doc="The payment's method.")
    gateway: Mapped[str] = mapped_column(String(16), doc="manual (recorded) or the processor.")
    amount: Mapped[int] = mapped_column(Amount, doc="Given back from the bill's part.")
    tip: Mapped[int] = mapped_column(Amount, doc="Given back from the tip.")
    status: Mapped[str] = mapped_column(String(16), doc="pending, succeeded or failed.")
    reason: Mapped[str] = mapped_column(String(500), doc="Why, in the words of who refunded.")
    gateway_reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    failure_code: Mapped[str | None] = mapped_column(
        String(40),
        nullable=True,
        doc="What the processor said when it refused; on a pending refund, why it"
        " is held up (``processor_key_reused``: its key refused, asked again).",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, doc="When the outcome was known."
    )
    entry_id: Mapped[str | None] = mapped_column(
        String(40),
        nullable=True,
        doc="The journal entry that booked a succeeded refund: its tax movements"
        " are what the receipt prints as given back per rate. None while pending,"
        " for a failed refund, and for refunds booked before it was kept.",
    )
