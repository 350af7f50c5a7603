"""What really became of the part of a booking's deposit that was to go back,
by how the card processor answered its refund (``deposit_refunds``).

``Booking.deposit_refund`` (and the deposit status ``refunded``) records
what the booking's end gave back; the money reaches the card only once the
processor refunds it. Until it answers the refund is on its way; refused,
the money stays in ``deposits_held``, the customer's still, for the business
to give back another way (nothing in servefirst asks the processor
again, nor books a deposit given back by hand). A refused deposit a lost
card dispute then returned through the customer's bank is theirs again
(``refund_notes.RETURNED``). A card hold let go moves no money: released
at once, it is back. One on its way that the processor holds up (its key
refused) says why (``why_pending``), so staff do not give it back twice and
the customer hears it is delayed.

Every page, e-mail and API answer that says a deposit went back reads it
from here, so none says "refunded" of money still held.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from servefirst.bookings import refund_notes

if TYPE_CHECKING:
    from servefirst.bookings.models import Booking
    from servefirst.db.uow import UnitOfWork

PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"
RefundStatus = Literal["pending", "succeeded", "failed"]


@dataclass(frozen=True)
class RefundAnswers:
    """The deposit given back, split by where the money is now."""

    #: Back with the customer: refunds the processor made, card holds let go.
    back: int = 0
    #: Asked of the processor, its answer not in yet: on its way to the card.
    pending: int = 0
    #: Refused by the processor: still held by the business, owed to the customer.
    refused: int = 0
    #: Refused, then given to the customer by their bank (a card dispute lost).
    returned_by_bank: int = 0
    #: The processor's worst answer (failed, pending, succeeded); None: no
    #: refund of a captured deposit was asked (nothing to give back, or a hold).
    status: RefundStatus | None = None
    #: Why a refund still pending will not finish at the processor's next
    #: answer (``refund_rules.KEY_REUSED``: its key refused, nothing made yet,
    #: made by itself within 24 hours), so no page lets it pass for one about
    #: to arrive; None while it simply waits, or when nothing is pending.
    why_pending: str | None = None


def answered(
    deposit_refund: int, sums: dict[str, int], note: str | None, why_pending: str | None = None
) -> RefundAnswers:
    """``deposit_refund`` (what the booking's end gave back) split by the
    processor's answers ``sums`` (its refunds' amounts by status); ``note``:
    the booking's note, which says when a bank returned a refused deposit;
    ``why_pending``: the ``failure_code`` a pending refund of it keeps."""
    pending, failed = sums.get(PENDING, 0), sums.get(FAILED, 0)
    status: RefundStatus | None = None
    if failed:
        status = "failed"
    elif pending:
        status = "pending"
    elif sums.get(SUCCEEDED):
        status = "succeeded"
    returned = failed if failed and refund_notes.RETURNED in (note or "") else 0
    return RefundAnswers(
        back=max(deposit_refund - pending - failed, 0),
        pending=pending,
        refused=failed - returned,
        returned_by_bank=returned,
        status=status,
        why_pending=why_pending if pending else None,
    )


def refund_answers_of(uow: UnitOfWork, bookings: list[Booking]) -> dict[str, RefundAnswers]:
    """Each booking's answers, by its id: one query, and one more for why
    refunds still pending wait when some are."""
    from servefirst.bookings import deposit_refund_repository, repository

    asked = {b.booking_id for b in bookings if b.deposit_refund}
    sums = repository.deposit_refunds_of_bookings(uow, asked)
    waiting = {booking_id for booking_id, by in sums.items() if by.get(PENDING)}
    why = deposit_refund_repository.why_pending_of_bookings(uow, waiting)
    return {
        b.booking_id: answered(
            b.deposit_refund,
            sums.get(b.booking_id, {}),
            b.outcome_reason,
            why.get(b.booking_id),
        )
        for b in bookings
    }
