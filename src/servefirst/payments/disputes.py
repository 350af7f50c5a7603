"""Card disputes (chargebacks): recorded when the processor tells of one,
shown to staff, and counted in the customer's trust history only once the
merchant marks it lost (a dispute can be won: until then it says nothing).
Marked lost, the money went back to the customer: it leaves the books in one
entry (``dispute_books``), and loyalty follows it as it follows a refund
(``loyalty.service.tab_disputed``). Marked won, the money
is the merchant's again: nothing is counted, and the payment can be refunded
as any other (while open or lost it cannot: ``dispute_rules``)."""

from __future__ import annotations

from sqlalchemy import select

from servefirst.customers.service import record_lost_dispute
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import NotFound
from servefirst.loyalty import service as loyalty
from servefirst.payments.dispute_books import book_lost
from servefirst.payments.dispute_repository import DisputeRepository
from servefirst.payments.dispute_rules import (
    Disputed,
    DisputeStatus,
    ensure_can_close,
    first_holding,
)
from servefirst.payments.models import Dispute, Payment
from servefirst.payments.refund_repository import RefundRepository
from servefirst.payments.refund_rules import Refundable, bill_first


def record_dispute(
    uow: UnitOfWork,
    *,
    dispute_id: str,
    charge: str,
    amount: int,
    currency: str,
    reason: str,
    payment: Payment | None,
) -> Dispute:
    existing = DisputeRepository(uow).get(dispute_id)
    if existing is not None:
        return existing
    dispute = Dispute(
        merchant_id=uow.merchant,
        dispute_id=dispute_id,
        payment_id=payment.payment_id if payment else None,
        tab_id=payment.tab_id if payment else None,
        charge=charge,
        amount=amount,
        currency=currency,
        reason=reason,
        status=DisputeStatus.OPEN.value,
        created_at=uow.clock.now(),
    )
    uow.session.add(dispute)
    uow.session.flush()
    emit(uow, "dispute.created", dispute_id, {"payment_id": dispute.payment_id, "amount": amount})
    return dispute


def disputes(uow: UnitOfWork) -> list[Dispute]:
    return DisputeRepository(uow).newest_first()


def holding_by_payment(uow: UnitOfWork, tab_id: str) -> dict[str, Disputed]:
    """The dispute, open or lost, that keeps each of the tab's payments from
    being refunded, by payment id (the console's tab page)."""
    by_payment: dict[str, list[Disputed]] = {}
    for dispute in DisputeRepository(uow).of_tab(tab_id):
        by_payment.setdefault(dispute.payment_id, []).append(dispute)
    held = {payment_id: first_holding(found) for payment_id, found in by_payment.items()}
    return {payment_id: dispute for payment_id, dispute in held.items() if dispute is not None}


def _held(uow: UnitOfWork, dispute_id: str) -> Dispute:
    dispute = DisputeRepository(uow).get(dispute_id, lock=True)
    if dispute is None:
        raise NotFound("No such dispute.", code="dispute_not_found", param="dispute_id")
    return dispute


def mark_lost(uow: UnitOfWork, dispute_id: str) -> Dispute:
    """The bank kept the money for the customer: booked once out of
    ``card_clearing`` (``dispute_books``), counted once in their trust
    history (as a write-off of what was taken back), and what the tab earned
    in loyalty taken back as after a refund of it. Marking it again changes
    nothing. Lost is final: nothing marks a lost dispute won or open again
    (``loyalty.take_back.tab_disputed`` says what a reversal should do); a
    won one is not marked lost (409 ``dispute_closed``)."""
    dispute = _held(uow, dispute_id)
    if not ensure_can_close(dispute.status, DisputeStatus.LOST):
        return dispute
    dispute.status = DisputeStatus.LOST.value
    dispute.lost_at = uow.clock.now()
    uow.session.flush()
    if dispute.tab_id is not None:
        # The tab is held as a refund holds it (then the customer, as every
        # trust count does): loyalty reads and writes what the tab earned.
        tab = uow.tabs.lock(dispute.tab_id)
        book_lost(uow, dispute, tab)
        record_lost_dispute(uow, tab, amount=dispute.amount)
        loyalty.tab_disputed(
            uow, tab, dispute_id=dispute_id, disputed=lost_of_the_bill(uow, tab.tab_id)
        )
    emit(
        uow,
        "dispute.lost",
        dispute_id,
        {
            "payment_id": dispute.payment_id,
            "tab_id": dispute.tab_id,
            "amount": dispute.amount,
            # What the books took back of the payment (0 when nothing was left).
            "bill_lost": dispute.bill_lost,
            "tip_lost": dispute.tip_lost,
            "entry_id": dispute.entry_id,
        },
    )
    return dispute


def mark_won(uow: UnitOfWork, dispute_id: str) -> Dispute:
    """The bank let the merchant keep the money: nothing is counted against
    the customer, and the payment may be refunded again, up to what is left
    of it. Marking it again changes nothing; a lost dispute is not marked
    won (409 ``dispute_closed``: what the loss took back stays taken)."""
    dispute = _held(uow, dispute_id)
    if ensure_can_close(dispute.status, DisputeStatus.WON):
        dispute.status = DisputeStatus.WON.value
        uow.session.flush()
        emit(uow, "dispute.won", dispute_id, {"payment_id": dispute.payment_id})
    return dispute


def lost_of_the_bill(uow: UnitOfWork, tab_id: str) -> int:
    """What the tab's lost disputes gave back of its bill: of each payment,
    what its lost disputes took, up to the bill's part refunds left it (the
    tip last, as a refund made at the processor is read: ``processor_refunds``)."""
    by_payment: dict[str, int] = {}
    for dispute in uow.session.scalars(
        select(Dispute).where(
            Dispute.merchant_id == uow.merchant,
            Dispute.tab_id == tab_id,
            Dispute.status == DisputeStatus.LOST.value,
            Dispute.payment_id.is_not(None),
        )
    ):
        assert dispute.payment_id is not None
        by_payment[dispute.payment_id] = by_payment.get(dispute.payment_id, 0) + dispute.amount
    refunds = RefundRepository(uow)
    gone = 0
    for payment_id, disputed in sorted(by_payment.items()):
        payment = uow.session.get(Payment, (uow.merchant, payment_id))
        if payment is None or payment.status != "succeeded":
            continue
        left = Refundable.of(payment.amount, payment.tip, refunds.taken(payment_id))
        gone += bill_first(left, disputed)[0]
    return gone
