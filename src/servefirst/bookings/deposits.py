"""A booking's deposit: the decision (the merchant's policy is in
``deposit_policy``), taking it, and settling it when the booking ends (applied
at check-in by ``service``).

Every money movement is one balanced journal entry. A captured deposit sits in
``deposits_held`` (a liability: it is the customer's money until the booking
ends); a card hold moves no money at all until it is captured.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from servefirst.bookings.deposit_phases import DepositAsked
from servefirst.bookings.deposit_refunds import ask_refund
from servefirst.bookings.hold_fees import ask_fee
from servefirst.bookings.hold_releases import ask_release
from servefirst.bookings.holds import active_hold, bump_totals
from servefirst.bookings.models import Booking
from servefirst.bookings.rules import (
    DepositDecision,
    DepositMode,
    DepositPolicy,
    DepositStatus,
    HoldPlan,
    Settlement,
    held_for_booking,
    plan_hold,
)
from servefirst.customers.service import trust_of
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import PolicyRefused
from servefirst.kit.money import Money
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.payments.gateway_choice import card_gateway
from servefirst.payments.phases import ensure_card_for
from servefirst.risk.service import decide_by_risk

if TYPE_CHECKING:
    from servefirst.catalog.models import Service
    from servefirst.customers.models import Customer


def deposit_decision(
    uow: UnitOfWork,
    policy: DepositPolicy,
    customer: Customer,
    service: Service,
    starts_at: datetime,
) -> DepositDecision:
    """Whether booking ``service`` asks ``customer`` for a deposit, how much
    and why: the tiers the policies always ask, then the no-show model's
    expected loss (``risk``)."""
    return decide_by_risk(
        uow,
        policy,
        customer=customer,
        tier=trust_of(uow, customer).tier,
        price=service.price,
        starts_at=starts_at,
    )


def ask_deposit(
    uow: UnitOfWork,
    booking: Booking,
    decision: DepositDecision,
    policy: DepositPolicy,
    *,
    card: str | None,
    payment_method: str | None = None,
) -> DepositAsked:
    """Phase 1 of taking the deposit (``deposit_phases``): the booking's
    deposit is kept ``pending``; the processor is asked once this is committed."""
    if not card and not payment_method:
        raise PolicyRefused(
            f"{decision.reason} Give a card for the deposit of"
            f" {Money(decision.amount, booking.currency).format()}.",
            code="deposit_required",
            param="card",
            details={"amount": decision.amount, "reason": decision.reason},
            figures={"currency": booking.currency},
        )
    gateway = card_gateway(uow)
    # A card number for the sandbox, a PaymentMethod for Stripe: refused (422)
    # before anything is kept.
    ensure_card_for(gateway, card=card, payment_method=payment_method)
    now = uow.clock.now()
    plan = HoldPlan.CAPTURE
    if decision.mode is DepositMode.HOLD:
        plan = plan_hold(starts_at=booking.starts_at, now=now, hold_days=policy.hold_days)
    booking.hold_plan = plan.value
    booking.deposit_status = DepositStatus.PENDING.value
    return DepositAsked(
        booking.booking_id,
        Money(decision.amount, booking.currency),
        plan,
        gateway,
        now,
        card=card,
        payment_method=payment_method,
    )


def settle_deposit(uow: UnitOfWork, booking: Booking, settlement: Settlement) -> bool:
    """The booking ended (cancelled, missed): keep the fee, give back the rest,
    from the captured deposit or from the hold. True when a fee is asked of
    the card hold (``hold_fees``): the processor is asked once this is
    committed, and the booking's deposit is settled then. What goes back of a
    captured deposit is asked of its processor too (``deposit_refunds``)."""
    booking.closed_at = uow.clock.now()
    booking.outcome_reason = settlement.reason
    if booking.deposit_status != DepositStatus.HELD.value:
        uow.session.flush()
        return False
    hold = active_hold(uow, booking_id=booking.booking_id)
    fee = settlement.fee
    if hold is not None:
        if fee > 0:
            ask_fee(uow, hold, fee)
            return True
        hold.status = "released"
        hold.closed_at = uow.clock.now()
        ask_release(uow, hold)  # the processor is told after the commit
    else:
        if settlement.fee:
            kept = Money(settlement.fee, booking.currency)
            entry = EntryBuilder(
                EntryKind.DEPOSIT_FORFEIT,
                booking.currency,
                memo=f"deposit {booking.booking_id}: {settlement.outcome.value}",
            )
            ledger.post(
                uow,
                entry.debit(Account.DEPOSITS_HELD, kept).credit(Account.NO_SHOW_FEES, kept).build(),
            )
        if settlement.refund:
            # The rest goes back to the card through the processor that took
            # it, once this is committed; its journal entry once it answers.
            ask_refund(uow, booking, settlement.refund)
    # A part refunded in the processor's dashboard before is counted already.
    refund = booking.deposit_amount - booking.deposit_refund - fee
    booking.deposit_fee = fee
    booking.deposit_refund += refund
    booking.deposit_status = DepositStatus.FORFEITED.value if fee else DepositStatus.REFUNDED.value
    bump_totals(uow, refunded=refund, forfeited=fee)
    uow.session.flush()
    return False


def keep_move_fee(uow: UnitOfWork, booking: Booking, fee: int) -> None:
    """A move inside the cancellation window costs what a late cancellation
    would: ``fee`` is kept from the deposit and the rest follows the booking to
    its new time. From a captured deposit the fee leaves ``deposits_held``;
    with a card hold the fee is asked of the hold (``hold_fees``: captured
    once this is committed) and the rest is held anew on the same card."""
    held = held_for_booking(booking.deposit_status, booking.deposit_amount, booking.deposit_refund)
    fee = min(fee, held)
    if fee <= 0:
        return
    hold = active_hold(uow, booking_id=booking.booking_id)
    if hold is not None:
        ask_fee(uow, hold, fee, keeps=booking.deposit_amount - fee)
        return
    money = Money(fee, booking.currency)
    ledger.post(
        uow,
        EntryBuilder(
            EntryKind.DEPOSIT_FORFEIT, booking.currency, memo=f"late move {booking.booking_id}"
        )
        .debit(Account.DEPOSITS_HELD, money)
        .credit(Account.NO_SHOW_FEES, money)
        .build(),
    )
    # What is left is the booking's deposit from now on (the fee kept is in
    # the ledger, the deposit totals and the booking's outcome reason): what
    # ends the booking later settles only what is left.
    booking.deposit_amount -= fee
    # ...and the booking keeps what the move kept: the charge that took the
    # deposit still holds it, so its dispute can take it back (``booking_disputes``).
    booking.deposit_move_fee += fee
    if booking.deposit_amount == booking.deposit_refund:
        booking.deposit_status = DepositStatus.FORFEITED.value
    bump_totals(uow, forfeited=fee)
