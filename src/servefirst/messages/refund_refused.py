"""The customer's word that the card processor refused to refund their
booking's deposit (kind ``deposit_refund_failed``): a cancellation (or a
check-in's receipt) said it was on its way, and it never came.

Planned from ``booking.deposit_refund_failed``, which
``bookings.deposit_refunds.finish_refund`` emits once per refund, when the
processor's answer moves it from pending to failed: a refund already answered
is left alone, so ``payments recover`` run again (or the same answer kept
twice) plans nothing more, and the outbox plans each event once.

Just before it goes it is checked again: the cancellation message sent once
the refusal was known already said it (``cancellation``: "refused"), and a
deposit the customer's bank has given back since (a dispute lost) is owed no
more; neither calls for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, select

from servefirst.bookings import repository as bookings
from servefirst.bookings.refund_answers import refund_answers_of
from servefirst.db.uow import UnitOfWork
from servefirst.events import service as events
from servefirst.messages.models import Message
from servefirst.messages.rules import MessageKind, MessageStatus

if TYPE_CHECKING:
    from servefirst.bookings.models import Booking
    from servefirst.merchants.models import Merchant
    from servefirst.messages.rules import MessagePolicy


def still_to_tell(uow: UnitOfWork, message: Message, booking: Booking) -> dict[str, Any] | str:
    """What the message tells (its event's data: the refund, its amount), or
    why it is no longer to be sent."""
    details = events.data_of(uow, message.event_id) or {}
    refused_at = bookings.deposit_refund_refused_at(uow, str(details.get("refund_id", "")))
    if refused_at is None:
        return "what it was about is gone"
    if not refund_answers_of(uow, [booking])[booking.booking_id].refused:
        return "nothing is owed any more: the customer's bank gave the deposit back"
    if _cancellation_said_it(uow, booking.booking_id, refused_at):
        return "the cancellation message already said the refund was refused"
    return details


def _cancellation_said_it(uow: UnitOfWork, booking_id: str, refused_at: datetime) -> bool:
    """Whether the booking's cancellation message went once the refusal was
    kept: written as it went, it said "refused" (``cancellation``)."""
    return bool(
        uow.session.scalar(
            select(
                exists().where(
                    Message.merchant_id == uow.merchant,
                    Message.subject_id == booking_id,
                    Message.kind == MessageKind.BOOKING_CANCELLED.value,
                    Message.status == MessageStatus.SENT.value,
                    Message.sent_at >= refused_at,
                )
            )
        )
    )


def refusal_values(
    details: dict[str, Any], booking: Booking, merchant: Merchant, policy: MessagePolicy
) -> dict[str, Any]:
    """The template's values: the amount refused, and how to reach the
    business with what its settings hold (the sender address its messages
    come from, which a reply reaches; its address). Its phone number, where
    it gave one, comes with every message to a customer (``compose``): here
    in the body, and in the text too."""
    return {
        "currency": booking.currency,
        "amount": int(details.get("amount", 0)),
        **how_to_reach(merchant, policy),
    }


def how_to_reach(merchant: Merchant, policy: MessagePolicy) -> dict[str, str]:
    """Where a customer owed money writes to or finds the business: the
    sender address its messages come from (a reply reaches it), its address
    on one line. (Its phone comes with every message to a customer.)"""
    address = ", ".join(part.strip() for part in (merchant.address or "").splitlines() if part)
    return {"reply_to": policy.sender or "", "address": address}
