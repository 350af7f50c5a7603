"""Taking a payment on a tab.

Cash or a terminal payment is taken in one transaction. A card is charged,
and a card hold captured, in phases (``phases``): ``begin_payment``
takes the first (and for the others, the only) step; a request then calls the
processor off its event loop and finishes (``payments.endpoints``), while
``pay_tab`` and ``pay_by_token`` run every phase in turn for callers that
wait anyway (a page handled in a worker thread, the CLI, tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, Literal, ParamSpec

from servefirst.bookings.holds import hold_to_take
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import ServefirstError
from servefirst.kit.ids import new_id
from servefirst.kit.money import Money
from servefirst.loyalty import service as loyalty
from servefirst.payments import phases
from servefirst.payments.gateway_choice import card_gateway, gateway_named
from servefirst.payments.models import Payment
from servefirst.payments.phases import CardAttempt
from servefirst.payments.posting import ACCOUNT_FOR, Method, post_payment
from servefirst.tabs.rules import (
    ensure_can_pay,
    ensure_no_payment_waiting,
    ensure_nothing_paid_since,
)
from servefirst.tabs.service import bill_of, lock_tab, settle, tab_for_token

if TYPE_CHECKING:
    from servefirst.tabs.models import Tab

__all__ = [
    "ACCOUNT_FOR",
    "apply_reward",
    "Method",
    "begin_payment",
    "complete_pending",
    "pay_by_token",
    "pay_tab",
    "payments_of",
]

P = ParamSpec("P")

#: Which of a tab's payments to list: those that went through, or every attempt.
Listed = Literal["succeeded", "all"]


def complete(uow: UnitOfWork, step: Payment | CardAttempt) -> Payment:
    """The phases left after ``begin_payment``, in this thread."""
    if isinstance(step, Payment):
        return step
    return phases.finish(uow, step, phases.call_processor(uow.gateways, step))


def _every_phase(
    begin: Callable[Concatenate[UnitOfWork, P], Payment | CardAttempt],
) -> Callable[Concatenate[UnitOfWork, P], Payment]:
    """A payment that runs ``begin`` and then every phase left, in this thread,
    for callers that wait anyway: it takes what ``begin`` takes, so the two
    cannot drift apart."""

    def every_phase(uow: UnitOfWork, /, *args: P.args, **kwargs: P.kwargs) -> Payment:
        return complete(uow, begin(uow, *args, **kwargs))

    return every_phase


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
    reward_id: str | None = None,
    payments_seen: int | None = None,
) -> Payment | CardAttempt:
    """Staff (or an integrator) record or take a payment on a tab: the payment
    taken, or a card payment's attempt committed (phase 1).

    ``processor_key``: the processor's idempotency key, derived from the
    request's own key, so a retry after a crash between the processor's
    charge and our commit is the same charge; without one, the payment's id.
    ``payments_seen``: how many payments the console's page showed (its cash
    form), compared once the tab is held (``ensure_nothing_paid_since``)."""
    tab = lock_tab(uow, tab_id)
    if payments_seen is not None:
        # Counted with the tab held: a payment of the same form sent at the
        # same moment has either committed (and is counted) or waits for us.
        ensure_nothing_paid_since(payments_seen, len(payments_of(uow, tab_id)))
    return _begin(
        uow,
        tab,
        method=method,
        amount=amount,
        tip=tip,
        card=card,
        payment_method=payment_method,
        processor_key=processor_key,
        reward_id=reward_id,
    )


def begin_payment_by_token(
    uow: UnitOfWork,
    token: str,
    *,
    card: str | None,
    tip: int = 0,
    payment_method: str | None = None,
    processor_key: str | None = None,
    reward_id: str | None = None,
) -> Payment | CardAttempt:
    """The customer pays what is due with a card, from their tab page (phase 1)."""
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
        reward_id=reward_id,
    )


#: ``begin_payment`` with every phase run in turn (a page handled in a worker
#: thread, the CLI, tests): the payment itself, never an attempt.
pay_tab = _every_phase(begin_payment)
#: ``begin_payment_by_token`` with every phase run in turn.
pay_by_token = _every_phase(begin_payment_by_token)


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
    reward_id: str | None = None,
) -> Payment | CardAttempt:
    chosen = Method(method)
    if tab.pending_payment_id is not None:
        return phases.resume(
            uow, tab, card=card, payment_method=payment_method, processor_key=processor_key
        )
    if chosen in (Method.CARD, Method.CARD_HOLD) and processor_key is not None:
        met = phases.retry_meets(uow, tab, processor_key)
        if isinstance(met, Payment):
            return met
        processor_key = met
    tip_only = False
    if reward_id is not None:
        covered = _take_reward(uow, tab, reward_id, method=chosen, amount=amount, tip=tip)
        if covered is not None:
            return covered
        # The reward paid the whole bill and a tip is left: the payment is the
        # tip alone (the tab's status and the tip were checked with the reward).
        tip_only = bill_of(tab).due == 0 and not amount
    bill = bill_of(tab)
    if amount is None:
        amount = bill.due
    try:
        if not tip_only:
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
                uow.gateways,
                "stripe" if held.reference.startswith("pi_") else "sandbox",
                uow,
                held="hold",
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


def apply_reward(uow: UnitOfWork, tab_id: str, reward_id: str) -> Tab:
    """Staff take the customer's reward off the bill at the counter, before
    anyone pays (the payment then takes what is left)."""
    tab = lock_tab(uow, tab_id)
    ensure_no_payment_waiting(tab.pending_payment_id)
    _take_reward(uow, tab, reward_id, method=Method.CASH, amount=None, tip=0)
    return tab


def _take_reward(
    uow: UnitOfWork, tab: Tab, reward_id: str, *, method: Method, amount: int | None, tip: int
) -> Payment | None:
    """Take the customer's reward off the bill before the payment (a discount
    before tax). A reward that leaves nothing to pay (and no tip) closes the
    bill by itself: the answer is a payment of 0, kept nowhere but in the
    reward and its journal entry."""
    ensure_can_pay(tab.status, bill_of(tab), 1, tip)  # a tab that takes payments at all
    loyalty.redeem(uow, tab, reward_id, _line_prices(uow, tab))
    bill = bill_of(tab)
    if amount is not None and amount > bill.due:
        ensure_can_pay(tab.status, bill, amount, tip)  # amount_exceeds_due, rolled back whole
    if bill.due > 0 or tip > 0:
        return None
    if tab.status != "open":
        settle(uow, tab)
    return Payment(
        merchant_id=uow.merchant,
        payment_id=reward_id,
        tab_id=tab.tab_id,
        method=method.value,
        gateway="none",
        amount=0,
        tip=0,
        status="succeeded",
        card_last4=None,
        gateway_reference=None,
        failure_code=None,
        processor_key=None,
        created_at=uow.clock.now(),
    )


def due_after_reward(uow: UnitOfWork, token: str, reward_id: str) -> int:
    """What is left to pay on the tab of ``token`` once the reward is taken off,
    refused as the payment would refuse the reward; nothing is written. (A tip
    on the tab page is weighed against it.)"""
    tab = tab_for_token(uow, token)
    return bill_of(tab).due - loyalty.reward_off(uow, tab, reward_id, _line_prices(uow, tab))


def _line_prices(uow: UnitOfWork, tab: Tab) -> dict[str, int]:
    """Each service's unit price on the tab (what a free-service reward takes off)."""
    lines = uow.tabs.lines_with_terms(tab)
    return {v.line.service_id: v.line.unit_price for v in lines if v.line.voided_at is None}


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
