"""Taking a payment on a tab.

Cash or a terminal payment is taken in one transaction. A card is charged,
and a card hold captured, in phases (``phases``): ``begin_payment``
takes the first (and for the others, the only) step; a request then calls the
processor off its event loop and finishes (``payments.endpoints``), while
``pay_tab`` and ``pay_by_token`` run every phase in turn for callers that
wait anyway (a page handled in a worker thread, the CLI, tests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from servefirst.bookings.holds import hold_to_take
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import ServefirstError
from servefirst.kit.ids import new_id
from servefirst.kit.money import Money
from servefirst.payments import phases
from servefirst.payments.gateways import card_gateway, gateway_named
from servefirst.payments.models import Payment
from servefirst.payments.phases import CardAttempt
from servefirst.payments.posting import ACCOUNT_FOR, Method, post_payment
from servefirst.tabs.rules import ensure_can_pay
from servefirst.tabs.service import bill_of, lock_tab, tab_for_token

if TYPE_CHECKING:
    from servefirst.tabs.models import Tab

__all__ = [
    "ACCOUNT_FOR",
    "Method",
    "begin_payment",
    "complete_pending",
    "pay_by_token",
    "pay_tab",
    "payments_of",
]

#: Which of a tab's payments to list: those that went through, or every attempt.
Listed = Literal["succeeded", "all"]


def pay_tab(
    uow: UnitOfWork,
    tab_id: str,
    *,
    method: str,
    amount: int | None,
    tip: int = 0,
    card: str | None = None,
    payment_method: str | None = None,
    processor_key: str | None = None,
) -> Payment:
    """Staff (or an integrator) record or take a payment on a tab, every phase in turn.

    ``processor_key``: the processor's idempotency key, derived from the
    request's own key, so a retry after a crash between the processor's
    charge and our commit is the same charge; without one, the payment's id."""
    step = begin_payment(
        uow,
        tab_id,
        method=method,
        amount=amount,
        tip=tip,
        card=card,
        payment_method=payment_method,
        processor_key=processor_key,
    )
    return complete(uow, step)


def pay_by_token(
    uow: UnitOfWork,
    token: str,
    *,
    card: str | None,
    tip: int = 0,
    payment_method: str | None = None,
    processor_key: str | None = None,
) -> Payment:
    """The customer pays what is due with a card, from their tab page."""
    step = begin_payment_by_token(
        uow, token, card=card, payment_method=payment_method, tip=tip, processor_key=processor_key
    )
    return complete(uow, step)


def complete(uow: UnitOfWork, step: Payment | CardAttempt) -> Payment:
    """The phases left after ``begin_payment``, in this thread."""
    if isinstance(step, Payment):
        return step
    return phases.finish(uow, step, phases.call_processor(uow.gateways, step))


def begin_payment(
    uow: UnitOfWork,
    tab_id: str,
    *,
    method: str,
    amount: int | None,
    tip: int = 0,
    card: str | None = None,
    payment_method: str | None = None,
    processor_key: str | None = None,
) -> Payment | CardAttempt:
    """The payment taken, or a card payment's attempt committed (phase 1)."""
    tab = lock_tab(uow, tab_id)
    return _begin(
        uow,
        tab,
        method=method,
        amount=amount,
        tip=tip,
        card=card,
        payment_method=payment_method,
        processor_key=processor_key,
    )


def begin_payment_by_token(
    uow: UnitOfWork,
    token: str,
    *,
    card: str | None,
    tip: int = 0,
    payment_method: str | None = None,
    processor_key: str | None = None,
) -> Payment | CardAttempt:
    tab = tab_for_token(uow, token, lock=True)
    return _begin(
        uow,
        tab,
        method=Method.CARD.value,
        amount=None,
        tip=tip,
        card=card,
        payment_method=payment_method,
        processor_key=processor_key,
    )


def _begin(
    uow: UnitOfWork,
    tab: Tab,
    *,
    method: str,
    amount: int | None,
    tip: int,
    card: str | None,
    payment_method: str | None,
    processor_key: str | None,
) -> Payment | CardAttempt:
    chosen = Method(method)
    if tab.pending_payment_id is not None:
        return phases.resume(
            uow, tab, card=card, payment_method=payment_method, processor_key=processor_key
        )
    if chosen in (Method.CARD, Method.CARD_HOLD) and processor_key is not None:
        earlier = phases.finished_under(uow, tab, processor_key)
        if earlier is not None:
            return earlier
    bill = bill_of(tab)
    if amount is None:
        amount = bill.due
    try:
        ensure_can_pay(tab.status, bill, amount, tip)
    except ServefirstError as refused:
        refused.figures.setdefault("currency", tab.currency)  # for the page's words
        raise
    if chosen is Method.CARD:
        # The gateway is chosen (a read) while the tab is held; it is called
        # with no transaction open (phase 2).
        chosen_gateway = card_gateway(uow)
        phases.ensure_card_for(chosen_gateway, card=card, payment_method=payment_method)
        return phases.begin(
            uow,
            tab,
            amount=amount,
            tip=tip,
            card=card,
            payment_method=payment_method,
            gateway=chosen_gateway,
            processor_key=processor_key,
        )
    if chosen is Method.CARD_HOLD:
        # The capture runs in phases too: the hold's gateway (the sandbox, or
        # Stripe for a hold that is a PaymentIntent) is called with no transaction open.
        held = hold_to_take(uow, tab)
        return phases.begin(
            uow,
            tab,
            amount=amount,
            tip=tip,
            card=None,
            gateway=gateway_named(
                uow.gateways, "stripe" if held.reference.startswith("pi_") else "sandbox", uow
            ),
            processor_key=processor_key,
            hold=held,
        )
    payment_id = new_id("pay")
    processor_key = processor_key or payment_id
    gateway = uow.gateways.manual.name
    charge = uow.gateways.manual.charge(
        Money(amount + tip, tab.currency), card=card, idempotency_key=processor_key
    )
    payment = uow.tabs.add_payment(
        {
            "merchant_id": uow.merchant,
            "payment_id": payment_id,
            "tab_id": tab.tab_id,
            "method": chosen.value,
            "gateway": gateway,
            "amount": amount,
            "tip": tip,
            "status": "succeeded",
            "card_last4": charge.card_last4,
            "gateway_reference": charge.reference,
            "failure_code": None,
            "processor_key": None,
            "created_at": uow.clock.now(),
        },
    )
    post_payment(uow, tab, payment)
    return payment


def payments_of(uow: UnitOfWork, tab_id: str, status: Listed = "succeeded") -> list[Payment]:
    """A tab's payments, oldest first: those that went through, or (``all``)
    every attempt, pending and failed too."""
    return [p for p in uow.tabs.payments(tab_id) if status == "all" or p.status == "succeeded"]


def complete_pending(uow: UnitOfWork, payment: Payment) -> None:
    """The processor says a pending card payment went through (a card its
    holder confirmed with 3-D Secure): book it as if it had succeeded at once."""
    tab = lock_tab(uow, payment.tab_id)
    uow.tabs.write_payment(payment, status="succeeded", failure_code=None)
    also = {"pending_payment_id": None} if tab.pending_payment_id == payment.payment_id else {}
    post_payment(uow, tab, payment, **also)
