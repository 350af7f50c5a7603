"""What the card processor tells us afterwards: Stripe's events, verified by
their signature, handled once per event id, in any order, any number of times.

An event only moves a payment forward: a pending payment becomes succeeded or
failed; a succeeded one never goes back. Events for payments we do not know
(or already booked) are kept as seen and change nothing.

A refund is booked by what Stripe says of it now, not by the event: an event
is a snapshot, and ``charge.refunded`` may arrive after the
``charge.refund.updated`` that said the refund failed. So on
``charge.refunded`` Stripe is asked for the charge's refunds first, with no
transaction open, and a refusal of a dashboard refund not yet booked is kept,
so whichever comes last finds it refused.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, cast

import stripe
from sqlalchemy import select

from servefirst.bookings import processor_deposit_refunds as deposit_refunds
from servefirst.bookings.deposit_refund_repository import refunds_are_a_booking_s
from servefirst.bookings.repository import deposit_charged_by
from servefirst.db.uow import UnitOfWork
from servefirst.db.upsert import insert_for
from servefirst.kit.errors import NotFound, ServefirstError
from servefirst.payments.accounts import webhook_secret_of
from servefirst.payments.dispute_rules import DisputeStatus, stripe_verdict
from servefirst.payments.disputes import (
    closed_at_processor,
    lost_at_processor,
    record_dispute,
    won_back_at_processor,
)
from servefirst.payments.gateway_choice import gateway_named
from servefirst.payments.models import Payment, ProcessorEvent
from servefirst.payments.processor import RefundAtProcessor
from servefirst.payments.processor_refunds import UNDONE, keep_made_at_processor
from servefirst.payments.refund_reversals import refused_at_processor
from servefirst.payments.service import complete_pending
from servefirst.payments.stripe_gateway import REFUND_KEY, StripeGateway

#: Seconds an event's signature may be old (Stripe's own default): an old
#: event captured on the way cannot be replayed later.
SIGNATURE_TOLERANCE_SECONDS = 300


class SignatureInvalid(ServefirstError):
    status = 400
    code = "signature_invalid"


def receive(uow: UnitOfWork, payload: bytes, signature: str | None) -> tuple[str, str]:
    """Verify and handle one event; returns its id and what became of it
    (``handled``, ``seen`` for a redelivery, ``ignored`` for a type we do not use)."""
    secret = webhook_secret_of(uow)
    if secret is None:
        raise NotFound("This merchant takes no Stripe events.", code="resource_missing")
    try:
        event = stripe.Webhook.construct_event(
            payload, signature or "", secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise SignatureInvalid(
            "The Stripe-Signature header does not match this payload and the merchant's "
            "webhook signing secret (or is older than 300 seconds).",
            param="Stripe-Signature",
        ) from exc
    handler = _HANDLERS.get(event.type)
    if event.type in _ASKED_FIRST:
        if _kept(uow, event.id):  # told before: Stripe need not be asked again
            return event.id, "seen"
        ask, told = _ASKED_FIRST[event.type]
        handler = partial(told, now=ask(uow, event.data.object))
    if not _first_time(uow, event.id, event.type):
        return event.id, "seen"
    if handler is None:
        return event.id, "ignored"
    handler(uow, event.data.object)
    return event.id, "handled"


def _kept(uow: UnitOfWork, event_id: str) -> bool:
    return (
        uow.session.scalars(
            select(ProcessorEvent.event_id).where(
                ProcessorEvent.merchant_id == uow.merchant, ProcessorEvent.event_id == event_id
            )
        ).first()
        is not None
    )


def _first_time(uow: UnitOfWork, event_id: str, type_: str) -> bool:
    """Keep the event's id; False when it was already kept (the insert that
    finds it there does nothing, so two deliveries at once count once)."""
    statement = (
        insert_for(uow.dialect, ProcessorEvent)
        .values(
            merchant_id=uow.merchant,
            event_id=event_id,
            type=type_,
            received_at=uow.clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["merchant_id", "event_id"])
        .returning(ProcessorEvent.event_id)
    )
    return uow.session.execute(statement).first() is not None


def _payment_of(uow: UnitOfWork, intent_id: str | None, *, held: bool = True) -> Payment | None:
    if not intent_id:
        return None
    query = select(Payment).where(
        Payment.merchant_id == uow.merchant, Payment.gateway_reference == intent_id
    )
    return uow.session.scalars(query.with_for_update() if held else query).first()


def _succeeded(uow: UnitOfWork, intent: Any) -> None:
    payment = _payment_of(uow, intent.id)
    # A payment failed earlier may still succeed (the payer tried 3-D Secure again).
    if payment is not None and payment.status in ("pending", "failed"):
        complete_pending(uow, payment)


def _failed(uow: UnitOfWork, intent: Any) -> None:
    payment = _payment_of(uow, intent.id)
    if payment is not None and payment.status == "pending":
        error = getattr(intent, "last_payment_error", None)
        code = getattr(error, "code", None) or "authentication_failed"
        uow.tabs.write_payment(payment, status="failed", failure_code=code)


def _refunds_now(uow: UnitOfWork, charge: Any) -> list[RefundAtProcessor] | None:
    """The charge's refunds as Stripe holds them now (the event is a snapshot:
    a refund it counts may have been refused since), asked with no
    transaction open (DESIGN.md, "A payment in phases"); None for a charge
    that is neither a payment of ours nor a booking's (its deposit, or a fee
    its card hold paid). Stripe not answering is a 502: nothing is kept, not
    even the event's id, and Stripe delivers it again later."""
    intent = getattr(charge, "payment_intent", None)
    if not intent:
        return None
    if _payment_of(uow, str(intent), held=False) is None and not refunds_are_a_booking_s(
        uow, str(intent)
    ):
        return None
    gateway = gateway_named(uow.gateways, "stripe", uow)
    uow.commit()  # what was read ends here: no lock is held while Stripe answers
    return cast(StripeGateway, gateway).refunds_of(str(intent))


