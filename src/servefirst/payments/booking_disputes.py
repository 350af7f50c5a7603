"""Card disputes of a booking's own charges: its deposit, captured when it was
booked, or a no-show, late-cancellation or late-move fee taken from its card
hold or charged on the card on file (``bookings.hold_fees``). Neither is a
payment of a tab, so the dispute names the booking (``record_dispute``).

Lost (the owner's mark, or Stripe's verdict), the money leaves the books as
a tab payment's loss does, once, where the books can tell what it took back
(``dispute_rules.booking_loss``): a fee, or a deposit kept as one, is revenue
taken back; a deposit applied to a tab's bill is that bill's loss, named
with the tab (earnings and loyalty follow it as they follow the tab's own
payment). A deposit still held for its booking, or refunded, is refused when
the owner marks it (409 ``dispute_of_deposit``, in words for its state);
Stripe's lost on one is shown and books nothing, and the owner's mark books
it once the booking has ended. The owner's mark, and only it, counts the
dispute against the customer's trust, as for a tab's payment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from servefirst.bookings import deposit_refunds
from servefirst.bookings.repository import booking_if_any, deposit_refunds_refused, fees_charged
from servefirst.bookings.rules import DepositMode
from servefirst.customers.service import record_lost_deposit_dispute, record_lost_dispute
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.loyalty import service as loyalty
from servefirst.payments.dispute_books import (
    book_booking_lost,
    book_booking_won_back,
    lost_of_the_bill,
)
from servefirst.payments.dispute_repository import DisputeRepository
from servefirst.payments.dispute_rules import (
    BookingCharge,
    BookingLoss,
    DisputedBooking,
    DisputeStatus,
    booking_loss,
    deposit_refusal,
    ensure_can_close,
)
from servefirst.payments.models import Dispute

if TYPE_CHECKING:
    from servefirst.bookings.models import Booking
    from servefirst.tabs.models import Tab


def charge_named(booking: Booking) -> BookingCharge:
    """What a charge of ``booking`` that is no tab's payment took: its deposit
    when it was captured at booking; else (held on the card) a fee."""
    if booking.deposit_mode == DepositMode.CAPTURE.value:
        return BookingCharge.DEPOSIT
    return BookingCharge.FEE


def charge_of(uow: UnitOfWork, dispute: Dispute) -> DisputedBooking | None:
    """What became of the money the disputed charge of the dispute's booking
    took; None when the booking is gone. A booking whose deposit was held on
    the card (not captured) was charged only its fees: the hold itself, once
    on the tab, is that tab's payment."""
    assert dispute.booking_id is not None
    booking = booking_if_any(uow, dispute.booking_id)
    if booking is None:
        return None
    lost_before = DisputeRepository(uow).lost_of_booking(
        booking.booking_id, besides=dispute.dispute_id
    )
    if charge_named(booking) is BookingCharge.FEE:
        kept = fees_charged(uow, booking.booking_id)
        return DisputedBooking(
            booking.booking_id,
            BookingCharge.FEE,
            booking.deposit_status,
            kept,
            0,
            None,
            lost_before,
        )
    # The charge took the deposit before any late move: what moves kept of it
    # (``deposit_move_fee``) is as much the bank's to take back as the fee
    # kept when the booking ended.
    return DisputedBooking(
        booking.booking_id,
        BookingCharge.DEPOSIT,
        booking.deposit_status,
        booking.deposit_fee + booking.deposit_move_fee,
        booking.deposit_amount - booking.deposit_refund,
        booking.tab_id,
        lost_before,
        deposit_refunds_refused(uow, booking.booking_id),
    )


def mark_lost(uow: UnitOfWork, dispute: Dispute) -> Dispute:
    """The owner's mark of the locked ``dispute`` of a booking's charge: the
    loss booked once (unless Stripe's lost booked it already) and counted once
    against the customer. A deposit whose loss cannot be booked (held,
    refunded) is refused before anything is written, as is a won or closed
    dispute (409 ``dispute_closed``)."""
    if dispute.marked_lost_at is not None:
        return dispute
    open_still = dispute.status != DisputeStatus.LOST.value
    if open_still:
        ensure_can_close(dispute.status, DisputeStatus.LOST)
    charge = charge_of(uow, dispute)
    loss = booking_loss(charge, dispute.amount) if charge is not None else None
    if dispute.entry_id is None and loss is None:
        status = charge.deposit_status if charge is not None else None
        raise deposit_refusal(dispute.dispute_id, dispute.booking_id or "", status)
    dispute.marked_lost_at = uow.clock.now()
    if open_still:
        assert loss is not None
        lose(uow, dispute, loss, against_the_customer=True)
        return dispute
    # Stripe's lost came first: booked then, or (the deposit was still held)
    # booked now that the booking has ended; counted against the customer now.
    tab = None
    if dispute.entry_id is None and loss is not None:
        tab = _held_tab(uow, dispute, loss)
        book_booking_lost(uow, dispute, loss)
        _told_returned(uow, dispute)
    _count(uow, dispute)
    if tab is not None:
        loyalty.tab_disputed(
            uow, tab, dispute_id=dispute.dispute_id, disputed=_lost_of_the_bill(uow, tab)
        )
    return dispute


