"""A booking's deposit: the merchant's policy, the decision, taking it, and
settling it when the booking ends (applied at check-in by ``service``).

Every money movement is one balanced journal entry. A captured deposit sits in
``deposits_held`` (a liability: it is the customer's money until the booking
ends); a card hold moves no money at all until it is captured.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from servefirst.bookings.hold_releases import ask_release
from servefirst.bookings.holds import (
    active_hold,
    authorization_of,
    bump_totals,
    reauthorize,
    record_hold,
)
from servefirst.bookings.models import Booking, CardHold
from servefirst.bookings.rules import (
    DepositDecision,
    DepositMode,
    DepositPolicy,
    DepositStatus,
    HoldPlan,
    Settlement,
    plan_hold,
)
from servefirst.customers.service import trust_of
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import CardDeclined, PolicyRefused
from servefirst.kit.money import Money
from servefirst.ledger import service as ledger
from servefirst.ledger.rules import Account, EntryBuilder, EntryKind
from servefirst.merchants.service import get_merchant
from servefirst.risk.service import decide_by_risk

if TYPE_CHECKING:
    from servefirst.catalog.models import Service
    from servefirst.customers.models import Customer


def deposit_policy(uow: UnitOfWork, service_policy: dict[str, object] | None) -> DepositPolicy:
    """The merchant's policy, with the service's own overrides on top."""
    merchant = get_merchant(uow)
    base = dict((merchant.policy or {}).get("deposits") or {})
    base.update(service_policy or {})
    return DepositPolicy.from_dict(base)


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


def take_deposit(
    uow: UnitOfWork,
    booking: Booking,
    decision: DepositDecision,
    policy: DepositPolicy,
    card: str | None,
) -> None:
    if not card:
        raise PolicyRefused(
            f"{decision.reason} Give a card for the deposit of"
            f" {Money(decision.amount, booking.currency).format()}.",
            code="deposit_required",
            param="card",
            details={"amount": decision.amount, "reason": decision.reason},
            figures={"currency": booking.currency},
        )
    now = uow.clock.now()
    plan = HoldPlan.CAPTURE
    if decision.mode is DepositMode.HOLD:
        plan = plan_hold(starts_at=booking.starts_at, now=now, hold_days=policy.hold_days)
    booking.hold_plan = plan.value
    money = Money(decision.amount, booking.currency)
    gateway = uow.gateways.sandbox
    if plan is HoldPlan.CAPTURE:
        # Declines raise here, before anything is written.
        charge = gateway.inside_transaction().charge(
            money, card=card, idempotency_key=booking.booking_id
        )
        ledger.post(
            uow,
            EntryBuilder(EntryKind.DEPOSIT, booking.currency, memo=f"deposit {booking.booking_id}")
            .debit(Account.CARD_CLEARING, money)
            .credit(Account.DEPOSITS_HELD, money)
            .build(),
        )
        booking.deposit_mode = DepositMode.CAPTURE.value
        booking.deposit_reason = decision.reason + (
            f" Card ending {charge.card_last4} charged now: the booking is too far ahead for"
            " a card hold."
            if decision.mode is DepositMode.HOLD
            else ""
        )
    else:
        hold = gateway.authorize(money, card=card, idempotency_key=booking.booking_id, now=now)
        record_hold(uow, hold, booking_id=booking.booking_id)
    booking.deposit_status = DepositStatus.HELD.value


def settle_deposit(uow: UnitOfWork, booking: Booking, settlement: Settlement) -> None:
    """The booking ended (cancelled, missed): keep the fee, give back the rest,
    from the captured deposit or from the hold."""
    booking.closed_at = uow.clock.now()
    booking.outcome_reason = settlement.reason
    if booking.deposit_status != DepositStatus.HELD.value:
        uow.session.flush()
        return
    hold = active_hold(uow, booking_id=booking.booking_id)
    fee = settlement.fee
    if hold is not None:
        fee = _settle_hold(uow, booking, hold, settlement.fee)
    else:
        entry = EntryBuilder(
            EntryKind.DEPOSIT_FORFEIT if fee else EntryKind.DEPOSIT_REFUND,
            booking.currency,
            memo=f"deposit {booking.booking_id}: {settlement.outcome.value}",
        )
        entry.debit(Account.DEPOSITS_HELD, settlement.fee + settlement.refund)
        entry.credit(Account.NO_SHOW_FEES, settlement.fee)
        entry.credit(Account.CARD_CLEARING, settlement.refund)
        if not entry.empty:
            ledger.post(uow, entry.build())
    refund = booking.deposit_amount - fee
    booking.deposit_fee = fee
    booking.deposit_refund = refund
    booking.deposit_status = DepositStatus.FORFEITED.value if fee else DepositStatus.REFUNDED.value
    bump_totals(uow, refunded=refund, forfeited=fee)
    uow.session.flush()


def keep_move_fee(uow: UnitOfWork, booking: Booking, fee: int) -> None:
    """A move inside the cancellation window costs what a late cancellation
    would: ``fee`` is kept from the deposit and the rest follows the booking to
    its new time. From a captured deposit the fee leaves ``deposits_held``;
    with a card hold the fee is charged to the same card and the hold is
    replaced by one for what is left (a decline refuses the move whole)."""
    fee = min(fee, booking.deposit_amount)
    if fee <= 0 or booking.deposit_status != DepositStatus.HELD.value:
        return
    money = Money(fee, booking.currency)
    hold = active_hold(uow, booking_id=booking.booking_id)
    if hold is None:
        source = Account.DEPOSITS_HELD
    else:
        uow.gateways.sandbox.charge_saved(
            money,
            payment_method=hold.payment_method,
            idempotency_key=f"{hold.hold_id}_move_fee",
        )
        source = Account.CARD_CLEARING
        left = booking.deposit_amount - fee
        if left > 0:
            reauthorize(uow, hold, left, why="moved")
        else:
            hold.status = "released"
            hold.closed_at = uow.clock.now()
            ask_release(uow, hold)
    ledger.post(
        uow,
        EntryBuilder(
            EntryKind.DEPOSIT_FORFEIT, booking.currency, memo=f"late move {booking.booking_id}"
        )
        .debit(source, money)
        .credit(Account.NO_SHOW_FEES, money)
        .build(),
    )
    # What is left is the booking's deposit from now on (the fee kept is in
    # the ledger, the deposit totals and the booking's outcome reason): what
    # ends the booking later settles only what is left.
    booking.deposit_amount -= fee
    if booking.deposit_amount == 0:
        booking.deposit_status = DepositStatus.FORFEITED.value
    bump_totals(uow, forfeited=fee)


def _settle_hold(uow: UnitOfWork, booking: Booking, hold: CardHold, fee: int) -> int:
    """Take the fee from the hold and release the rest; returns what was taken."""
    now = uow.clock.now()
    # Still charged inside the transaction that ends the booking (the
    # sandbox's copy that keeps no record of its own); a release is not.
    gateway = uow.gateways.sandbox.inside_transaction()
    hold.closed_at = now
    if fee == 0:
        hold.status = "released"
        ask_release(uow, hold)
        return 0
    money = Money(fee, booking.currency)
    if now < hold.expires_at:
        gateway.capture(
            authorization_of(hold), money, idempotency_key=f"{hold.hold_id}_fee", now=now
        )
    else:
        # The hold lapsed: charge the saved card directly, as processors allow.
        try:
            gateway.charge_saved(
                money, payment_method=hold.payment_method, idempotency_key=f"{hold.hold_id}_fee"
            )
        except CardDeclined as declined:
            # The booking still closes; there is simply nothing to keep.
            hold.status = "expired"
            booking.outcome_reason = (
                f"{booking.outcome_reason} The card hold had lapsed and the card was declined"
                f" ({declined.code}): nothing was charged."
            )[:200]
            return 0
    hold.status = "captured"
    hold.captured = min(fee, hold.amount)
    ledger.post(
        uow,
        EntryBuilder(
            EntryKind.DEPOSIT_FORFEIT, booking.currency, memo=f"no-show fee {booking.booking_id}"
        )
        .debit(Account.CARD_CLEARING, money)
        .credit(Account.NO_SHOW_FEES, money)
        .build(),
    )
    return fee


def set_deposit_policy(uow: UnitOfWork, policy: dict[str, object]) -> DepositPolicy:
    """Replace the merchant's deposit policy (validated whole before it is kept)."""
    checked = DepositPolicy.from_dict(policy)
    merchant = get_merchant(uow, lock=True)
    # A new dict, so the JSON column notices the change.
    merchant.policy = {**(merchant.policy or {}), "deposits": checked.as_dict()}
    uow.session.flush()
    emit(uow, "merchant.deposit_policy_changed", uow.merchant, checked.as_dict())
    return checked


def merchant_deposit_policy(uow: UnitOfWork) -> DepositPolicy:
    return deposit_policy(uow, None)