def _refunded(uow: UnitOfWork, charge: Any, *, now: list[RefundAtProcessor] | None) -> None:
    """Each refund of the charge, as Stripe holds it now: one made in Stripe's
    dashboard is kept once (``_made_in_dashboard``: booked if it gave money
    back, kept failed if not); one that gave nothing back is refused as its
    own ``charge.refund.updated`` would (``_undone``); one servefirst made is
    its own otherwise (``refunds``, ``deposit_refunds``). The rest Stripe let
    go of a card hold captured for less (a fee, or the tab it paid) gave
    nothing back: skipped."""
    intent = str(getattr(charge, "payment_intent", None) or "")
    if now is None or not intent:
        return
    payment = _payment_of(uow, intent)
    let_go = deposit_refunds.rest_let_go(uow, intent, now)
    for seen in now:
        if seen.reference == let_go:
            continue
        if seen.status in UNDONE:
            _undone(uow, seen, payment, intent)
        elif seen.key is None:
            _made_in_dashboard(uow, seen, payment, intent)


def _made_in_dashboard(
    uow: UnitOfWork, seen: RefundAtProcessor, payment: Payment | None, intent: str
) -> None:
    """Kept once, by its id at Stripe: a refund of a tab's payment
    (``processor_refunds``), or else of the booking's deposit or card hold's
    fee the charge took (``bookings.processor_deposit_refunds``; none: nothing)."""
    if payment is not None:
        keep_made_at_processor(uow, payment, seen)
        return
    failure = (seen.failure or seen.status) if seen.status in UNDONE else None
    deposit_refunds.keep_made_at_processor(uow, intent, seen.reference, seen.amount, failure)


