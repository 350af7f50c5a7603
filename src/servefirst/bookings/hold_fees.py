"""A fee taken from a booking's card hold, in phases (DESIGN.md, "A payment in
phases"), so no card processor is called inside a database transaction.

A booking missed or cancelled late keeps a fee from its hold; a booking moved
late keeps one too, and the rest of its deposit follows it on a new hold.

1. ``ask_fee`` (in the transaction that ends or moves the booking): the fee
   is kept on the hold with the processor's idempotency key, with what is to
   be held anew afterwards; committed.
2. ``call_processor``: the hold captured for the fee (the processor lets the
   rest of it go), or the card kept on file charged when the hold lapsed;
   then, for a move, the rest held anew on the same card. No transaction open.
3. ``finish_fee``: the fee's journal entry and the hold captured, the new
   hold kept, and the booking's deposit settled (it ended) or reduced (it
   moved), with the booking's event.

A fee a crash left unanswered is finished by ``finish_pending_fees``
(``servefirst payments recover``): the processor is first asked what it did
under the fee's key, and only a call it never saw is made, under that same key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from fastapi import Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from servefirst.bookings.hold_releases import gateway_of_hold
from servefirst.bookings.holds import authorization_of, bump_totals, record_hold
from servefirst.bookings.models import Booking, CardHold
from servefirst.bookings.rules import BookingStatus, DepositStatus
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import CardDeclined, GatewayUnavailable, PaymentInProgress
from servefirst.kit.ids import new_id
from servefirst.kit.money import Money
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.payments.gateway_choice import gateway_named
from servefirst.payments.gateways import Authorization, CardGateway, Charge


@dataclass(frozen=True)
class FeeAsked:
    """A fee kept in phase 1, with what phase 2 needs."""

    hold_id: str
    booking_id: str
    fee: Money
    #: Held anew for the booking once the fee is taken (a move); 0: nothing.
    keeps: int
    key: str
    asked_at: datetime
    held: Authorization
    gateway: CardGateway

    @property
    def rest_key(self) -> str:
        return f"{self.key}_rest"


@dataclass(frozen=True)
class FeeOutcome:
    fee: Charge | CardDeclined
    rest: Authorization | CardDeclined | None = None


def ask_fee(uow: UnitOfWork, hold: CardHold, fee: int, *, keeps: int = 0) -> None:
    """Phase 1: keep ``fee`` asked of ``hold`` (the caller commits)."""
    if hold.fee_key is not None:
        raise PaymentInProgress(
            "A fee on this booking's card hold is waiting for the card processor's answer."
            " Try again in a moment."
        )
    hold.fee_to, hold.fee_keeps = fee, keeps
    hold.fee_key = new_id("fee")
    hold.fee_asked_at = uow.clock.now()
    uow.session.flush()


def fee_asked(uow: UnitOfWork, booking_id: str) -> FeeAsked | None:
    """The fee the booking's hold waits on, if any."""
    hold = uow.session.scalar(
        select(CardHold).where(
            CardHold.merchant_id == uow.merchant,
            CardHold.booking_id == booking_id,
            CardHold.fee_key.is_not(None),
        )
    )
    if hold is None:
        return None
    gateway = cast(
        CardGateway, gateway_named(uow.gateways, gateway_of_hold(hold), uow, held="hold")
    )
    return FeeAsked(
        hold.hold_id,
        booking_id,
        Money(hold.fee_to or 0, hold.currency),
        hold.fee_keeps or 0,
        hold.fee_key or "",
        hold.fee_asked_at or hold.created_at,
        authorization_of(hold),
        gateway,
    )


def call_processor(asked: FeeAsked, *, ask_first: bool = False) -> FeeOutcome:
    """Phase 2, no database. ``ask_first`` (recovery): what the processor did
    under the keys is asked for before anything is asked of it."""
    held, gateway = asked.held, asked.gateway
    fee: Charge | CardDeclined | None = gateway.find_charge(asked.key) if ask_first else None
    try:
        if fee is None and asked.asked_at < held.expires_at:
            fee = gateway.capture(held, asked.fee, idempotency_key=asked.key, now=asked.asked_at)
        elif fee is None:
            # The hold lapsed: the card kept on file is charged, as processors allow.
            fee = gateway.charge_saved(
                asked.fee,
                payment_method=held.payment_method,
                customer=held.customer,
                idempotency_key=asked.key,
            )
    except CardDeclined as declined:
        return FeeOutcome(declined)
    if not asked.keeps:
        return FeeOutcome(fee)
    rest: Authorization | CardDeclined | None = (
        gateway.find_hold(asked.rest_key) if ask_first else None
    )
    try:
        rest = rest or gateway.authorize(
            Money(asked.keeps, asked.fee.currency),
            payment_method=held.payment_method,
            customer=held.customer,
            idempotency_key=asked.rest_key,
            now=asked.asked_at,
        )
    except CardDeclined as declined:
        rest = declined
    return FeeOutcome(fee, rest)


