"""Refunds made at the processor itself (in Stripe's dashboard), kept as
Stripe holds them now: ``payments.processor_events`` asks Stripe for the
refunds of a charge when its ``charge.refunded`` comes, and hands each refund
made in the dashboard (no key of ours in its metadata) here.

An event is a snapshot: ``charge.refunded`` may say 3.00 refunded of a refund
the card's bank has refused since, and arrive after the
``charge.refund.updated`` that said so. So each refund is kept by its own id
at the processor, once, as the processor says it is now: one that gave money
back (or may still: ``pending``) is booked as a refund made here would be,
with its journal entry; one refused is kept failed, with nothing booked, so
a ``charge.refunded`` told later finds it and books nothing. A refund that
fails after it was booked is reversed (``refund_reversals``). A refund
servefirst made itself is never booked here: it is its own (``refunds``).
"""

from __future__ import annotations

from servefirst.db.uow import UnitOfWork
from servefirst.kit.ids import new_id
from servefirst.payments.gateways import RefundResult
from servefirst.payments.models import Payment
from servefirst.payments.processor import RefundAtProcessor
from servefirst.payments.refund_models import Refund
from servefirst.payments.refund_repository import RefundRepository
from servefirst.payments.refund_rules import (
    MADE_AT_PROCESSOR,
    Refundable,
    RefundStatus,
    bill_first,
)
from servefirst.payments.refunds import finish_refund

#: A Refund's statuses at Stripe that gave nothing back in the end: ``failed``
#: (refused, or returned by the customer's bank after it went through) and
#: ``canceled``. Any other (``succeeded``, ``pending``) counts as given back.
UNDONE = ("failed", "canceled")

__all__ = ["MADE_AT_PROCESSOR", "UNDONE", "keep_made_at_processor"]


def keep_made_at_processor(
    uow: UnitOfWork, payment: Payment, seen: RefundAtProcessor
) -> Refund | None:
    """Keep the dashboard refund ``seen`` of ``payment`` once, by its id at the
    processor: booked when it gave money back, failed when it did not. None
    when it is kept already (whatever it said then: a refusal told since is
    ``refund_reversals``' to book), or there is nothing of the payment left
    for it. The bill's part is given back first, then the tip (a dashboard
    refund does not say which)."""
    if payment.status != "succeeded":
        return None
    tab = uow.tabs.lock(payment.tab_id)  # one refund of a tab at a time, as begin_refund
    refunds = RefundRepository(uow)
    kept = refunds.of_payment(payment.payment_id)  # read with the tab held
    if any(refund.gateway_reference == seen.reference for refund in kept):
        return None
    left = Refundable.of(payment.amount, payment.tip, refunds.taken(payment.payment_id))
    part, tip_part = bill_first(left, seen.amount)
    if part + tip_part <= 0:
        return None
    refund = refunds.add(
        {
            "merchant_id": uow.merchant,
            "refund_id": new_id("re"),
            "payment_id": payment.payment_id,
            "tab_id": tab.tab_id,
            "method": payment.method,
            "gateway": payment.gateway,
            "amount": part,
            "tip": tip_part,
            "status": RefundStatus.PENDING.value,
            "reason": MADE_AT_PROCESSOR,
            "gateway_reference": None,
            "failure_code": None,
            "created_at": uow.clock.now(),
            "settled_at": None,
            "entry_id": None,
        }
    )
    if seen.status in UNDONE:
        said = RefundResult(
            reference=seen.reference,
            status=RefundStatus.FAILED.value,
            failure_code=seen.failure or seen.status,
        )
    else:
        said = RefundResult(reference=seen.reference, status=RefundStatus.SUCCEEDED.value)
    return finish_refund(uow, refund.refund_id, said)
