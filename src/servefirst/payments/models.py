from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Amount, Base, UTCDateTime


class Payment(Base):
    """Money received for a tab. Append-only; a refund would be its own row."""

    __tablename__ = "payments"
    __table_args__ = (
        ForeignKeyConstraint(["merchant_id", "tab_id"], ["tabs.merchant_id", "tabs.tab_id"]),
        Index("ix_payments_tab", "merchant_id", "tab_id"),
        # The day's takings (the Today page, the day close) read one window of time.
        Index("ix_payments_created", "merchant_id", "created_at"),
        CheckConstraint("amount >= 0 AND tip >= 0 AND amount + tip > 0", name="positive"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    payment_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tab_id: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(16), doc="cash, card_terminal or card.")
    gateway: Mapped[str] = mapped_column(String(16), doc="manual or sandbox.")
    amount: Mapped[int] = mapped_column(Amount, doc="Towards the bill.")
    tip: Mapped[int] = mapped_column(Amount, default=0, doc="For the staff; not revenue.")
    status: Mapped[str] = mapped_column(String(16), default="succeeded")
    card_last4: Mapped[str | None] = mapped_column(String(4), nullable=True)
    gateway_reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
