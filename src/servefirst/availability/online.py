"""What the booking pages ask before acting: the deposit a newcomer would
leave, what moving or cancelling costs now, and moving a booking online.

The deposit shown before booking is the staff route's own decision, made for
a customer created in a transaction that is then rolled back: the page shows
exactly what booking will ask, and nothing is written until it is confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from servefirst.availability import repository
from servefirst.availability.rules import check_bookable
from servefirst.availability.service import _ask, _booked, _next_free, _staff_for
from servefirst.bookings import service as bookings
from servefirst.bookings.rescheduling import reschedule
from servefirst.bookings.rules import DepositStatus, Outcome, settle_cancellation
from servefirst.catalog.service import get_service
from servefirst.customers.service import create_customer
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import Conflict, InvalidRequest, ServefirstError

if TYPE_CHECKING:
    from servefirst.bookings.models import Booking
    from servefirst.bookings.rules import DepositDecision


@dataclass(frozen=True)
class ChangeCost:
    """What cancelling or moving the booking now keeps from its deposit."""

    fee: int
    cancel_window_hours: int
    late: bool


def newcomer_deposit(
    uow: UnitOfWork, *, service_id: str, starts_at: datetime, name: str, email: str
) -> DepositDecision:
    """The deposit booking would ask of this (new) customer. Writes a customer
    to ask the same question the booking will: the caller rolls it back."""
    service = get_service(uow, service_id)
    customer = create_customer(uow, name=name, email=email)
    policy = bookings.deposit_policy(uow, service.deposit_policy)
    return bookings.deposit_decision(uow, policy, customer, service, starts_at)


def check_time(
    uow: UnitOfWork, *, service_id: str, starts_at: datetime, staff_id: str | None
) -> None:
    """Refuse, as booking would, a time nobody asked for can take: in the past,
    too soon, outside hours or taken (with the next free times)."""
    ask = _ask(uow, service_id)
    staff = _staff_for(uow, service_id, staff_id)
    booked = _booked(uow, sorted(staff), starts_at, starts_at + ask.duration)
    refusal: ServefirstError | None = None
    for candidate in sorted(staff):
        try:
            check_bookable(starts_at, ask, staff[candidate], booked[candidate], candidate)
        except ServefirstError as refused:
            if refusal is None or refused.status > refusal.status:
                refusal = refused
            continue
        return
    if refusal is None:
        raise InvalidRequest(
            "Nobody performs this service online yet.",
            code="service_not_performed",
            param="service_id",
        )
    if isinstance(refusal, Conflict):
        refusal.details["next_slots"] = _next_free(uow, ask, staff, starts_at)
    raise refusal


def change_cost(uow: UnitOfWork, booking: Booking) -> ChangeCost:
    """The fee cancelling or moving costs if done now (the policy's window)."""
    service = get_service(uow, booking.service_id)
    policy = bookings.deposit_policy(uow, service.deposit_policy)
    held = booking.deposit_amount if booking.deposit_status == DepositStatus.HELD.value else 0
    settled = settle_cancellation(
        policy,
        price=booking.price,
        deposit=held,
        starts_at=booking.starts_at,
        now=uow.clock.now(),
    )
    late = booking.starts_at - uow.clock.now() < timedelta(hours=policy.cancel_window_hours)
    fee = settled.fee if settled.outcome is Outcome.FORFEIT else 0
    return ChangeCost(fee, policy.cancel_window_hours, late)


def move_online(uow: UnitOfWork, token: str, starts_at: datetime) -> Booking:
    """Move a booking to a time its staff member is offered for, as the
    customer: the same checks as booking online, then ``reschedule``."""
    booking = bookings.booking_for_token(uow, token)
    ask = _ask(uow, booking.service_id)
    staff_id = booking.staff_id
    hours = repository.hours_of(uow, staff_id) if staff_id else None
    if staff_id is None or hours is None:
        raise InvalidRequest(
            "This booking cannot be moved online; please call the business.",
            code="move_not_online",
        )
    bookings.lock_staff_calendar(uow, staff_id)
    end = starts_at + ask.duration
    taken = _booked(uow, [staff_id], starts_at, end)[staff_id]
    # The booking's own time does not stand in its own way.
    others = [b for b in taken if (b.start, b.end) != (booking.starts_at, booking.ends_at)]
    try:
        check_bookable(starts_at, ask, hours, others, staff_id)
    except Conflict as refused:
        refused.details["next_slots"] = _next_free(uow, ask, {staff_id: hours}, starts_at)
        raise
    return reschedule(uow, booking.booking_id, starts_at=starts_at, staff_id=staff_id)
