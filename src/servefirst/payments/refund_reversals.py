"""A refund the processor made and then saw fail: Stripe's
``charge.refund.updated`` with the Refund ``failed`` (the customer's card
was closed, their bank sent the money back). The money is back with the
business, so the books follow it:

* a tab payment's refund that had succeeded turns ``failed`` with the
  processor's reason, and its entry is reversed in one entry of its own
  (the same legs, sides swapped: the refunds contra-revenue, the tax it
  gave back, the tip's part off ``tips_payable``, the card account back);
  the tab no longer counts it as refunded, what is left to refund of
  the payment grows again by it, and the loyalty it took comes back
  (``loyalty.tab_refund_failed``: points, and a referrer's thanks for a
  friend's first visit it had left paid for nothing). The refund keeps its
  first entry (``entry_id``): a failed refund with an entry is one that
  went through first, which the cash-flow report nets out
  (``returned_by_method``);
* a refund still ``pending`` in our books (the request that asked has not
  written Stripe's answer yet, or a crash left it for recovery) is refused
  the ordinary way (``refunds.finish_refund``): nothing was booked, and the
  answer written late finds it answered and changes nothing;
* one already failed changes nothing;
* a booking deposit's refund: ``bookings.deposit_refunds.refused_after``.

The customer, told of the refund when it went through, is told it failed
(``refund.failed`` with ``after_succeeded``: ``messages.refund_returned``),
unless, by the time the message goes, the business gave the money again or
the customer's bank gave it back (``returned``).

Each happens once: the change is made only from the status it moves away
from, read with the tab held, so the same refusal told twice (another
event id, or the same one twice at once) finds nothing left to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from servefirst.bookings import deposit_refunds
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind, Side
from servefirst.loyalty import service as loyalty
from servefirst.payments.dispute_books import lost_of_the_bill
from servefirst.payments.dispute_repository import DisputeRepository
from servefirst.payments.dispute_rules import DisputeStatus
from servefirst.payments.gateways import RefundResult
from servefirst.payments.refund_models import Refund
from servefirst.payments.refund_repository import RefundRepository
from servefirst.payments.refund_rules import RefundStatus
from servefirst.payments.refunds import finish_refund
from servefirst.payments.service import ACCOUNT_FOR, Method
from servefirst.taxes import service as taxes


def refused_at_processor(uow: UnitOfWork, *, reference: str, key: str | None, failure: str) -> None:
    """The processor's refund ``reference`` failed for ``failure``. ``key``:
    our refund's id, as the processor keeps it beside the refund (found by
    it while our record does not have the reference yet)."""
    refunds = RefundRepository(uow)
    refund = refunds.by_reference(reference) or (refunds.get(key) if key else None)
    if refund is None:
        deposit_refunds.refused_after(uow, reference=reference, key=key, failure=failure)
    elif refund.gateway != "manual" and refund.gateway_reference in (None, reference):
        _refused(uow, refund, reference, failure)


def _refused(uow: UnitOfWork, seen: Refund, reference: str, failure: str) -> None:
    refunds = RefundRepository(uow)
    tab = uow.tabs.lock(seen.tab_id)  # one change of a tab's refunds at a time
    refund = refunds.held(seen.refund_id)
    if refund is None or refund.status == RefundStatus.FAILED.value:
        return
    if refund.status == RefundStatus.PENDING.value:
        refused = RefundResult(
            reference=reference, status=RefundStatus.FAILED.value, failure_code=failure
        )
        finish_refund(uow, refund.refund_id, refused)
        return
    undone = taxes.refund_undone(uow, tab, refund.entry_id, refund.amount)
    tax_back = taxes.tax_part(undone)
    entry_id = ledger.post(
        uow,
        EntryBuilder(
            EntryKind.REFUND,
            tab.currency,
            memo=f"{refund.method} refund failed after it went through: {refund.refund_id}",
            tab_id=tab.tab_id,
        )
        .debit(ACCOUNT_FOR[Method(refund.method)], refund.amount + refund.tip)
        .leg(Account.REFUNDS, Side.CREDIT, refund.amount - tax_back)
        .leg(Account.TAX_PAYABLE, Side.CREDIT, tax_back)
        .credit(Account.TIPS_PAYABLE, refund.tip)
        .build(),
    )
    taxes.record(uow, tab, entry_id, undone)
    refunds.settle(
        refund,
        status=RefundStatus.FAILED.value,
        gateway_reference=reference,
        failure_code=failure,
        settled_at=uow.clock.now(),
    )
    uow.tabs.write(
        tab,
        refunded=tab.refunded - refund.amount,
        tips_refunded=tab.tips_refunded - refund.tip,
    )
    # What it took comes back: points, and a referrer's thanks it voided.
    loyalty.tab_refund_failed(
        uow, tab, refund_id=refund.refund_id, disputed=lost_of_the_bill(uow, tab.tab_id)
    )
    emit(uow, "refund.failed", refund.refund_id, _told(refund, entry_id))


def _told(refund: Refund, entry_id: str) -> dict[str, object]:
    return {
        "payment_id": refund.payment_id,
        "tab_id": refund.tab_id,
        "amount": refund.amount,
        "tip": refund.tip,
        "method": refund.method,
        "status": refund.status,
        "failure_code": refund.failure_code,
        "after_succeeded": True,
        "entry_id": entry_id,
    }


@dataclass(frozen=True)
class Returned:
    """A refund of a tab's payment that went through and then failed at the
    processor, as its customer is told of it (``messages.refund_returned``)."""

    refund_id: str
    tab_id: str
    amount: int  # of the bill
    tip: int
    card_last4: str | None
    #: When it was made (asked of the processor, which said it went through).
    made_at: datetime
    #: What the tab's refunds made since it failed gave back (bill and tip):
    #: the business giving the money again, another way or the same.
    given_back_since: int
    #: A dispute of the payment lost: the customer's bank gave them the money.
    bank_gave_it_back: bool


def returned(uow: UnitOfWork, refund_id: str) -> Returned | None:
    """The refund, if it went through and then failed (None otherwise: a
    refund refused at once, or still standing, never reached this)."""
    refunds = RefundRepository(uow)
    refund = refunds.get(refund_id)
    if refund is None or refund.status != RefundStatus.FAILED.value or refund.entry_id is None:
        return None
    failed_at = refund.settled_at or refund.created_at
    disputes = DisputeRepository(uow).of_payment(refund.payment_id)
    return Returned(
        refund_id=refund.refund_id,
        tab_id=refund.tab_id,
        amount=refund.amount,
        tip=refund.tip,
        card_last4=refunds.payment(refund.payment_id).card_last4,
        made_at=refund.created_at,
        given_back_since=refunds.given_back_since(refund.tab_id, failed_at),
        bank_gave_it_back=any(d.status == DisputeStatus.LOST.value for d in disputes),
    )
