"""A booking's deposit, taken in phases (DESIGN.md, "A payment in phases"),
so no card processor is called inside a database transaction.

1. ``ask_deposit`` (inside ``begin_booking``): the booking is kept with its deposit
   ``pending``, so its time is taken while the processor answers; committed.
   The booking's id is the processor's idempotency key.
2. ``call_processor``: with no transaction open, the deposit charged (the
   ``capture`` plan) or the card kept on file and held (``hold`` plans).
3. ``finish_deposit``: the charge's journal entry or the hold kept, and
   ``booking.created``; a decline takes the booking back whole (it never was:
   the client hears 402, as before phases).

The phases are run in turn by ``book_in_turn`` (a page, a command, the demo)
or by ``book_off_the_loop`` (an API request, the processor in a worker thread),
whichever booking began them (staff's ``bookings.begin_booking``, online
``availability.begin_online``).

A deposit a crash left pending is finished by ``finish_pending_deposits``
(``servefirst payments recover``): it asks the processor by the booking's id
what it did, and never charges or holds again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from servefirst.bookings.holds import record_hold
from servefirst.bookings.models import Booking
from servefirst.bookings.rules import DepositMode, DepositStatus, HoldPlan
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.idempotency.service import Claim, still_waiting
from servefirst.kit.errors import CardDeclined
from servefirst.kit.money import Money
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.payments.gateway_choice import gateway_named
from servefirst.payments.gateways import Authorization, CardGateway, Charge

#: Why a deposit the processor never took failed.
NOT_TAKEN = "not_charged"


@dataclass(frozen=True)
class DepositAsked:
    """A deposit kept pending (phase 1), with what phase 2 needs. The card
    number is only ever here, in memory, never in the database."""

    booking_id: str
    amount: Money
    plan: HoldPlan
    gateway: CardGateway
    asked_at: datetime
    card: str | None = None
    payment_method: str | None = None

    @property
    def key(self) -> str:
        return self.booking_id


Outcome = Charge | Authorization | CardDeclined | None


def call_processor(asked: DepositAsked) -> Outcome:
    """Phase 2, no database: a decline is an outcome; anything else (the
    processor unreachable) raises and leaves the deposit pending for recovery."""
    by_id = {"payment_method": asked.payment_method} if asked.payment_method else {}
    try:
        if asked.plan is HoldPlan.CAPTURE:
            charge = asked.gateway.charge(
                asked.amount, card=asked.card, idempotency_key=asked.key, **by_id
            )
            if charge.status == "pending":  # a deposit is taken at once or not at all
                return CardDeclined(
                    "The card asks its holder to confirm the payment; a deposit cannot wait"
                    " for it. Try another card.",
                    code="authentication_required",
                    param="payment_method",
                )
            return charge
        return asked.gateway.authorize(
            asked.amount, card=asked.card, idempotency_key=asked.key, now=asked.asked_at, **by_id
        )
    except CardDeclined as declined:
        return declined


def finish_deposit(uow: UnitOfWork, booking_id: str, outcome: Outcome) -> Booking | None:
    """Phase 3; the caller commits. Returns the booking, or None when it was
    taken back (the card said no, or the processor took nothing). A deposit
    already finished keeps its outcome."""
    booking = uow.session.scalar(
        select(Booking)
        .where(Booking.merchant_id == uow.merchant, Booking.booking_id == booking_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if booking is None:
        return None
    if booking.deposit_status != DepositStatus.PENDING.value:
        return booking
    if isinstance(outcome, Charge):
        money = Money(booking.deposit_amount, booking.currency)
        ledger.post(
            uow,
            EntryBuilder(EntryKind.DEPOSIT, booking.currency, memo=f"deposit {booking_id}")
            .debit(Account.CARD_CLEARING, money)
            .credit(Account.DEPOSITS_HELD, money)
            .build(),
        )
        if booking.deposit_mode == DepositMode.HOLD.value:
            booking.deposit_reason = (
                f"{booking.deposit_reason} Card ending {outcome.card_last4} charged now: the"
                " booking is too far ahead for a card hold."
            )[:200]
        booking.deposit_mode = DepositMode.CAPTURE.value
        booking.deposit_reference = outcome.reference  # what its refund names
    elif isinstance(outcome, Authorization):
        record_hold(uow, outcome, booking_id=booking_id)
    else:
        # Nothing taken: the booking is taken back, and its time is free again.
        uow.session.delete(booking)
        uow.session.flush()
        return None
    booking.deposit_status = DepositStatus.HELD.value
    uow.session.flush()
    emit(
        uow,
        "booking.created",
        booking_id,
        {"starts_at": booking.starts_at.isoformat(), "deposit": booking.deposit_amount},
    )
    return booking


@dataclass(frozen=True)
class FormKey:
    """A form's one-time key (``web.booking_once``), claimed: its answer is
    ``page_of`` the booking's token, where a second send goes."""

    claim: Claim
    page_of: Callable[[str], str]


