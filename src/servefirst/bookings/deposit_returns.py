"""A captured deposit the bill no longer needs after a line is voided (the
stylist did a cheaper service than was booked): the part that no longer pays
the bill comes off the tab and goes back to the card.

``give_back`` runs inside the void's transaction: the deposit's journal
entry moves that part from the bill back to ``deposits_held`` (the reverse of
the check-in's ``deposit_applied``), and a refund of it is asked of the
processor that took the deposit, as a check-in above the bill asks one
(``deposit_refunds``: phases, recovery, a refused refund said on the
booking). The caller sends it once the void is committed.

A card hold needs none of this: it is not money until it is captured, and
the payment taken from it captures what is due then (``holds``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from servefirst.bookings import repository
from servefirst.bookings.deposit_refunds import ask_refund
from servefirst.bookings.holds import bump_totals
from servefirst.bookings.refund_answers import refund_answers_of
from servefirst.bookings.rules import DepositStatus
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import Conflict
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind

if TYPE_CHECKING:
    from servefirst.bookings.models import Booking


def give_back(uow: UnitOfWork, tab_id: str, amount: int) -> str:
    """``amount`` of the deposit applied to ``tab_id`` is no longer the
    bill's: its entry, and its refund asked (phase 1; the caller commits and
    then sends it with ``deposit_refunds.refunds_in_turn`` or
    ``refunds_off_the_loop``). Returns the booking's id."""
    booking = booking_of_tab(uow, tab_id)
    if booking is None:
        raise Conflict(
            "This tab's deposit belongs to no booking any more; nothing can be given back.",
            code="deposit_not_found",
        )
    ledger.post(
        uow,
        EntryBuilder(
            EntryKind.DEPOSIT_UNAPPLIED,
            booking.currency,
            memo=f"deposit {booking.booking_id}: no longer needed by the bill",
            tab_id=tab_id,
        )
        .debit(Account.RECEIVABLES, amount)
        .credit(Account.DEPOSITS_HELD, amount)
        .build(),
    )
    # It stays in deposits_held until the processor says it refunded.
    ask_refund(uow, booking, amount)
    booking.deposit_refund += amount
    if booking.deposit_refund + booking.deposit_fee >= booking.deposit_amount:
        booking.deposit_status = DepositStatus.REFUNDED.value  # the bill uses none of it
    bump_totals(uow, applied=-amount, refunded=amount)
    uow.session.flush()
    return booking.booking_id


def booking_of_tab(uow: UnitOfWork, tab_id: str) -> Booking | None:
    """The booking checked in to ``tab_id``, locked (its deposit changes).
    Read only for a tab with a deposit applied, so only after a check-in."""
    return repository.checked_in_to(uow, tab_id, lock=True)


@dataclass(frozen=True)
class DepositBack:
    """What of the deposit behind a tab went back to the card, by how the
    processor answered (the tab's console page says it beside the bill, the
    customer's tab page and receipt under the deposit applied)."""

    refunded: int = 0
    pending: int = 0
    #: What the processor refused and the business still owes the customer
    #: (staff are told to give it back another way).
    refused: int = 0
    #: What the processor refused and the customer's bank has since given
    #: back to them (a card dispute lost): nothing left to give back.
    returned_by_bank: int = 0
    #: Why a refund of it still pending will not finish at the processor's
    #: next answer (``refund_rules.KEY_REUSED``: its key refused, nothing
    #: made yet), said beside it so staff do not give it back twice; None
    #: while it simply waits.
    why_pending: str | None = None


def deposit_back_of_tab(uow: UnitOfWork, tab_id: str) -> DepositBack:
    """The refunds of the deposit of the booking checked in to ``tab_id``
    (at check-in, above the bill; after a void, what the bill no longer
    needs), split as every page splits a booking's (``refund_answers``)."""
    booking = repository.checked_in_to(uow, tab_id)
    if booking is None:
        return DepositBack()
    answers = refund_answers_of(uow, [booking])[booking.booking_id]
    return DepositBack(
        refunded=answers.back,
        pending=answers.pending,
        refused=answers.refused,
        returned_by_bank=answers.returned_by_bank,
        why_pending=answers.why_pending,
    )
