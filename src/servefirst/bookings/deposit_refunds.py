"""A captured deposit given back to the card it was taken on, in phases
(DESIGN.md, "A payment in phases"), so no card processor is called inside a
database transaction.

1. ``ask_refund`` (in the transaction that ends the booking: a cancellation,
   a no-show past its charge window, a check-in whose bill is less than the
   deposit): a ``pending`` refund of what goes back, its id the processor's
   idempotency key; committed.
2. ``call_processor``: the processor that took the deposit asked to refund it
   (``payments.refunds.refund_at``, as a payment's refund), no transaction open.
3. ``finish_refund``: its answer kept. A refund made moves the money out of
   ``deposits_held`` (its journal entry); a refused one leaves it there and
   says so on the booking, with ``booking.deposit_refund_failed`` for staff
   (and for the customer: ``messages.refund_refused``).

A refund a crash (or an unreachable processor) left pending is finished by
``finish_pending_deposit_refunds`` (``servefirst payments recover``): it is
looked for at the processor under its key first, and asked again under the
same key only if none was made, so the processor answers the first refund and
never makes a second. A request that sends the booking's refunds looks the
same way first, for each of them: one may have been begun by an earlier request
that died after the processor made it (another change of the booking, a line
voided on its tab), and Stripe forgets a key after 24 hours, so sent blindly
then it would make a second refund. Deposit refunds are rare; the one lookup
each costs less than telling the two kinds apart.
While the processor refuses its key the refund stays pending, its
``failure_code`` saying why (``refund_rules.why_still_pending``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from servefirst.bookings import deposit_refund_repository, refund_notes
from servefirst.bookings.models import Booking, DepositRefund
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import GatewayUnavailable
from servefirst.kit.ids import new_id
from servefirst.kit.money import Money
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.payments.gateway_choice import gateway_named
from servefirst.payments.gateways import CardGateway, RefundResult
from servefirst.payments.refund_rules import KEY_REUSED, why_still_pending
from servefirst.payments.refunds import refund_at

#: What the processor keeps as the refund's reason.
REASON = "The booking's deposit, given back."
PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"


@dataclass(frozen=True)
class RefundAsked:
    """A refund kept pending (phase 1), with what phase 2 needs."""

    refund_id: str
    booking_id: str
    #: The deposit's charge; None for a deposit taken before it was kept.
    charge_reference: str | None
    amount: Money
    gateway: CardGateway


def ask_refund(uow: UnitOfWork, booking: Booking, amount: int) -> None:
    """Phase 1: ``amount`` of the booking's captured deposit to go back to its
    card, kept with the caller's own changes (the caller commits)."""
    uow.session.add(
        DepositRefund(
            merchant_id=uow.merchant,
            refund_id=new_id("dre"),
            booking_id=booking.booking_id,
            gateway=_gateway_of(uow, booking),
            charge_reference=booking.deposit_reference,
            currency=booking.currency,
            amount=amount,
            status=PENDING,
            asked_at=uow.clock.now(),
        )
    )
    uow.session.flush()


def _gateway_of(uow: UnitOfWork, booking: Booking) -> str:
    """The processor that took the deposit: its reference says which (a
    Stripe PaymentIntent); without one, the merchant's gateway, which took it."""
    from servefirst.payments.accounts import uses_stripe

    if booking.deposit_reference is not None:
        return "stripe" if booking.deposit_reference.startswith("pi_") else "sandbox"
    return "stripe" if uses_stripe(uow) else "sandbox"


def refunds_asked(uow: UnitOfWork, booking_id: str) -> list[RefundAsked]:
    """The booking's refunds still waiting for the processor. Raises
    ``GatewayUnavailable`` when the processor that took them has no keys set."""
    return [
        RefundAsked(
            row.refund_id,
            row.booking_id,
            row.charge_reference,
            Money(row.amount, row.currency),
            cast(CardGateway, gateway_named(uow.gateways, row.gateway, uow)),
        )
        for row in deposit_refund_repository.pending_of_booking(uow, booking_id)
    ]


