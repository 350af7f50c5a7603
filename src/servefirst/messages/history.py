"""A past nobody mailed, counted as delivered at its time (the demo's history).

The demo makes weeks of trade in a minute, on a clock set to the past. Its
events are planned like any others (so the console's message log and each
customer's reminders tell the whole story), but a receipt of a tab settled a
month ago is not mailed today: every message due before a moment is recorded
as the worker would have recorded it then, sent at its due time (with the
subject its e-mail would have had, in the business's language) or not needed,
without composing or sending it. What is due from that moment on goes out as
usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from servefirst.bookings import repository as bookings
from servefirst.db.uow import UnitOfWork
from servefirst.guarantee.service import concern_raised
from servefirst.merchants.service import get_merchant
from servefirst.messages import notices
from servefirst.messages.models import Message
from servefirst.messages.rules import TO_THE_MERCHANT, MessageKind, MessageStatus, went_at_its_time
from servefirst.messages.subjects import subject_of
from servefirst.tabs.read_repository import tab_if_any

if TYPE_CHECKING:
    from servefirst.bookings.models import Booking
    from servefirst.tabs.models import Tab

_ON_A_TAB = (MessageKind.PAYMENT_REMINDER, MessageKind.FINAL_NOTICE)
_ON_A_BOOKING = (
    MessageKind.BOOKING_CONFIRMATION,
    MessageKind.BOOKING_REMINDER,
    MessageKind.BOOKING_CANCELLED,
)

#: Why a message of that past was not sent, as the console and the API show it.
NOT_NEEDED = "no longer due when its time came (a past that was not mailed)"


@dataclass(frozen=True)
class Counted:
    sent: int
    not_needed: int


def count_as_delivered(uow: UnitOfWork, *, before: datetime) -> Counted:
    """Record the merchant's messages still pending and due before ``before``
    as sent at their due time, or skipped if they would not have gone then."""
    pending = uow.session.scalars(
        select(Message).where(
            Message.merchant_id == uow.merchant,
            Message.status == MessageStatus.PENDING.value,
            Message.due_at < before,
        )
    ).all()
    merchant = get_merchant(uow)
    sent = 0
    for message in pending:
        went, invoiced = _went(uow, message)
        if went:
            message.status = MessageStatus.SENT.value
            message.sent_at = message.due_at
            message.attempts = 1
            # The subject the worker records as it sends: a sent message of
            # this past reads like any other on the console and in the API.
            message.subject = subject_of(
                MessageKind(message.kind),
                step=message.step,
                invoiced=invoiced,
                business=merchant.name,
                language=_language(uow, message) or merchant.locale or "en_GB",
            )
            sent += 1
        else:
            message.status = MessageStatus.SKIPPED.value
            message.last_error = NOT_NEEDED
    uow.session.flush()
    return Counted(sent, len(pending) - sent)


def _went(uow: UnitOfWork, message: Message) -> tuple[bool, bool]:
    """Whether ``message`` would have gone at its time; and whether its tab is
    an invoice (a later reminder's subject says so)."""
    kind = MessageKind(message.kind)
    subject: Tab | Booking | None
    invoiced = False
    if kind in _ON_A_TAB:
        tab = tab_if_any(uow, message.subject_id)
        subject, invoiced = tab, tab is not None and tab.due_date is not None
        concern = tab is not None and concern_raised(uow, message.subject_id)
    elif kind in _ON_A_BOOKING:
        subject, concern = bookings.booking_if_any(uow, message.subject_id), False
    else:
        return True, False  # a receipt, a refund, a notice: sent as soon as it happened
    if subject is None:
        return False, invoiced
    went = went_at_its_time(
        kind,
        subject_status=subject.status,
        closed_at=subject.closed_at,
        due_at=message.due_at,
        concern_raised=concern,
    )
    return went, invoiced


def _language(uow: UnitOfWork, message: Message) -> str | None:
    """An owner's notice is written in the owner's console language, as the worker writes it."""
    if MessageKind(message.kind) not in TO_THE_MERCHANT:
        return None
    owner = notices.reader(uow, message)
    return owner.language if owner is not None else None