def finish_fee(uow: UnitOfWork, asked: FeeAsked, outcome: FeeOutcome) -> None:
    """Phase 3; the caller commits. A fee already finished changes nothing."""
    hold = uow.session.get(
        CardHold, (uow.merchant, asked.hold_id), with_for_update=True, populate_existing=True
    )
    booking = uow.session.get(
        Booking, (uow.merchant, asked.booking_id), with_for_update=True, populate_existing=True
    )
    if hold is None or booking is None or hold.fee_key != asked.key:
        return
    hold.fee_to = hold.fee_keeps = hold.fee_key = hold.fee_asked_at = None
    now = uow.clock.now()
    hold.closed_at = now
    taken = 0
    if isinstance(outcome.fee, Charge):
        taken = asked.fee.amount
        hold.status, hold.captured = "captured", min(taken, hold.amount)
        # A charge on the card on file is a new one at the processor: its
        # reference is what a dispute of the fee names (``deposit_charged_by``).
        hold.fee_reference = outcome.fee.reference
        ledger.post(
            uow,
            EntryBuilder(
                EntryKind.DEPOSIT_FORFEIT,
                booking.currency,
                memo=f"{'late move' if asked.keeps else 'no-show'} fee {booking.booking_id}",
            )
            .debit(Account.CARD_CLEARING, asked.fee)
            .credit(Account.NO_SHOW_FEES, asked.fee)
            .build(),
        )
    else:
        hold.status = "expired"
        booking.outcome_reason = (
            f"{booking.outcome_reason or ''} The card hold had lapsed and the card was declined"
            f" ({outcome.fee.code}): nothing was charged."
        ).strip()[:200]
    if booking.status in (BookingStatus.CANCELLED.value, BookingStatus.NO_SHOW.value):
        _settled(uow, booking, taken)
    else:
        _moved(uow, booking, hold, taken, outcome.rest)
    uow.session.flush()


def _settled(uow: UnitOfWork, booking: Booking, taken: int) -> None:
    """The booking ended: the fee kept, the rest of the deposit given back."""
    refund = booking.deposit_amount - taken
    booking.deposit_fee, booking.deposit_refund = taken, refund
    booking.deposit_status = (DepositStatus.FORFEITED if taken else DepositStatus.REFUNDED).value
    bump_totals(uow, refunded=refund, forfeited=taken)
    uow.session.flush()
    if booking.status == BookingStatus.NO_SHOW.value:
        emit(uow, "booking.no_show", booking.booking_id, {"fee": taken})
    else:
        data = {"fee": taken, "by": booking.cancelled_by}
        emit(uow, "booking.cancelled", booking.booking_id, data)


def _moved(
    uow: UnitOfWork,
    booking: Booking,
    hold: CardHold,
    taken: int,
    rest: Authorization | CardDeclined | None,
) -> None:
    """The booking moved: what is left of the deposit follows it, on a new hold."""
    booking.deposit_amount -= taken
    booking.deposit_move_fee += taken
    bump_totals(uow, forfeited=taken)
    if isinstance(rest, Authorization):
        renewed = record_hold(uow, rest, booking_id=booking.booking_id, replaces=hold.hold_id)
        renewed.customer_reference = hold.customer_reference
    elif booking.deposit_amount == 0:
        booking.deposit_status = DepositStatus.FORFEITED.value
    else:
        code = rest.code if isinstance(rest, CardDeclined) else "card_declined"
        booking.deposit_status = DepositStatus.NONE.value
        booking.deposit_reason = (
            f"The rest of the deposit could not be held again on the card ({code})."
        )


def fee_in_turn(uow: UnitOfWork, booking_id: str) -> None:
    """Phases 2 and 3 after a change that may have asked a fee, in this thread
    (a page, a command): commits first, the caller commits last."""
    asked = _commit_asked(uow, booking_id)
    if asked is not None:
        finish_fee(uow, asked, call_processor(asked))


async def fee_off_the_loop(request: Request, uow: UnitOfWork, booking_id: str) -> None:
    """The same for an API request: the processor in a worker thread."""
    from servefirst.api.context import run_sync

    asked = await run_sync(request, _commit_asked, uow, booking_id)
    if asked is not None:
        outcome = await run_in_threadpool(call_processor, asked)
        await run_sync(request, finish_fee, uow, asked, outcome)


def _commit_asked(uow: UnitOfWork, booking_id: str) -> FeeAsked | None:
    asked = fee_asked(uow, booking_id)
    uow.commit()  # phase 1 ends
    return asked


def finish_pending_fees(
    uow_for: Callable[[str | None], UnitOfWork],
    *,
    grace: timedelta,
    waiting: list[str] | None = None,
) -> list[str]:
    """Every fee a crash left unanswered, asked of the processor first. A fee
    whose hold is with a processor the merchant has no keys for any more stays
    asked (its booking added to ``waiting``) until they are set again."""
    waiting = [] if waiting is None else waiting
    with uow_for(None) as look:
        cutoff = look.clock.now() - grace
        pending = list(
            look.session.execute(
                select(CardHold.merchant_id, CardHold.booking_id).where(
                    CardHold.fee_key.is_not(None), CardHold.fee_asked_at < cutoff
                )
            )
        )
    finished: list[str] = []
    for merchant_id, booking_id in pending:
        with uow_for(merchant_id) as reader:
            try:
                asked = fee_asked(reader, str(booking_id))
            except GatewayUnavailable:
                # Only the processor that holds the card can say what it did.
                waiting.append(str(booking_id))
                continue
        if asked is None:
            continue
        outcome = call_processor(asked, ask_first=True)
        with uow_for(merchant_id) as uow:
            finish_fee(uow, asked, outcome)
            uow.commit()
        finished.append(asked.hold_id)
    return finished
