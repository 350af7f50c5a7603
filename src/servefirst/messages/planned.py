"""What the Messages page says of a message still planned: whether it will
really go, and if not, why. A payment reminder is planned when a tab is served
and only checked just before it is sent (``service.context_for``), so a tab
paid since still showed its reminders as "to go" on that date: an owner read
that a customer who had paid would be asked to pay. The page asks here
instead, with the same rule (``rules.still_due``) the sending uses; and of a
message whose going hangs on its own refund (a refund's word, a refusal's),
the sending's own check, message by message: the customer's word that a
refund failed, planned and then no longer true (the business gave the money
again), read "to go" too."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from servefirst.bookings import repository as bookings
from servefirst.db.uow import UnitOfWork
from servefirst.guarantee import service as guarantee
from servefirst.messages import reasons
from servefirst.messages import service as messages
from servefirst.messages.models import Message
from servefirst.messages.rules import MessageKind, MessageStatus, still_due
from servefirst.tabs import read_repository as tabs

_ON_A_TAB = (MessageKind.PAYMENT_REMINDER, MessageKind.FINAL_NOTICE)
_ON_A_BOOKING = (
    MessageKind.BOOKING_CONFIRMATION,
    MessageKind.BOOKING_REMINDER,
    MessageKind.BOOKING_CANCELLED,
)
#: Planned once, for one refund: few at a time, each checked as it will be sent.
_ONE_BY_ONE = (
    MessageKind.REFUND,
    MessageKind.REFUND_FAILED,
    MessageKind.DEPOSIT_REFUND_FAILED,
)


def no_longer_due(
    uow: UnitOfWork, messages_shown: Iterable[Message], now: datetime
) -> dict[str, str]:
    """Why each of the pending ``messages_shown`` that will not be sent will
    not (what it is about moved on: the tab paid, a concern raised, the
    booking called off, the refund given again), by message id; the worker
    marks them skipped, with that reason, when their time comes."""
    pending = [m for m in messages_shown if m.status == MessageStatus.PENDING.value]
    on_tabs = {m.subject_id for m in pending if MessageKind(m.kind) in _ON_A_TAB}
    on_bookings = {m.subject_id for m in pending if MessageKind(m.kind) in _ON_A_BOOKING}
    tab_status = tabs.statuses_of(uow, on_tabs)
    booking_status = bookings.statuses_of(uow, on_bookings)
    concerned = guarantee.tabs_with_a_concern(uow, on_tabs)
    gone: dict[str, str] = {}
    for message in pending:
        kind = MessageKind(message.kind)
        if kind in _ONE_BY_ONE:
            told = messages.context_for(uow, message.message_id, now)
            if isinstance(told, str):
                gone[message.message_id] = told
            continue
        if kind in _ON_A_TAB:
            subject, status = "tab", tab_status.get(message.subject_id)
        elif kind in _ON_A_BOOKING:
            subject, status = "booking", booking_status.get(message.subject_id)
        else:
            continue
        concern = message.subject_id in concerned
        if status is None:
            gone[message.message_id] = "what it was about is gone"
        elif not still_due(kind, subject_status=status, concern_raised=concern):
            gone[message.message_id] = reasons.not_due(subject, status, concern=concern)
    return gone
