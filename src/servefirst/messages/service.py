"""Use cases for messages: plan them from the outbox, list them, send one
again (a customer's consent, from an unsubscribe link: ``consent``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import update

from servefirst.bookings import repository as bookings
from servefirst.db.direct import move_rows
from servefirst.db.uow import UnitOfWork
from servefirst.events import service as events
from servefirst.events.service import emit
from servefirst.guarantee.service import concern_raised
from servefirst.kit.errors import Conflict, NotFound
from servefirst.kit.onetime import CODE_LIFETIME
from servefirst.merchants.service import get_merchant
from servefirst.messages import (
    finding,
    notices,
    reasons,
    refund_refused,
    refund_returned,
    superseding,
)
from servefirst.messages.models import Message
from servefirst.messages.rules import (
    TO_THE_MERCHANT,
    MessageKind,
    MessagePolicy,
    MessageStatus,
    OutboxEvent,
    Planned,
    booking_reminder_at,
    channel_for,
    dunning_steps,
    still_due,
    superseded,
    takes_texts,
)
from servefirst.payments import refund_reversals, refunds
from servefirst.payments.refund_reversals import Returned
from servefirst.tabs import service as tabs
from servefirst.tabs.read_repository import tab_if_any
from servefirst.trust import service as trust

if TYPE_CHECKING:
    from servefirst.bookings.models import Booking
    from servefirst.customers.models import Customer
    from servefirst.merchants.models import Merchant
    from servefirst.tabs.models import Tab


def policy_of(merchant: Merchant) -> MessagePolicy:
    # The merchant's own zone once merchants have one; UTC until then.
    return MessagePolicy.of(merchant.policy, getattr(merchant, "timezone", None))


def plan(uow: UnitOfWork, event: OutboxEvent) -> int:
    """The messages ``event`` calls for, written as pending rows; how many."""
    if event.type == "tab.paid":
        tab = tab_if_any(uow, event.object_id)
        return _at_once(uow, event, tab, MessageKind.RECEIPT)
    # A line voided on a tab its deposit had paid: the customer had their
    # receipt; it is sent again, as the bill is now, saying what of the
    # deposit goes back to their card. (An unpaid tab's receipt says it once paid.)
    if event.type == "tab.line_voided" and event.data.get("tab_status") == "paid":
        if not event.data.get("deposit_given_back"):
            return 0
        tab = tab_if_any(uow, event.object_id)
        return _at_once(uow, event, tab, MessageKind.RECEIPT)
    # Money given back is told once per refund (only a refund that succeeded
    # emits this), about the refund: a tab refunded twice tells of each.
    if event.type == "refund.succeeded":
        tab = tab_if_any(uow, str(event.data.get("tab_id", "")))
        return _at_once(uow, event, tab, MessageKind.REFUND)
    # One that then failed, once (``refund_returned``): only one that went
    # through was told to the customer; one refused at once never was.
    if event.type == "refund.failed" and event.data.get("after_succeeded"):
        tab = tab_if_any(uow, str(event.data.get("tab_id", "")))
        return _at_once(uow, event, tab, MessageKind.REFUND_FAILED)
    # An invoice's reminders count from its due date: planned anew when it is
    # issued (those planned when it was served are then skipped: context_for).
    if event.type in ("tab.served", "tab.invoiced"):
        tab = tab_if_any(uow, event.object_id)
        if tab is None or not still_due(
            MessageKind.PAYMENT_REMINDER, subject_status=tab.status, concern_raised=False
        ):
            return 0  # paid (or voided) before the worker read that it was served
        if event.type == "tab.served" and tab.due_date is not None:
            return 0  # invoiced since: its tab.invoiced event plans the reminders
        customer = uow.customers.if_any(tab.customer_id)
        if customer is None:
            return 0
        tier = trust.trust_now(
            customer, policy=trust.policy_for(uow), now=uow.clock.now()
        ).tier.value
        anchor = tabs.chase_anchor(tab, ZoneInfo(get_merchant(uow).timezone)) or event.created_at
        steps = dunning_steps(anchor, tier, policy_of(get_merchant(uow)))
        return _plan(uow, event, tab.customer_id, tab, steps)
    # A booking moved is confirmed again (its .ics keeps its UID: the calendar
    # entry moves) and reminded before its new time; what was planned for the
    # old time is superseded (context_for).
    if event.type in ("booking.created", "booking.rescheduled"):
        booking = bookings.booking_if_any(uow, event.object_id)
        if booking is None:
            return 0
        steps = [Planned(MessageKind.BOOKING_CONFIRMATION, 0, event.created_at)]
        remind = booking_reminder_at(
            booking.starts_at, event.created_at, policy_of(get_merchant(uow))
        )
        if remind is not None:
            steps.append(Planned(MessageKind.BOOKING_REMINDER, 0, remind))
        return _plan(uow, event, booking.customer_id, booking, steps)
    # Told once per cancellation, to the booking's customer, whoever cancelled:
    # the reminders planned for it are skipped (context_for: still_due).
    if event.type == "booking.cancelled":
        booking = bookings.booking_if_any(uow, event.object_id)
        return _at_once(uow, event, booking, MessageKind.BOOKING_CANCELLED)
    # Told once per refused refund of a deposit (``refund_refused``).
    if event.type == "booking.deposit_refund_failed":
        booking = bookings.booking_if_any(uow, event.object_id)
        return _at_once(uow, event, booking, MessageKind.DEPOSIT_REFUND_FAILED)
    if event.type in notices.TOLD_TO_OWNERS:
        return notices.plan(uow, event)
    return 0


def _at_once(
    uow: UnitOfWork, event: OutboxEvent, subject: Tab | Booking | None, kind: MessageKind
) -> int:
    """One message of ``kind`` to the subject's customer, due as the event happened."""
    customer_id = subject.customer_id if subject is not None else None
    return _plan(uow, event, customer_id, subject, [Planned(kind, 0, event.created_at)])


