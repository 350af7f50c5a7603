"""Taking a payment on a tab."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from servefirst.bookings.holds import capture_from_hold
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.ids import new_id
from servefirst.kit.money import Money
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.payments.gateways import card_gateway
from servefirst.payments.models import Payment
from servefirst.tabs.rules import Bill, ensure_can_pay, status_after_payment
from servefirst.tabs.service import bill_of, lock_tab, settle, tab_for_token

if TYPE_CHECKING:
    from servefirst.tabs.models import Tab


class Method(StrEnum):
    CASH = "cash"  # notes and coins, recorded by staff
    CARD_TERMINAL = "card_terminal"  # the shop's own terminal, recorded by staff
    CARD = "card"  # a card charged through the gateway (sandbox here)
    CARD_HOLD = "card_hold"  # taken from the card hold behind the tab (a booking's)


#: Where the money lands in the ledger, by method.
ACCOUNT_FOR = {
    Method.CASH: Account.CASH,
    Method.CARD_TERMINAL: Account.CARD_TERMINAL,
    Method.CARD: Account.CARD_CLEARING,
    Method.CARD_HOLD: Account.CARD_CLEARING,
}


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
    """Staff (or an integrator) record or take a payment on a tab.

    ``processor_key``: the processor's idempotency key, derived from the
    request's own key, so a retry after a crash between the processor's
    charge and our commit is the same charge; without one, the payment's id."""
    tab = lock_tab(uow, tab_id)
    return _pay(
        uow,
        tab,
        method=method,
        amount=amount,
        tip=tip,
        card=card,
        payment_method=payment_method,
        processor_key=processor_key,
    )


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
    tab = tab_for_token(uow, token, lock=True)
    return _pay(
        uow,
        tab,
        method=Method.CARD.value,
        amount=None,
        tip=tip,
        card=card,
        payment_method=payment_method,
        processor_key=processor_key,
    )


def _pay(
    uow: UnitOfWork,
    tab: Tab,
    *,
    method: str,
    amount: int | None,
    tip: int,
    card: str | None,
    payment_method: str | None,
    processor_key: str | None,
) -> Payment:
    chosen = Method(method)
    bill = bill_of(tab)
    if amount is None:
        amount = bill.due
    ensure_can_pay(tab.status, bill, amount, tip)
    gateway = card_gateway(uow) if chosen is Method.CARD else uow.gateways.manual
    if chosen is Method.CARD and not card and gateway is uow.gateways.sandbox:
        raise InvalidRequest(
            "A card payment needs the card number.", code="parameter_missing", param="card"
        )
    payment_id = new_id("pay")
    processor_key = processor_key or payment_id
    # Declines raise here, before anything is kept (the request rolls back).
    if chosen is Method.CARD_HOLD:
        gateway = uow.gateways.sandbox
        charge, _ = capture_from_hold(uow, tab, amount + tip, idempotency_key=processor_key)
    else:
        charge = gateway.charge(
            Money(amount + tip, tab.currency),
            card=card,
            payment_method=payment_method,
            idempotency_key=processor_key,
        )
    # The payment, the tab and the customer are each written once, by their
    # repositories: one INSERT and one UPDATE a row.
    payment = uow.tabs.add_payment(
        {
            "merchant_id": uow.merchant,
            "payment_id": payment_id,
            "tab_id": tab.tab_id,
            "method": chosen.value,
            "gateway": gateway.name,
            "amount": amount,
            "tip": tip,
            "status": charge.status,
            "card_last4": charge.card_last4,
            "gateway_reference": charge.reference,
            "created_at": uow.clock.now(),
        },
    )
    if charge.status == "pending":
        # The card asks its holder to confirm (3-D Secure): nothing is owed
        # less until the processor says the money came (payments/processor_events.py).
        payment.client_secret = charge.client_secret
        return payment
    _book(uow, tab, payment)
    return payment


def complete_pending(uow: UnitOfWork, payment: Payment) -> None:
    """The processor says a pending card payment went through: book it as if
    it had succeeded at once."""
    tab = lock_tab(uow, payment.tab_id)
    payment.status = "succeeded"
    uow.session.flush()
    _book(uow, tab, payment)


def _book(uow: UnitOfWork, tab: Tab, payment: Payment) -> None:
    """The payment's ledger entry, its event and the tab's new totals."""
    chosen = Method(payment.method)
    amount, tip = payment.amount, payment.tip
    payment_id = payment.payment_id
    # The tab's new totals are written once, below, with its closing if
    # this payment covers the bill (one UPDATE, no ORM flush).
    paid = {"paid": tab.paid + amount, "tips": tab.tips + tip}
    ledger.post(
        uow,
        EntryBuilder(
            EntryKind.PAYMENT, tab.currency, memo=f"{chosen.value} payment", tab_id=tab.tab_id
        )
        .debit(ACCOUNT_FOR[chosen], amount + tip)
        .credit(Account.RECEIVABLES, amount)
        .credit(Account.TIPS_PAYABLE, tip)
        .build(),
    )
    emit(
        uow,
        "payment.succeeded",
        payment_id,
        {"tab_id": tab.tab_id, "amount": amount, "tip": tip, "method": chosen.value},
    )
    after = Bill(tab.subtotal, tab.adjustments, paid["paid"], tab.deposit_applied)
    if status_after_payment(tab.status, after).value != tab.status:
        settle(uow, tab, **paid)
    else:
        uow.tabs.write(tab, **paid)


def payments_of(uow: UnitOfWork, tab_id: str) -> list[Payment]:
    return uow.tabs.payments(tab_id)
