"""A refund of a booking's captured deposit, or of a fee its card hold paid,
made at the processor itself (in Stripe's dashboard: no key of ours in its
metadata), kept as servefirst's own deposit refunds are (``deposit_refunds``),
so the books follow the money that left the merchant's processor account.

``payments.processor_events`` hands each such refund of a booking's charge
here, as Stripe holds it now. It is kept once, by its id at the processor, as
a ``DepositRefund``: booked when it gave money back (or may still:
``pending``), kept failed when it did not, so a ``charge.refunded`` told after
the refusal finds it refused and books nothing. A refusal told after it was
booked is ``deposit_refunds.refused_after``'s, as for our own refunds.

The booking counts it given back (``deposit_refund``, the deposit totals),
whatever the deposit had become; what the refund moves in the books depends
on that:

* still held for the booking: out of ``deposits_held``, as our own refund;
  a part refunded no longer stands for the booking, what ends it later
  settles only the rest (``rules.held_for_booking``);
* applied to the bill, or kept as a fee: that money was earned (revenue, or
  ``no_show_fees``), and giving it back is a refund of it: first owed to the
  customer again (``refunds`` contra-revenue to ``deposits_held``), then out
  of ``deposits_held`` as any deposit refund. Revenue and fees stay what was
  earned; ``refunds`` says what was returned. Refused, the money stays owed in
  ``deposits_held``, as a refused refund of our own does.

A fee a booking's card hold paid (a no-show or a late cancellation, captured
from the hold or charged on the card kept on file once it lapsed:
``hold_fees``) is a charge of its own at the processor, and its refund is
kept the same way, as a kept deposit's is: the fee stays earned in
``no_show_fees``, ``refunds`` says what was returned, one way for both kinds
of deposit, so the fees account reads the same whichever way the fee was
taken and a refusal leaves the money owed in ``deposits_held`` as for any
deposit refund. The deposit still says a fee was kept (``forfeited``): that
is what became of the hold; what went back of the fee is said beside it.
The rest Stripe let go of a hold captured for less than it held is no
refund of the fee (``rest_let_go``).

What a charge holds beyond the deposit's own (a late move's fee, kept in
``deposit_move_fee``, taken with the deposit or from a hold) is not booked here.
"""

from __future__ import annotations

from collections.abc import Sequence

from servefirst.bookings import deposit_refund_repository as kept_refunds
from servefirst.bookings.deposit_refunds import FAILED, PENDING, SUCCEEDED, finish_refund
from servefirst.bookings.holds import bump_totals
from servefirst.bookings.models import Booking, DepositRefund
from servefirst.bookings.rules import DepositStatus, held_for_booking
from servefirst.db.uow import UnitOfWork
from servefirst.kit.ids import new_id
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.payments.gateways import RefundResult
from servefirst.payments.processor import RefundAtProcessor


def keep_made_at_processor(
    uow: UnitOfWork, charge_reference: str, reference: str, amount: int, failure: str | None
) -> None:
    """Keep the refund ``reference`` of ``amount`` the processor made of the
    charge ``charge_reference`` (a booking's deposit, or a fee its card hold
    paid) once: booked, or kept failed when ``failure`` says why it gave
    nothing back. Nothing for a charge that is neither, a refund kept
    already, or a deposit with nothing left to give back."""
    booking = kept_refunds.booking_of_deposit_held(uow, charge_reference)
    of_fee = booking is None
    if of_fee:
        booking = _booking_of_fee(uow, charge_reference)
    if booking is None or kept_refunds.kept_by_reference(uow, reference):  # booking held
        return
    if of_fee:
        part = _fee_refunded(uow, booking, amount, "the fee charged on its card hold")
    else:
        part = _given_back(uow, booking, amount)
    if part <= 0:
        return
    booking.deposit_refund += part
    if not of_fee and booking.deposit_refund + booking.deposit_fee >= booking.deposit_amount:
        booking.deposit_status = DepositStatus.REFUNDED.value
    refund = DepositRefund(
        merchant_id=uow.merchant,
        refund_id=new_id("dre"),
        booking_id=booking.booking_id,
        gateway="stripe",
        charge_reference=charge_reference,
        currency=booking.currency,
        amount=part,
        status=PENDING,
        asked_at=uow.clock.now(),
    )
    uow.session.add(refund)
    uow.session.flush()
    # Never left pending: recovery would ask the processor again under our id.
    said = (
        RefundResult(reference, FAILED, failure)
        if failure is not None
        else RefundResult(reference, SUCCEEDED)
    )
    finish_refund(uow, refund.refund_id, said)


def rest_let_go(
    uow: UnitOfWork, charge_reference: str, refunds: Sequence[RefundAtProcessor]
) -> str | None:
    """The processor's reference of the refund that is none: the rest of a
    card hold captured for less than it held (for a fee, or to pay its tab),
    which Stripe lets go as a Refund of the charge, with no key of ours. Only
    its amount tells it from the owner's: of that amount, the oldest
    (``refunds`` are oldest first), as it was made with the capture, before
    any refund could be."""
    hold = kept_refunds.hold_captured_by(uow, charge_reference)
    if hold is None or hold.captured >= hold.amount:
        return None
    rest = hold.amount - hold.captured
    return next((r.reference for r in refunds if r.key is None and r.amount == rest), None)


def _booking_of_fee(uow: UnitOfWork, charge_reference: str) -> Booking | None:
    """The booking whose ending fee the charge took from its card hold,
    locked; None for another charge, or a late move's fee (its hold replaced)."""
    hold = kept_refunds.fee_hold_of(uow, charge_reference)
    if hold is None or hold.booking_id is None or kept_refunds.replaced(uow, hold.hold_id):
        return None
    return kept_refunds.booking_held(uow, hold.booking_id)


def _given_back(uow: UnitOfWork, booking: Booking, amount: int) -> int:
    """What of ``amount`` the booking's deposit gives back, from where it is
    now; what it became (a bill's part, a fee) is owed to the customer again
    first, in ``deposits_held``, where the refund's own entry takes it from."""
    held = held_for_booking(booking.deposit_status, booking.deposit_amount, booking.deposit_refund)
    if held:
        part = min(amount, held)
        bump_totals(uow, refunded=part)
        return part
    if booking.deposit_status == DepositStatus.APPLIED.value:
        part = min(amount, booking.deposit_amount - booking.deposit_refund)
        bump_totals(uow, applied=-part, refunded=part)
        _owed_again(uow, booking, part, "the bill's part")
        return part
    return _fee_refunded(uow, booking, amount, "the fee kept")


def _fee_refunded(uow: UnitOfWork, booking: Booking, amount: int, what: str) -> int:
    """What of ``amount`` the fee the booking kept gives back: owed to the
    customer again first (``_owed_again``); the fee stays what was earned."""
    if booking.deposit_status != DepositStatus.FORFEITED.value:
        return 0
    part = min(amount, booking.deposit_fee)
    booking.deposit_fee -= part
    bump_totals(uow, forfeited=-part, refunded=part)
    _owed_again(uow, booking, part, what)
    return part


def _owed_again(uow: UnitOfWork, booking: Booking, part: int, what: str) -> None:
    if part <= 0:
        return
    ledger.post(
        uow,
        EntryBuilder(
            EntryKind.DEPOSIT_REFUND,
            booking.currency,
            memo=f"deposit {booking.booking_id}: {what} refunded at the processor",
            tab_id=booking.tab_id,
        )
        .debit(Account.REFUNDS, part)
        .credit(Account.DEPOSITS_HELD, part)
        .build(),
    )