def book_in_turn(
    uow: UnitOfWork, begun: tuple[Booking, DepositAsked | None], *, key: FormKey | None = None
) -> Booking:
    """Every phase of a booking in this thread (a page, a command, the demo),
    as ``book_off_the_loop`` runs them for an API request: ``begun`` is phase 1
    (``bookings.begin_booking``, ``availability.begin_online``), committed
    before the processor is asked; a decline commits the booking taken back
    and is raised. A form's ``key`` is answered in phase 1's transaction, so no
    crash leaves a booking kept and its key unanswered, and freed with a
    decline, so the corrected form may book with it."""
    booking, asked = begun
    if key is not None:
        uow.idempotency_keys.answer(key.claim, 303, key.page_of(booking.token))
    if asked is None:
        return booking
    uow.commit()  # phase 1: the booking kept, its deposit pending, its key answered
    outcome = call_processor(asked)
    kept = finish_deposit(uow, asked.booking_id, outcome)
    if kept is None:
        if key is not None:
            uow.idempotency_keys.forget(key.claim)
        uow.commit()
        raise declined_by(outcome)
    return kept


def declined_by(outcome: Outcome) -> CardDeclined:
    if isinstance(outcome, CardDeclined):
        return outcome
    return CardDeclined("The card was not charged.", code=NOT_TAKEN, param="card")


def finish_pending_deposits(
    uow_for: Callable[[str | None], UnitOfWork], *, grace: timedelta
) -> list[str]:
    """Every deposit a crash left pending, finished by asking the processor
    what it did under the booking's id (never asking it to do it again)."""
    with uow_for(None) as look:
        cutoff = look.clock.now() - grace
        pending = list(
            look.session.execute(
                select(Booking.merchant_id, Booking.booking_id, Booking.hold_plan).where(
                    Booking.deposit_status == DepositStatus.PENDING.value,
                    Booking.created_at < cutoff,
                )
            )
        )
    finished: list[str] = []
    for merchant_id, booking_id, plan in pending:
        with uow_for(merchant_id) as reader:
            gateway = deposit_gateway_of(reader, booking_id)
        outcome: Outcome = (
            gateway.find_charge(booking_id)
            if plan == HoldPlan.CAPTURE.value
            else gateway.find_hold(booking_id)
        )
        with uow_for(merchant_id) as uow:
            finish_deposit(uow, booking_id, outcome)
            uow.commit()
        finished.append(booking_id)
    return finished


def deposit_gateway_of(uow: UnitOfWork, booking_id: str) -> CardGateway:
    """The gateway a pending deposit was asked of: the merchant's own."""
    from servefirst.payments.accounts import uses_stripe

    name = "stripe" if uses_stripe(uow) else "sandbox"
    return gateway_named(uow.gateways, name, uow)  # type: ignore[return-value]


async def book_off_the_loop(
    request: Request, uow: UnitOfWork, begin: Callable[[], tuple[Booking, DepositAsked | None]]
) -> Booking:
    """Every phase for an API request: the database phases where the
    request's work runs, the processor in a worker thread between them.

    The request's ``Idempotency-Key`` is answered only with the last phase,
    so phase 1 keeps, beside the booking, that the key belongs to it (its
    recovery point): a retry after a crash between the phases lands on that
    booking (``kept_for_retry``), never booking or asking a deposit again. A
    decline takes the booking back and is the key's answer, as the contract
    has it for any request that ran (a corrected card needs a new key)."""
    from servefirst.api.context import run_sync

    claim: Claim | None = getattr(request.state, "claim", None)
    if claim is not None and claim.recovery_point is not None:
        kept = await run_sync(request, kept_for_retry, uow, claim.recovery_point)
        if kept is not None:
            return kept

    def phase_one() -> tuple[Booking, DepositAsked | None]:
        booking, asked = begin()
        if asked is not None and claim is not None:
            uow.idempotency_keys.recover_at(claim, booking.booking_id)
        return booking, asked

    booking, asked = await run_sync(request, phase_one)
    if asked is None:
        return booking
    await run_sync(request, uow.commit)
    outcome = await run_in_threadpool(call_processor, asked)
    done = await run_sync(request, finish_deposit, uow, asked.booking_id, outcome)
    if done is None:
        # Taken back; the decline is the key's answer (``api.commit``), as
        # for any request that ran: the same body gets it again, another 422.
        await run_sync(request, uow.commit)
        raise declined_by(outcome)
    return done


def kept_for_retry(uow: UnitOfWork, booking_id: str) -> Booking | None:
    """The booking a retried key's first request kept, as it stands now. While
    its deposit waits for the processor (the first request still running, or
    dead until ``servefirst payments recover`` finishes it), the retry is told
    to come back (409, the key's in-progress code, naming the booking). None
    when recovery took it back, the processor having taken nothing: the retry
    books afresh."""
    booking = uow.session.scalar(
        select(Booking).where(Booking.merchant_id == uow.merchant, Booking.booking_id == booking_id)
    )
    if booking is None:
        return None
    if booking.deposit_status == DepositStatus.PENDING.value:
        raise still_waiting("made this booking and asked its deposit", {"booking_id": booking_id})
    return booking