def _plan(
    uow: UnitOfWork,
    event: OutboxEvent,
    customer_id: str | None,
    subject: Tab | Booking | None,
    steps: list[Planned],
) -> int:
    customer = customer_id and uow.customers.if_any(customer_id)
    if not customer or subject is None:
        return 0
    policy = policy_of(get_merchant(uow))
    planned = 0
    for step in steps:
        if not policy.sends(step.kind):
            continue  # the merchant turned this kind off
        channel = channel_for(step.kind, customer.email, customer.phone, customer.messages_opt_out)
        if channel is None:
            continue
        address = customer.email if channel == "email" else customer.phone
        assert address  # channel_for chose a channel the customer has
        uow.session.add(
            Message.pending(
                uow.merchant,
                recipient=customer.customer_id,
                event_id=event.event_id,
                kind=step.kind.value,
                step=step.step,
                subject_id=event.object_id,
                channel=channel,
                to_address=address,
                due_at=step.due_at,
                created_at=event.created_at,
            )
        )
        planned += 1
    return planned


@dataclass(frozen=True)
class Context:
    """Everything a message's template needs, read just before sending."""

    message: Message
    merchant: Merchant
    customer: Customer | None  # None for a one-time code: nobody is known yet
    tab: Tab | None
    booking: Booking | None
    policy: MessagePolicy
    #: The reader's own language, when it is not the business's (an owner's
    #: console language, for a notice to the owners).
    language: str | None = None
    #: What a notice to the owners, or a refused deposit refund, tells: its event's data.
    details: dict[str, Any] = field(default_factory=dict)
    #: The money a refund e-mail tells of.
    refund: refunds.GivenBack | None = None
    #: The refund that went through and then failed, that its message tells of.
    returned: Returned | None = None
    #: When it is being sent (a final notice names a day counted from then).
    now: datetime = field(kw_only=True)


def context_for(uow: UnitOfWork, message_id: str, now: datetime) -> Context | str:
    """The message's context, or why it is no longer to be sent."""
    message = uow.session.get(Message, (uow.merchant, message_id))
    if message is None or message.status != MessageStatus.PENDING.value:
        return "no longer pending"
    if message.channel == "sms" and not takes_texts(message.to_address):
        return reasons.NO_TEXTS
    if message.kind == MessageKind.BOOKING_CODE.value:
        if now >= message.created_at + CODE_LIFETIME:
            return "the code expired before it could be sent"
        merchant = get_merchant(uow)
        return Context(message, merchant, None, None, None, policy_of(merchant), now=now)
    if MessageKind(message.kind) in TO_THE_MERCHANT:
        owner = notices.reader(uow, message)
        if owner is None:
            return "the reader is no longer an owner of the business"
        merchant = get_merchant(uow)
        details = events.data_of(uow, message.event_id) or {}
        return Context(
            message,
            merchant,
            None,
            None,
            None,
            policy_of(merchant),
            owner.language,
            details,
            now=now,
        )
    customer = uow.customers.if_any(message.customer_id)
    if customer is None or customer.messages_opt_out:
        return "the customer opted out of messages"
    kind = MessageKind(message.kind)
    tab = booking = refund = returned = None
    if kind in (
        MessageKind.BOOKING_CONFIRMATION,
        MessageKind.BOOKING_REMINDER,
        MessageKind.BOOKING_CANCELLED,
        MessageKind.DEPOSIT_REFUND_FAILED,
    ):
        booking = bookings.booking_if_any(uow, message.subject_id)
        status = booking.status if booking else "missing"
        concern = False
    elif kind is MessageKind.REFUND:
        refund = refunds.given_back(uow, message.subject_id)
        if refund is None and refund_reversals.returned(uow, message.subject_id):
            return refund_returned.REFUND_RETURNED
        tab = tab_if_any(uow, refund.tab_id) if refund else None
        status = tab.status if tab else "missing"
        concern = False
    elif kind is MessageKind.REFUND_FAILED:
        still = refund_returned.still_to_tell(uow, message.subject_id)
        if isinstance(still, str):
            return still
        returned, tab = still, tab_if_any(uow, still.tab_id)
        status, concern = tab.status if tab else "missing", False
    else:
        tab = tab_if_any(uow, message.subject_id)
        status = tab.status if tab else "missing"
        concern = tab is not None and concern_raised(uow, message.subject_id)
    if status == "missing":
        return "what it was about is gone"
    if not still_due(kind, subject_status=status, concern_raised=bool(concern)):
        return reasons.not_due("booking" if booking else "tab", status, concern=bool(concern))
    if (
        tab is not None
        and tab.invoiced_at is not None
        and kind in (MessageKind.PAYMENT_REMINDER, MessageKind.FINAL_NOTICE)
        and message.created_at < tab.invoiced_at
    ):
        return "the tab was invoiced since: the invoice's own reminders replace it"
    if kind is MessageKind.PAYMENT_REMINDER and superseded(
        superseding.later_steps(uow, message), now
    ):
        return "a later reminder is already due"
    if booking is not None and superseding.booking_moved_since(uow, message):
        return "the booking was moved since: the messages for its new time replace it"
    if kind is MessageKind.BOOKING_REMINDER and booking is not None and now >= booking.starts_at:
        return "the booking has begun"
    told: dict[str, Any] | str = {}
    if kind is MessageKind.DEPOSIT_REFUND_FAILED and booking is not None:
        told = refund_refused.still_to_tell(uow, message, booking)
    if isinstance(told, str):
        return told
    merchant = get_merchant(uow)
    policy = policy_of(merchant)
    if not policy.sends(kind):
        return reasons.turned_off(kind.value)
    return Context(
        message,
        merchant,
        customer,
        tab,
        booking,
        policy,
        details=told,
        refund=refund,
        returned=returned,
        now=now,
    )


