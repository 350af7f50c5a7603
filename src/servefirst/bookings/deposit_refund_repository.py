"""Where a booking's deposit refunds are read and held: the SQL of
``deposit_refunds`` (the phases, recovery, a refusal told afterwards), of
``processor_deposit_refunds`` (whose charge a refund made at the processor
gives back: a deposit's, a card hold's fee) and of the console's word on a
refund still pending. A module of its own beside ``repository`` (the
calendar and the named reads of bookings), as ``payments.refund_repository``
is beside the payments'."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from servefirst.bookings.models import Booking, CardHold, DepositRefund
from servefirst.db.uow import UnitOfWork

#: A deposit refund the processor has not answered yet (``deposit_refunds.PENDING``).
_PENDING = "pending"


def pending_of_booking(uow: UnitOfWork, booking_id: str) -> list[DepositRefund]:
    """The booking's deposit refunds still waiting for the processor's answer."""
    return list(
        uow.session.scalars(
            select(DepositRefund).where(
                DepositRefund.merchant_id == uow.merchant,
                DepositRefund.booking_id == booking_id,
                DepositRefund.status == _PENDING,
            )
        )
    )


def why_pending_of_bookings(uow: UnitOfWork, booking_ids: set[str]) -> dict[str, str]:
    """Why a deposit refund of each booking still pending will not finish at
    the processor's next answer (its ``failure_code``), by booking; a booking
    whose pending refunds simply wait is absent. One query."""
    if not booking_ids:
        return {}
    rows = uow.session.execute(
        select(DepositRefund.booking_id, DepositRefund.failure_code)
        .where(
            DepositRefund.merchant_id == uow.merchant,
            DepositRefund.booking_id.in_(sorted(booking_ids)),
            DepositRefund.status == _PENDING,
            DepositRefund.failure_code.is_not(None),
        )
        .order_by(DepositRefund.booking_id, DepositRefund.refund_id)
    )
    found: dict[str, str] = {}
    for booking_id, code in rows:
        if code:
            found.setdefault(booking_id, code)
    return found


def held(uow: UnitOfWork, refund_id: str) -> DepositRefund | None:
    """The refund read again, locked: an answer kept by another transaction
    before the lock is seen, not the session's older copy."""
    return uow.session.get(
        DepositRefund, (uow.merchant, refund_id), with_for_update=True, populate_existing=True
    )


def held_by_reference(uow: UnitOfWork, reference: str) -> DepositRefund | None:
    """The refund the processor knows as ``reference``, locked, read afresh."""
    return uow.session.scalars(
        select(DepositRefund)
        .where(
            DepositRefund.merchant_id == uow.merchant, DepositRefund.gateway_reference == reference
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def bookings_left_pending(uow: UnitOfWork, asked_before: datetime) -> list[tuple[str, str]]:
    """(merchant, booking) of every deposit refund asked before ``asked_before``
    and still pending, across merchants (recovery's unit of work has none)."""
    rows = uow.session.execute(
        select(DepositRefund.merchant_id, DepositRefund.booking_id)
        .where(DepositRefund.status == _PENDING, DepositRefund.asked_at < asked_before)
        .distinct()
    )
    return [(merchant_id, booking_id) for merchant_id, booking_id in rows]


def kept_by_reference(uow: UnitOfWork, reference: str) -> bool:
    """Whether a deposit refund the processor knows as ``reference`` is kept."""
    found = uow.session.scalar(
        select(DepositRefund.refund_id)
        .where(
            DepositRefund.merchant_id == uow.merchant, DepositRefund.gateway_reference == reference
        )
        .limit(1)
    )
    return found is not None


def refunds_are_a_booking_s(uow: UnitOfWork, charge_reference: str) -> bool:
    """Whether the processor's charge ``charge_reference`` took a booking's
    deposit (captured at booking, on its own) or a fee from its card hold:
    its refunds are the booking's."""
    deposit = uow.session.scalar(
        select(Booking.booking_id)
        .where(Booking.merchant_id == uow.merchant, Booking.deposit_reference == charge_reference)
        .limit(1)
    )
    return deposit is not None or fee_hold_of(uow, charge_reference) is not None


def booking_of_deposit_held(uow: UnitOfWork, charge_reference: str) -> Booking | None:
    """The booking whose captured deposit the charge took, locked (one change
    of a booking's deposit at a time) and read afresh."""
    return uow.session.scalars(
        select(Booking)
        .where(Booking.merchant_id == uow.merchant, Booking.deposit_reference == charge_reference)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def booking_held(uow: UnitOfWork, booking_id: str) -> Booking | None:
    """The booking, locked and read afresh."""
    return uow.session.get(
        Booking, (uow.merchant, booking_id), with_for_update=True, populate_existing=True
    )


def fee_hold_of(uow: UnitOfWork, charge_reference: str) -> CardHold | None:
    """The booking's card hold whose fee the charge took: captured from the
    hold (its own reference) or charged on the card kept on file once it
    lapsed (a charge of its own); None for any other charge. Read unlocked:
    a hold's fee reference is kept once, when its fee is taken."""
    return uow.session.scalars(
        select(CardHold)
        .where(
            CardHold.merchant_id == uow.merchant,
            CardHold.fee_reference == charge_reference,
            CardHold.booking_id.is_not(None),
        )
        .limit(1)
    ).first()


def hold_captured_by(uow: UnitOfWork, charge_reference: str) -> CardHold | None:
    """The card hold that is the charge itself, captured (for a fee, or to pay
    its tab); None for any other charge (a deposit, a payment, a fee charged
    on the card kept on file). Read unlocked: a capture is kept once."""
    return uow.session.scalars(
        select(CardHold)
        .where(
            CardHold.merchant_id == uow.merchant,
            CardHold.reference == charge_reference,
            CardHold.captured > 0,
        )
        .limit(1)
    ).first()


def replaced(uow: UnitOfWork, hold_id: str) -> bool:
    """Whether a later card hold replaces ``hold_id``: the fee it paid was a
    late move's, the rest of the deposit held anew for the booking."""
    found = uow.session.scalar(
        select(CardHold.hold_id)
        .where(CardHold.merchant_id == uow.merchant, CardHold.replaces_hold_id == hold_id)
        .limit(1)
    )
    return found is not None
