"""Whether a planned message was replaced by a later one before it went: a
later dunning step already due (the customer gets the latest word, not a
pile), or its booking moved (the messages for its new time replace it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select

from servefirst.db.uow import UnitOfWork
from servefirst.messages.models import Message
from servefirst.messages.rules import MessageKind, MessageStatus


def later_steps(uow: UnitOfWork, message: Message) -> list[datetime]:
    return list(
        uow.session.scalars(
            select(Message.due_at).where(
                Message.merchant_id == uow.merchant,
                Message.event_id == message.event_id,
                Message.step > message.step,
                Message.status == MessageStatus.PENDING.value,
            )
        )
    )


def booking_moved_since(uow: UnitOfWork, message: Message) -> bool:
    """Whether the booking's messages were planned again after this one (it was moved)."""
    return bool(
        uow.session.scalar(
            select(
                exists().where(
                    Message.merchant_id == uow.merchant,
                    Message.subject_id == message.subject_id,
                    Message.kind.in_(
                        (MessageKind.BOOKING_CONFIRMATION.value, MessageKind.BOOKING_REMINDER.value)
                    ),
                    Message.created_at > message.created_at,
                )
            )
        )
    )
