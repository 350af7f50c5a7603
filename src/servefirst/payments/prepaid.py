"""A prepaid line: what a customer pays for at the counter before being served.

When a line is refused because it would take the customer past their tab
limit, the refusal suggests taking the money first. A prepaid line is that:
the line is added and its whole amount paid (cash or the shop's card
terminal) in one transaction, so what the customer owes does not grow and the
limit is not what stands in the way. If the payment cannot be taken, the line
is not kept either.
"""

from __future__ import annotations

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import InvalidRequest
from servefirst.payments.models import Payment
from servefirst.payments.service import Method, pay_tab
from servefirst.tabs import service as tabs

#: What staff take at the counter themselves (a card through the gateway is
#: the customer's own, on their tab page).
COUNTER_METHODS = (Method.CASH.value, Method.CARD_TERMINAL.value)


def add_prepaid_line(
    uow: UnitOfWork,
    tab_id: str,
    *,
    service_id: str,
    quantity: int,
    method: str,
    staff_id: str | None = None,
) -> Payment:
    """Add ``quantity`` of the service to the open tab and take its amount now."""
    if method not in COUNTER_METHODS:
        raise InvalidRequest("Take a prepayment in cash or on the card terminal.", param="method")
    before = tabs.lock_tab(uow, tab_id).subtotal
    # Paid in the same breath, so it adds nothing to what the customer owes:
    # the tab limit (which guards what is owed) does not apply to it.
    tab = tabs.add_line(
        uow, tab_id, service_id=service_id, quantity=quantity, staff_id=staff_id, secured=True
    )
    return pay_tab(uow, tab_id, method=method, amount=tab.subtotal - before)
