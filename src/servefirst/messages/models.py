from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from servefirst.db.base import Base, UTCDateTime
from servefirst.kit.ids import new_id


class Message(Base):
    """One e-mail or text to one customer, planned from one event.

    Planned when its event is read from the outbox, sent when ``due_at`` has
    come, re-checked just before sending (a reminder for a tab paid meanwhile is
    ``skipped``). ``message_id`` is the e-mail's ``Message-ID``: a message sent
    twice (the worker killed after the server took it) is recognisably the same.
    """

    __tablename__ = "messages"
    __table_args__ = (
        ForeignKeyConstraint(["merchant_id"], ["merchants.merchant_id"]),
        # One row per recipient of an event (a notice goes to every owner).
        UniqueConstraint("merchant_id", "event_id", "kind", "step", "customer_id"),
        UniqueConstraint("merchant_id", "unsubscribe_token"),
        Index("ix_messages_due", "status", "next_attempt_at"),
        Index("ix_messages_recipient", "merchant_id", "customer_id", "status", "due_at"),
        Index("ix_messages_created", "merchant_id", "created_at"),
    )

    merchant_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        String(40),
        doc="The recipient (order is kept per customer); for a one-time code, the"
        " code's own id (booking_codes): whose e-mail it is is not known yet.",
    )
    event_id: Mapped[str] = mapped_column(String(40), doc="The outbox event it was planned from.")
    kind: Mapped[str] = mapped_column(String(32), doc="See messages.rules.MessageKind.")
    step: Mapped[int] = mapped_column(Integer, default=0, doc="The dunning step (0 otherwise).")
    subject_id: Mapped[str] = mapped_column(
        String(40), doc="The tab, booking or refund it is about."
    )
    channel: Mapped[str] = mapped_column(String(8), doc="email or sms.")
    to_address: Mapped[str] = mapped_column(String(320), doc="The address or number, when planned.")
    subject: Mapped[str | None] = mapped_column(
        String(300), nullable=True, doc="Set once composed."
    )
    status: Mapped[str] = mapped_column(
        String(16), doc="pending, sent, failed (can be sent again) or skipped (no longer due)."
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, doc="Not sent before (schedules).")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, doc="Backoff after a failure.")
    lease_until: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, doc="A worker is sending it until then (claim)."
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    unsubscribe_token: Mapped[str] = mapped_column(
        String(80), doc="The one-click unsubscribe link's credential (merchant id first)."
    )
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @classmethod
    def pending(
        cls,
        merchant_id: str,
        *,
        recipient: str,
        event_id: str,
        kind: str,
        subject_id: str,
        to_address: str,
        due_at: datetime,
        created_at: datetime,
        channel: str = "email",
        step: int = 0,
    ) -> Message:
        """A message to send once ``due_at`` has come, not tried yet; its
        unsubscribe credential starts with the merchant's id (whose it is)."""
        return cls(
            merchant_id=merchant_id,
            message_id=new_id("msg"),
            customer_id=recipient,
            event_id=event_id,
            kind=kind,
            step=step,
            subject_id=subject_id,
            channel=channel,
            to_address=to_address,
            status="pending",
            due_at=due_at,
            next_attempt_at=due_at,
            attempts=0,
            unsubscribe_token=f"{merchant_id}.{secrets.token_urlsafe(18)}",
            created_at=created_at,
        )
