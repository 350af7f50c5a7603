"""What the Messages page says of a message still planned: whether it will
really go. A payment reminder is planned when a tab is served and only checked
just before it is sent (``service.context_for``), so a tab paid since still
showed its reminders as "to go" on that date: an owner read that a customer
who had paid would be asked to pay. The page asks here instead, with the same
rule (``rules.still_due``) the sending uses."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from servefirst.bookings.models import Booking
from servefirst.db.uow import UnitOfWork
from servefirst.guarantee.models import Concern
from servefirst.messages.models import Message
from servefirst.messages.rules import MessageKind, MessageStatus, still_due
from servefirst.tabs.models import Tab

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
    tab_status = _tab_statuses(uow, on_tabs)
    booking_status = _booking_statuses(uow, on_bookings)
    concerned = (
        set(
            uow.session.scalars(
                select(Concern.tab_id).where(
                    Concern.merchant_id == uow.merchant, Concern.tab_id.in_(on_tabs)
                )
            )
        )
        if on_tabs
        else set()
    )
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


def _tab_statuses(uow: UnitOfWork, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = uow.session.execute(
        select(Tab.tab_id, Tab.status).where(Tab.merchant_id == uow.merchant, Tab.tab_id.in_(ids))
    )
    return {tab_id: status for tab_id, status in rows}


def _booking_statuses(uow: UnitOfWork, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = uow.session.execute(
        select(Booking.booking_id, Booking.status).where(
            Booking.merchant_id == uow.merchant, Booking.booking_id.in_(ids)
        )
    )
    return {booking_id: status for booking_id, status in rows}
