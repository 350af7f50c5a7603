"""What a payment that went through changes: the journal, the events, the tab.

Shared by a payment taken at once (cash, a terminal, a card hold) and a card
payment's last phase (``phases.finish``)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from servefirst.events.service import emit
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.tabs.rules import Bill, status_after_payment
from servefirst.tabs.service import settle

if TYPE_CHECKING:
    from servefirst.db.uow import UnitOfWork
    from servefirst.payments.models import Payment
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


def post_payment(uow: UnitOfWork, tab: Tab, payment: Payment, **also: Any) -> None:
    """Book ``payment`` (succeeded) on the locked ``tab``. ``also``: more of
    the tab's columns to write in the same UPDATE."""
    method, amount, tip = Method(payment.method), payment.amount, payment.tip
    ledger.post(
        uow,
        EntryBuilder(
            EntryKind.PAYMENT, tab.currency, memo=f"{method.value} payment", tab_id=tab.tab_id
        )
        .debit(ACCOUNT_FOR[method], amount + tip)
        .credit(Account.RECEIVABLES, amount)
        .credit(Account.TIPS_PAYABLE, tip)
        .build(),
    )
    emit(
        uow,
        "payment.succeeded",
        payment.payment_id,
        {"tab_id": tab.tab_id, "amount": amount, "tip": tip, "method": method.value},
    )
    # The tab's new totals are written once, with its closing if this payment
    # covers the bill (one UPDATE, no ORM flush).
    paid = {"paid": tab.paid + amount, "tips": tab.tips + tip, **also}
    after = Bill(tab.subtotal, tab.adjustments, paid["paid"], tab.deposit_applied)
    if status_after_payment(tab.status, after).value != tab.status:
        settle(uow, tab, **paid)
    else:
        uow.tabs.write(tab, **paid)
