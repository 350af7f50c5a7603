"""What the Messages page says of a message still planned: whether it will
really go. A payment reminder is planned when a tab is served and only checked
just before it is sent (``service.context_for``), so a tab paid since still
showed its reminders as "to go" on that date: an owner read that a customer
who had paid would be asked to pay. The page asks here instead, with the same
rule (``rules.still_due``) the sending uses."""

from __future__ import annotations

from collections.abc import Iterable

from servefirst.bookings import repository as bookings
from servefirst.db.uow import UnitOfWork
from servefirst.guarantee import service as guarantee
from servefirst.messages.models import Message
from servefirst.messages.rules import MessageKind, MessageStatus, still_due
from servefirst.tabs import read_repository as tabs

_ON_A_TAB = (MessageKind.PAYMENT_REMINDER, MessageKind.FINAL_NOTICE)
_ON_A_BOOKING = (
    MessageKind.BOOKING_CONFIRMATION,
    MessageKind.BOOKING_REMINDER,
    MessageKind.BOOKING_CANCELLED,
)


def no_longer_due(uow: UnitOfWork, messages: Iterable[Message]) -> set[str]:
    """The ids of the pending ``messages`` that will not be sent, what they are
    about having moved on (the tab paid, a concern raised, the booking called
    off); the worker marks them skipped when their time comes."""
    pending = [m for m in messages if m.status == MessageStatus.PENDING.value]
    on_tabs = {m.subject_id for m in pending if MessageKind(m.kind) in _ON_A_TAB}
    on_bookings = {m.subject_id for m in pending if MessageKind(m.kind) in _ON_A_BOOKING}
    tab_status = tabs.statuses_of(uow, on_tabs)
    booking_status = bookings.statuses_of(uow, on_bookings)
    concerned = guarantee.tabs_with_a_concern(uow, on_tabs)
    gone = set()
    for message in pending:
        kind = MessageKind(message.kind)
        if kind in _ON_A_TAB:
            status = tab_status.get(message.subject_id)
        elif kind in _ON_A_BOOKING:
            status = booking_status.get(message.subject_id)
        else:
            continue
        concern = message.subject_id in concerned
        if status is None or not still_due(kind, subject_status=status, concern_raised=concern):
            gone.add(message.message_id)
    return gone