def queue_code(uow: UnitOfWork, *, code_id: str, email: str, now: datetime) -> Message:
    """A one-time code's e-mail, pending at once in the outbox. Its queue is its
    own (keyed by the code's id, not a customer: whose e-mail it is stays
    unknown until the code comes back), so it never waits behind anyone's
    other messages; it is written from the id when sent (``kit.onetime``)."""
    message = Message.pending(
        uow.merchant,
        recipient=code_id,
        event_id=code_id,
        kind=MessageKind.BOOKING_CODE.value,
        subject_id=code_id,
        to_address=email,
        due_at=now,
        created_at=now,
    )
    uow.session.add(message)
    uow.session.flush()
    return message


def finish(
    uow: UnitOfWork,
    message_id: str,
    status: MessageStatus,
    *,
    now: datetime,
    error: str | None = None,
    retry_at: datetime | None = None,
    subject: str | None = None,
) -> None:
    """Record what became of an attempt (sent, skipped, failed, or try again)."""
    values: dict[str, Any] = {"status": status.value, "lease_until": None, "last_error": error}
    if status is MessageStatus.SENT:
        values["sent_at"] = now
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    if subject is not None:
        values["subject"] = subject[:300]
    uow.session.execute(
        update(Message)
        .where(Message.merchant_id == uow.merchant, Message.message_id == message_id)
        .values(**values)
    )


def list_messages(
    uow: UnitOfWork, *, status: str | None = None, customer_id: str | None = None, limit: int = 50
) -> list[Message]:
    """The newest ``limit`` messages (``finding.list_page`` walks further back)."""
    return finding.list_page(uow, status=status, customer_id=customer_id, limit=limit).messages


def retry_message(uow: UnitOfWork, message_id: str) -> Message:
    """Send a failed (or skipped) message again, now: same id, fresh attempts."""
    message = uow.session.get(Message, (uow.merchant, message_id))
    if message is None:
        raise NotFound(f"No message {message_id}.", param="message_id")
    if message.status in (MessageStatus.PENDING.value, MessageStatus.SENT.value):
        raise Conflict(
            f"The message is {message.status}; only a failed or skipped one is sent again.",
            code="message_not_failed",
        )
    now = uow.clock.now()
    message.status = MessageStatus.PENDING.value
    message.attempts = 0
    message.due_at = min(message.due_at, now)
    message.next_attempt_at = now
    message.lease_until = None
    message.last_error = None
    uow.session.flush()
    return message


def message_settings(uow: UnitOfWork) -> MessagePolicy:
    return policy_of(get_merchant(uow))


def set_message_settings(uow: UnitOfWork, changes: dict[str, Any]) -> MessagePolicy:
    """Change some of the merchant's message settings; the rest stay. Messages
    already planned keep their time; a kind turned off is not sent from now on."""
    merchant = get_merchant(uow)
    settings = policy_of(merchant).updated(changes)
    # A new dict: the JSON column notices reassignment, not mutation.
    merchant.policy = {**(merchant.policy or {}), "messages": settings.as_dict()}
    uow.session.flush()
    emit(uow, "message_settings.updated", merchant.merchant_id, settings.as_dict())
    return settings


def move_customer(uow: UnitOfWork, merged_id: str, into_id: str) -> int:
    """A merge of duplicate customers: ``merged_id``'s messages become
    ``into_id``'s (a reminder still pending goes to the customer kept)."""
    return move_rows(uow, Message.customer_id, merged_id, into_id)