def call_processor(asked: RefundAsked) -> RefundResult:
    """Phase 2, no database; asking twice under the same key refunds once.
    Looked for under its key before it is sent, as recovery looks for a
    payment's refund (``payments.refunds.refund_at``): a request cannot tell
    a refund it asked from one an earlier request began and died sending."""
    reference = asked.charge_reference
    if reference is None:  # taken before its reference was kept: asked by the booking's id
        found = asked.gateway.find_charge(asked.booking_id)
        if found is None:
            return RefundResult(reference="", status=FAILED, failure_code="charge_unknown")
        reference = found.reference
    return refund_at(
        asked.gateway,
        reference,
        asked.amount,
        key=asked.refund_id,
        reason=REASON,
        asked_before=True,
    )


def finish_refund(uow: UnitOfWork, refund_id: str, result: RefundResult) -> None:
    """Phase 3; the caller commits. Asked twice, the second changes nothing."""
    row = deposit_refund_repository.held(uow, refund_id)
    if row is None or row.status != PENDING:
        return
    if result.status == PENDING:
        # Still pending; a key the processor refused is kept as why (the
        # console says the refund is held up), cleared once it answers otherwise.
        why = why_still_pending(row.failure_code, result.failure_code)
        if why != row.failure_code:
            row.failure_code = why
            uow.session.flush()
        return
    row.status = SUCCEEDED if result.status == SUCCEEDED else FAILED
    row.gateway_reference = result.reference or None
    row.failure_code = result.failure_code
    row.settled_at = uow.clock.now()
    if row.status == SUCCEEDED:
        money = Money(row.amount, row.currency)
        ledger.post(
            uow,
            EntryBuilder(
                EntryKind.DEPOSIT_REFUND, row.currency, memo=f"deposit {row.booking_id}: refund"
            )
            .debit(Account.DEPOSITS_HELD, money)
            .credit(Account.CARD_CLEARING, money)
            .build(),
        )
    else:
        # The money stays in deposits_held, still the customer's: staff give it back.
        _told_refused(uow, row)
    uow.session.flush()


def refused_after(uow: UnitOfWork, *, reference: str, key: str | None, failure: str) -> None:
    """The processor's refund ``reference`` (``key``: our refund's id, kept
    beside it at the processor) failed for ``failure``, told afterwards
    (Stripe's ``charge.refund.updated``). Still pending here: refused as an
    answer would refuse it (``finish_refund``). Succeeded: the refund came
    back to the business, so the deposit is in ``deposits_held`` again, the
    customer's, owed to them: its entry reversed, the booking's note and
    ``booking.deposit_refund_failed`` as for any refused refund (which plans
    the customer's word, ``messages.refund_refused``). Once: only a refund
    that is not failed yet moves, read locked."""
    row = deposit_refund_repository.held_by_reference(uow, reference)
    if row is None and key is not None:
        row = deposit_refund_repository.held(uow, key)
    if row is None or row.gateway_reference not in (None, reference):
        return
    if row.status == PENDING:
        finish_refund(uow, row.refund_id, RefundResult(reference, FAILED, failure))
        return
    if row.status != SUCCEEDED:
        return
    row.status, row.failure_code, row.settled_at = FAILED, failure, uow.clock.now()
    money = Money(row.amount, row.currency)
    ledger.post(
        uow,
        EntryBuilder(
            EntryKind.DEPOSIT_REFUND,
            row.currency,
            memo=f"deposit {row.booking_id}: refund failed after it went through",
        )
        .debit(Account.CARD_CLEARING, money)
        .credit(Account.DEPOSITS_HELD, money)
        .build(),
    )
    _told_refused(uow, row)
    uow.session.flush()


