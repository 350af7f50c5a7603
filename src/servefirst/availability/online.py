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
from servefirst.availability.hours import WorkingHours
from servefirst.availability.service import _ask, _booked, _staff_for, first_free, performers
from servefirst.bookings import service as bookings
from servefirst.bookings.rescheduling import reschedule
from servefirst.bookings.rules import Outcome, held_for_booking, settle_cancellation
from servefirst.catalog.service import get_service
from servefirst.customers.service import create_customer
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import InvalidRequest, ServefirstError

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
    first_free(uow, ask, _staff_for(uow, service_id, staff_id), starts_at, lock=False)


def change_cost(uow: UnitOfWork, booking: Booking) -> ChangeCost:
    """The fee cancelling or moving costs if done now (the policy's window)."""
    service = get_service(uow, booking.service_id)
    policy = bookings.deposit_policy(uow, service.deposit_policy)
    held = held_for_booking(booking.deposit_status, booking.deposit_amount, booking.deposit_refund)
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


def _movers(uow: UnitOfWork, booking: Booking) -> dict[str, WorkingHours]:
    """Who a booking may move to: anyone who performs its service when it was
    booked for anyone, else its own staff member."""
    if booking.any_staff:
        return performers(uow, booking.service_id)
    hours = repository.hours_of(uow, booking.staff_id) if booking.staff_id else None
    return {booking.staff_id: hours} if booking.staff_id and hours else {}


def move_online(uow: UnitOfWork, token: str, starts_at: datetime) -> Booking:
    """Move a booking to an offered time, as the customer: the same checks as
    booking online, then ``reschedule``. A booking made for anyone keeps its
    staff member when they are free then, else goes to whoever is."""
    booking = bookings.booking_for_token(uow, token)
    ask = _ask(uow, booking.service_id)
    staff = _movers(uow, booking)
    if not staff:
        raise InvalidRequest(
            "This booking cannot be moved online; please call the business.",
            code="move_not_online",
        )
    chosen = first_free(
        uow, ask, staff, starts_at, besides=booking.booking_id, prefer=booking.staff_id
    )
    return reschedule(uow, booking.booking_id, starts_at=starts_at, staff_id=chosen)


def who_moves(uow: UnitOfWork, booking_id: str, starts_at: datetime) -> str | None:
    """For staff moving a booking without naming anyone: a booking made for
    anyone goes to whoever performs its service and is free then (its own
    staff member first); None keeps today's rule (the same person)."""
    booking = bookings.get_booking(uow, booking_id)
    if not booking.any_staff or booking.staff_id is None:
        return None
    ask = _ask(uow, booking.service_id)
    # Staff may move a booking outside the hours online booking offers, so
    # only whether it is taken counts; another person must be working then.
    length = booking.ends_at - booking.starts_at
    buffer = timedelta(minutes=booking.buffer_minutes)
    taken = _booked(
        uow, [booking.staff_id], starts_at, starts_at + length, besides=booking.booking_id
    )
    if not any(
        b.start < starts_at + length + buffer and starts_at < b.end + b.buffer
        for b in taken[booking.staff_id]
    ):
        return None
    others = {s: h for s, h in _movers(uow, booking).items() if s != booking.staff_id}
    try:
        return first_free(uow, ask, others, starts_at, besides=booking.booking_id, any_start=True)
    except ServefirstError:
        return None  # nobody else either: the move is refused for its own person