def lose(
    uow: UnitOfWork, dispute: Dispute, loss: BookingLoss | None, *, against_the_customer: bool
) -> None:
    """The dispute lost, its ``loss`` booked (None: Stripe's lost on a deposit
    the books cannot take it from yet, booked nothing), the customer counted
    against when the owner says so, and the tab's loyalty followed when the
    deposit paid a tab's bill; told as ``dispute.lost``."""
    dispute.status = DisputeStatus.LOST.value
    dispute.lost_at = uow.clock.now()
    uow.session.flush()
    tab = _held_tab(uow, dispute, loss) if loss is not None else None
    if loss is not None:
        book_booking_lost(uow, dispute, loss)
        _told_returned(uow, dispute)
    if against_the_customer:
        _count(uow, dispute)
    if tab is not None:
        loyalty.tab_disputed(
            uow, tab, dispute_id=dispute.dispute_id, disputed=_lost_of_the_bill(uow, tab)
        )
    emit(
        uow,
        "dispute.lost",
        dispute.dispute_id,
        {
            "payment_id": None,
            "booking_id": dispute.booking_id,
            "tab_id": dispute.tab_id,
            "amount": dispute.amount,
            "bill_lost": dispute.bill_lost,
            "tip_lost": 0,
            "entry_id": dispute.entry_id,
            "lost_by": "owner" if against_the_customer else "stripe",
        },
    )


def lost_at_processor(uow: UnitOfWork, dispute: Dispute) -> None:
    """Stripe closed the dispute of a booking's charge lost: booked as the
    owner's mark would book it, where the books can tell what it took, and
    not counted against the customer."""
    charge = charge_of(uow, dispute)
    loss = booking_loss(charge, dispute.amount) if charge is not None else None
    lose(uow, dispute, loss, against_the_customer=False)


def won_back(uow: UnitOfWork, dispute: Dispute) -> None:
    """Stripe closed won a lost dispute of a booking's charge: its loss booked
    back once, and the tab's loyalty given back when the deposit paid a tab."""
    tab = uow.tabs.lock(dispute.tab_id) if dispute.tab_id is not None else None
    book_booking_won_back(uow, dispute)
    if dispute.deposit_returned and dispute.booking_id is not None:
        # The bank took back from the customer the deposit it had given them.
        deposit_refunds.owed_again(uow, dispute.booking_id)
    if tab is not None:
        loyalty.tab_won_back(
            uow, tab, dispute_id=dispute.dispute_id, disputed=_lost_of_the_bill(uow, tab)
        )


def _told_returned(uow: UnitOfWork, dispute: Dispute) -> None:
    """The loss gave the customer the deposit whose refund was refused: staff
    are told there is nothing left to give back."""
    if dispute.deposit_returned and dispute.booking_id is not None:
        deposit_refunds.returned_by_the_bank(uow, dispute.booking_id)


def _held_tab(uow: UnitOfWork, dispute: Dispute, loss: BookingLoss) -> Tab | None:
    """The tab whose bill the deposit paid, locked before the books move (as a
    tab payment's loss holds it), and named on the dispute; None for a fee."""
    if loss.tab_id is None:
        return None
    dispute.tab_id = loss.tab_id
    return uow.tabs.lock(loss.tab_id)


def _lost_of_the_bill(uow: UnitOfWork, tab: Tab) -> int:
    return lost_of_the_bill(uow, tab.tab_id)


def _count(uow: UnitOfWork, dispute: Dispute) -> None:
    """Counted against the customer as a tab payment's lost dispute is: a
    write-off of what the bank took back, with the tab when the deposit paid one."""
    uow.session.flush()
    if dispute.tab_id is not None:
        record_lost_dispute(uow, uow.tabs.lock(dispute.tab_id), amount=dispute.amount)
        return
    booking = booking_if_any(uow, dispute.booking_id or "")
    if booking is not None:
        record_lost_deposit_dispute(uow, booking.customer_id, amount=dispute.amount)