def _told_refused(uow: UnitOfWork, row: DepositRefund) -> None:
    """The booking says the refund was refused (staff give it back another
    way), and ``booking.deposit_refund_failed`` tells staff and the customer."""
    booking = uow.session.get(Booking, (uow.merchant, row.booking_id))
    if booking is not None:
        booking.outcome_reason = refund_notes.refused(booking.outcome_reason, row.failure_code)
    emit(
        uow,
        "booking.deposit_refund_failed",
        row.booking_id,
        {"refund_id": row.refund_id, "amount": row.amount, "code": row.failure_code},
    )


def returned_by_the_bank(uow: UnitOfWork, booking_id: str) -> None:
    """A lost dispute's bank gave the customer the deposit whose refund was
    refused: the note no longer asks staff to give it back (they would pay
    twice). The caller booked it (``payments.dispute_books``)."""
    _retell(uow, booking_id, refund_notes.RETURNED)


def owed_again(uow: UnitOfWork, booking_id: str) -> None:
    """Stripe's won after that loss: the bank took the deposit back from the
    customer, so it is theirs to give back again."""
    _retell(uow, booking_id, refund_notes.OWED_AGAIN)


def _retell(uow: UnitOfWork, booking_id: str, sentence: str) -> None:
    booking = uow.session.get(Booking, (uow.merchant, booking_id))
    if booking is not None:
        booking.outcome_reason = refund_notes.retold(booking.outcome_reason, sentence)
        uow.session.flush()


def refunds_in_turn(uow: UnitOfWork, booking_id: str) -> None:
    """Phases 2 and 3 after a change that may have asked a refund, in this
    thread (a page, a command): commits first, the caller commits last."""
    for asked in _commit_asked(uow, booking_id):
        finish_refund(uow, asked.refund_id, call_processor(asked))


async def refunds_off_the_loop(request: Request, uow: UnitOfWork, booking_id: str) -> None:
    """The same for an API request: the processor in a worker thread."""
    from servefirst.api.context import run_sync

    for asked in await run_sync(request, _commit_asked, uow, booking_id):
        result = await run_in_threadpool(call_processor, asked)
        await run_sync(request, finish_refund, uow, asked.refund_id, result)


def _commit_asked(uow: UnitOfWork, booking_id: str) -> list[RefundAsked]:
    try:
        asked = refunds_asked(uow, booking_id)
    except GatewayUnavailable:
        asked = []  # the processor's keys are gone: sent once they are set again
    uow.commit()  # phase 1 ends
    return asked


def finish_pending_deposit_refunds(
    uow_for: Callable[[str | None], UnitOfWork],
    *,
    grace: timedelta,
    waiting: list[str] | None = None,
    keys_refused: list[str] | None = None,
) -> list[str]:
    """Every deposit refund left pending, looked for at the processor under
    its own key and sent again under it only if none was made. Returns the
    refunds finished. One through a processor the merchant has no keys for
    any more stays pending (its booking added to ``waiting``): only that
    processor holds the money; one whose key the processor refused (first
    used with other parameters) stays pending too (added to ``keys_refused``)."""
    waiting = [] if waiting is None else waiting
    keys_refused = [] if keys_refused is None else keys_refused
    with uow_for(None) as look:
        pending = deposit_refund_repository.bookings_left_pending(look, look.clock.now() - grace)
    finished: list[str] = []
    for merchant_id, booking_id in pending:
        with uow_for(merchant_id) as reader:
            try:
                asked = refunds_asked(reader, booking_id)
            except GatewayUnavailable:
                waiting.append(booking_id)
                continue
        for each in asked:  # no transaction open while the processor answers
            result = call_processor(each)
            with uow_for(merchant_id) as uow:
                finish_refund(uow, each.refund_id, result)
                uow.commit()
            if result.status != PENDING:
                finished.append(each.refund_id)
            elif result.failure_code == KEY_REUSED:
                keys_refused.append(each.refund_id)
    return finished