def _refund_updated(uow: UnitOfWork, refund: Any) -> None:
    """A Refund that failed, even after it went through (a closed card): the
    refund, a payment's or a deposit's, found by Stripe's id or by ours kept
    in its metadata, is refused (``_undone``). Any other update (its reason,
    its metadata) changes nothing."""
    status = str(getattr(refund, "status", "") or "")
    if status not in UNDONE:
        return
    metadata = getattr(refund, "metadata", None)
    named = metadata.to_dict() if metadata is not None else {}
    key = named.get(REFUND_KEY)
    seen = RefundAtProcessor(
        reference=str(refund.id),
        amount=int(getattr(refund, "amount", 0) or 0),
        status=status,
        failure=str(getattr(refund, "failure_reason", None) or "") or None,
        key=str(key) if key else None,
    )
    intent = str(getattr(refund, "payment_intent", None) or "")
    _undone(uow, seen, _payment_of(uow, intent), intent)


def _undone(uow: UnitOfWork, seen: RefundAtProcessor, payment: Payment | None, intent: str) -> None:
    """A refund that gave nothing back in the end. One made in Stripe's
    dashboard and not kept yet is kept failed first (``_made_in_dashboard``),
    so the ``charge.refunded`` that may come after finds it refused; then
    whichever refund it is, ours or the dashboard's, booked or pending, is
    refused (``refund_reversals``: once, nothing for one failed already)."""
    if seen.key is None and intent:
        _made_in_dashboard(uow, seen, payment, intent)
    refused_at_processor(
        uow, reference=seen.reference, key=seen.key, failure=seen.failure or seen.status
    )


def _dispute(uow: UnitOfWork, dispute: Any) -> None:
    intent = getattr(dispute, "payment_intent", None)
    payment = _payment_of(uow, intent)
    record_dispute(
        uow,
        dispute_id=dispute.id,
        charge=str(dispute.charge),
        amount=int(dispute.amount),
        currency=str(dispute.currency).upper(),
        reason=str(getattr(dispute, "reason", None) or "general"),
        payment=payment,
        # No payment of ours: perhaps a booking's deposit, charged on its own.
        booking_id=deposit_charged_by(uow, intent) if payment is None and intent else None,
    )


def _dispute_closed(uow: UnitOfWork, dispute: Any) -> None:
    """Stripe decided. Lost: the money is gone at the processor and the books
    follow it at once (``disputes.lost_at_processor``: booked once, whoever
    says lost first); only the owner's own mark counts it against the
    customer. Won: the payment is freed to be refunded again, and a loss
    booked before (the owner's early mark) is booked back, once
    (``disputes.won_back_at_processor``). Closed without a loss
    (``warning_closed``, ``charge_refunded``, ``prevented``): an open dispute
    is closed and its payment freed (``disputes.closed_at_processor``). A
    status still being decided changes nothing (``dispute_rules.stripe_verdict``)."""
    _dispute(uow, dispute)  # kept first, if its creation was never told
    status = str(getattr(dispute, "status", ""))
    verdict = stripe_verdict(status)
    if verdict is DisputeStatus.LOST:
        lost_at_processor(uow, dispute.id)
    elif verdict is DisputeStatus.WON:
        won_back_at_processor(uow, dispute.id)
    elif verdict is DisputeStatus.CLOSED:
        closed_at_processor(uow, dispute.id, status)


#: Events whose object is a snapshot servefirst must not book by alone: Stripe
#: is asked for it as it is now (the first function, with no transaction
#: open), and the event handled by what Stripe said (the second).
_ASKED_FIRST = {"charge.refunded": (_refunds_now, _refunded)}

_HANDLERS: dict[str, Callable[[UnitOfWork, Any], None]] = {
    "payment_intent.succeeded": _succeeded,
    "payment_intent.payment_failed": _failed,
    "payment_intent.canceled": _failed,
    "charge.refund.updated": _refund_updated,
    "charge.dispute.created": _dispute,
    "charge.dispute.closed": _dispute_closed,
}

#: The event types servefirst acts on: the ones an owner selects for the
#: webhook endpoint in Stripe's dashboard (the console's card payments page
#: lists them from here, so the list cannot drift from what is handled).
HANDLED = (*_HANDLERS, *_ASKED_FIRST)
