"""Refunds made at the processor itself (in Stripe's dashboard), booked when
its ``charge.refunded`` event comes.

The event says how much of the charge has been refunded in all
(``amount_refunded``). What servefirst already counts for the payment (its
own refunds, succeeded or still pending: those are its own, made through the
API) is taken off; only what is left is new, and is booked as one refund with
its journal entry, as a refund made here would be. So a refund servefirst
made is never booked twice, and the same event delivered again (or another
event for the same refund) finds nothing left to book.
"""

from __future__ import annotations

from typing import Any

from servefirst.db.uow import UnitOfWork
from servefirst.kit.ids import new_id
from servefirst.payments.gateways import RefundResult
from servefirst.payments.models import Payment
from servefirst.payments.refund_models import Refund
from servefirst.payments.refund_repository import RefundRepository
from servefirst.payments.refund_rules import (
    MADE_AT_PROCESSOR,
    Refundable,
    RefundStatus,
    bill_first,
)
from servefirst.payments.refunds import finish_refund


def book_refunded_at_processor(
    uow: UnitOfWork, payment: Payment, *, refunded_total: int, reference: str | None
) -> Refund | None:
    """Book what the processor refunded of ``payment`` beyond what servefirst
    counts already; None when nothing is new. The bill's part is given back
    first, then the tip (a dashboard refund does not say which)."""
    if payment.status != "succeeded":
        return None
    tab = uow.tabs.lock(payment.tab_id)  # one refund of a tab at a time, as begin_refund
    refunds = RefundRepository(uow)
    taken = refunds.taken(payment.payment_id)
    new = refunded_total - sum(amount + tip for amount, tip in taken)
    left = Refundable.of(payment.amount, payment.tip, taken)
    part, tip_part = bill_first(left, new)
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
    done = RefundResult(reference=reference or "", status=RefundStatus.SUCCEEDED.value)
    return finish_refund(uow, refund.refund_id, done)


def newest_refund_id(charge: Any) -> str | None:
    """The id of the charge's newest refund, when the event carries its refunds."""
    listed = getattr(charge, "refunds", None)
    data = getattr(listed, "data", None) or []
    newest = max(data, key=lambda r: int(getattr(r, "created", 0) or 0), default=None)
    return str(newest.id) if newest is not None else None
