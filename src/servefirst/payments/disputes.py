"""Card disputes (chargebacks): recorded when the processor tells of one,
shown to staff, and counted in the customer's trust history only once the
owner marks it lost (a dispute can be won: until then it says nothing).
Lost, marked by the owner or closed so by Stripe, the money went back to the
customer: it leaves the books in one entry (``dispute_books``), and loyalty
follows it as it follows a refund (``loyalty.service.tab_disputed``). Won,
the money is the merchant's again: nothing is counted, and the payment can
be refunded as any other (while open or lost it cannot: ``dispute_rules``).
Stripe's won after a loss was booked gives the money back: the loss is booked
back and loyalty given back (``won_back_at_processor``). Closed by Stripe
without a loss (an inquiry closed, refunded first, prevented), nothing moved
and the payment is freed as a won one is (``closed_at_processor``).
A dispute of a booking's own charge (its deposit, or a fee charged on its
card) names its booking; its loss is booked where the books can tell what it
took back, and refused in words where they cannot (``booking_disputes``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from servefirst.bookings.repository import booking_if_any
from servefirst.customers.service import names_of, record_lost_dispute
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import NotFound
from servefirst.loyalty import service as loyalty
from servefirst.payments import booking_disputes
from servefirst.payments.dispute_books import book_lost, book_won_back, lost_of_the_bill
from servefirst.payments.dispute_repository import DisputeRepository
from servefirst.payments.dispute_rules import (
    Disputed,
    DisputeStatus,
    closes_lost_at_processor,
    ensure_can_close,
    first_holding,
    won_at_processor,
)
from servefirst.payments.dispute_rules import closed_at_processor as closed_at_processor_rule
from servefirst.payments.models import Dispute, Payment


def record_dispute(
    uow: UnitOfWork,
    *,
    dispute_id: str,
    charge: str,
    amount: int,
    currency: str,
    reason: str,
    payment: Payment | None,
    booking_id: str | None = None,
) -> Dispute:
    """Keep the dispute Stripe told of, once: of ``payment``, or of the
    deposit of booking ``booking_id`` (a deposit is no payment of a tab)."""
    existing = DisputeRepository(uow).get(dispute_id)
    if existing is not None:
        return existing
    dispute = Dispute(
        merchant_id=uow.merchant,
        dispute_id=dispute_id,
        payment_id=payment.payment_id if payment else None,
        tab_id=payment.tab_id if payment else None,
        booking_id=None if payment else booking_id,
        charge=charge,
        amount=amount,
        currency=currency,
        reason=reason,
        status=DisputeStatus.OPEN.value,
        created_at=uow.clock.now(),
    )
    uow.session.add(dispute)
    uow.session.flush()
    emit(
        uow,
        "dispute.created",
        dispute_id,
        {"payment_id": dispute.payment_id, "booking_id": dispute.booking_id, "amount": amount},
    )
    return dispute


def disputes(uow: UnitOfWork) -> list[Dispute]:
    return DisputeRepository(uow).newest_first()


@dataclass(frozen=True)
class DisputedDeposit:
    """Whose booking a dispute of a deposit's or a fee's charge is of, and
    what became of its deposit (the console's disputes)."""

    booking_id: str
    customer_id: str
    customer_name: str
    starts_at: datetime
    #: ``deposit`` or ``fee`` (``dispute_rules.BookingCharge``).
    charge: str
    deposit_status: str


def deposits_disputed(uow: UnitOfWork, listed: list[Dispute]) -> dict[str, DisputedDeposit]:
    """The booking of each of ``listed`` that is of a deposit or a fee, by
    dispute id (a booking since gone is left out)."""
    bookings = {
        d.dispute_id: booking
        for d in listed
        if d.booking_id is not None and (booking := booking_if_any(uow, d.booking_id))
    }
    names = names_of(uow, {b.customer_id for b in bookings.values()})
    return {
        dispute_id: DisputedDeposit(
            b.booking_id,
            b.customer_id,
            names.get(b.customer_id, ""),
            b.starts_at,
            booking_disputes.charge_named(b).value,
            b.deposit_status,
        )
        for dispute_id, b in bookings.items()
    }


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
    """The owner says the bank kept the money for the customer: the loss
    booked once (``_lose``: the books, loyalty), if Stripe's verdict did not
    book it already, and counted once in the customer's trust history (as a
    write-off of what was taken back). Marking it again changes nothing.
    The owner marks nothing lost won again; only Stripe's own won verdict
    books a loss back (``won_back_at_processor``); a won or closed one is not
    marked lost (409 ``dispute_closed``), nor one of a booking's deposit still
    held or refunded (409 ``dispute_of_deposit``: ``booking_disputes``)."""
    dispute = _held(uow, dispute_id)
    if dispute.booking_id is not None:
        return booking_disputes.mark_lost(uow, dispute)
    if dispute.marked_lost_at is not None:
        return dispute
    open_still = dispute.status != DisputeStatus.LOST.value
    if open_still:
        ensure_can_close(dispute.status, DisputeStatus.LOST)
    dispute.marked_lost_at = uow.clock.now()
    if open_still:
        _lose(uow, dispute, against_the_customer=True)
    elif dispute.tab_id is not None:
        # Stripe's verdict booked it already; the owner's word is what counts.
        # The tab is held first, then the customer, as every trust count does.
        uow.session.flush()
        record_lost_dispute(uow, uow.tabs.lock(dispute.tab_id), amount=dispute.amount)
    return dispute


def lost_at_processor(uow: UnitOfWork, dispute_id: str) -> Dispute:
    """Stripe closed the dispute lost: its decision is final and the money is
    gone at the processor, so the books follow it now, as the owner's mark
    would have booked it (``_lose``, once: a dispute already lost, by the
    owner or by an earlier event, changes nothing; one the owner marked won
    before the bank decided is lost all the same). A dispute of a booking's
    deposit or fee is booked as the owner's mark would book it, and Stripe's
    word on a deposit still held or refunded books nothing (``booking_disputes``).

    It does not count against the customer's trust: Stripe's status says
    where the money went, not why. A bank decides for the cardholder when
    the merchant sent no evidence in time, when the card was used by someone
    else, or when the service really was not what was promised, and a
    complaint upheld never counts against a customer (DESIGN.md: an upheld
    concern does not). Only the owner, who knows the visit, marks it lost against them:
    the console still offers it (``mark_lost``)."""
    dispute = _held(uow, dispute_id)
    if not closes_lost_at_processor(dispute.status, won_back=dispute.won_back_at is not None):
        return dispute
    if dispute.booking_id is not None:
        booking_disputes.lost_at_processor(uow, dispute)
    else:
        _lose(uow, dispute, against_the_customer=False)
    return dispute


def won_back_at_processor(uow: UnitOfWork, dispute_id: str) -> Dispute:
    """Stripe closed the dispute won: the money is the merchant's. Open, it
    is won as the owner's mark wins it. Lost already (the owner marked it lost
    too soon, or before Stripe's last word), the money came back: the loss is
    booked back once, in an entry that undoes its legs (``dispute_books``);
    the tab's loyalty taken back for it is given back; the lost disputes no
    longer net the earnings (commission and tips follow the money kept). Won
    or closed already: nothing.

    An owner's mark lost counted once against the customer's trust stays
    counted: trust keeps faded running sums, not the events that made them
    (``trust.count_event``), so the count cannot be taken out exactly; the
    history still shows the dispute as won."""
    dispute = _held(uow, dispute_id)
    change = won_at_processor(dispute.status)
    if change == "won":
        return mark_won(uow, dispute_id)
    if change == "won_back":
        dispute.status = DisputeStatus.WON.value
        dispute.won_back_at = uow.clock.now()
        uow.session.flush()
        if dispute.booking_id is not None:
            booking_disputes.won_back(uow, dispute)
        elif dispute.tab_id is not None:
            # The tab is held as the loss held it: loyalty reads and writes what it earned.
            tab = uow.tabs.lock(dispute.tab_id)
            book_won_back(uow, dispute, tab)
            loyalty.tab_won_back(
                uow,
                tab,
                dispute_id=dispute.dispute_id,
                disputed=lost_of_the_bill(uow, tab.tab_id),
            )
        emit(
            uow,
            "dispute.won",
            dispute_id,
            {
                "payment_id": dispute.payment_id,
                "won_back": True,
                "bill_won_back": dispute.bill_lost if dispute.won_back_entry_id else 0,
                "tip_won_back": dispute.tip_lost if dispute.won_back_entry_id else 0,
                "entry_id": dispute.won_back_entry_id,
            },
        )
    return dispute


def closed_at_processor(uow: UnitOfWork, dispute_id: str, stripe_status: str) -> Dispute:
    """Stripe closed an open dispute without a loss (``stripe_status``: an
    inquiry closed, a charge refunded first, a dispute prevented): nothing
    moved and nothing counts; its payment is freed as a won one is. A lost,
    won or closed dispute stays as it is (``dispute_rules.closed_at_processor``)."""
    dispute = _held(uow, dispute_id)
    if closed_at_processor_rule(dispute.status):
        dispute.status = DisputeStatus.CLOSED.value
        uow.session.flush()
        emit(
            uow,
            "dispute.closed",
            dispute_id,
            {"payment_id": dispute.payment_id, "stripe_status": stripe_status},
        )
    return dispute


def _lose(uow: UnitOfWork, dispute: Dispute, *, against_the_customer: bool) -> None:
    """The money went back to the customer: the dispute lost, the loss booked
    out of ``card_clearing`` (``dispute_books``), counted in the customer's
    trust when the owner says so, and what the tab earned in loyalty taken
    back as after a refund of it; each once per dispute."""
    dispute.status = DisputeStatus.LOST.value
    dispute.lost_at = uow.clock.now()
    uow.session.flush()
    if dispute.tab_id is not None:
        # The tab is held as a refund holds it: loyalty reads and writes what it earned.
        tab = uow.tabs.lock(dispute.tab_id)
        book_lost(uow, dispute, tab)
        if against_the_customer:
            record_lost_dispute(uow, tab, amount=dispute.amount)
        loyalty.tab_disputed(
            uow, tab, dispute_id=dispute.dispute_id, disputed=lost_of_the_bill(uow, tab.tab_id)
        )
    emit(
        uow,
        "dispute.lost",
        dispute.dispute_id,
        {
            "payment_id": dispute.payment_id,
            "tab_id": dispute.tab_id,
            "amount": dispute.amount,
            # What the books took back of the payment (0 when nothing was left).
            "bill_lost": dispute.bill_lost,
            "tip_lost": dispute.tip_lost,
            "entry_id": dispute.entry_id,
            # Who said lost first: the owner (counted against the customer) or Stripe.
            "lost_by": "owner" if against_the_customer else "stripe",
        },
    )


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
