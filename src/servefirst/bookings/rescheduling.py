"""Moving a booking to another time (and perhaps another person).

The booking keeps its id, its customer's link and calendar file, and its
deposit or card hold, which simply follow it: the hold is renewed against the
new start like any other (``renew_holds``). A move is a cancellation of the
old slot as far as the policy goes: inside the cancellation window the
late-cancellation fee is kept from the deposit, and the customer's history
counts a late cancellation, exactly as ``cancel`` would. A move to the time
(and person) the booking already has changes nothing and costs nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from servefirst.bookings.deposit_policy import deposit_policy
from servefirst.bookings.deposits import keep_move_fee
from servefirst.bookings.hold_fees import fee_in_turn
from servefirst.bookings.models import Booking
from servefirst.bookings.rules import (
    BookingAction,
    Outcome,
    held_for_booking,
    plan_hold,
    settle_cancellation,
    transition,
)
from servefirst.bookings.service import ensure_staff_free, get_booking
from servefirst.catalog.service import get_service
from servefirst.customers.service import get_customer, record_history
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.clock import as_utc
from servefirst.kit.errors import InvalidRequest
from servefirst.staff.departures import ensure_active
from servefirst.staff.service import get_member


def reschedule(
    uow: UnitOfWork, booking_id: str, *, starts_at: datetime, staff_id: str | None = None
) -> Booking:
    """Move the booking to ``starts_at`` (and to ``staff_id`` when given), a
    late-move fee from the card hold taken in turn (``hold_fees``)."""
    begin_reschedule(uow, booking_id, starts_at=starts_at, staff_id=staff_id)
    fee_in_turn(uow, booking_id)
    return get_booking(uow, booking_id)


def begin_reschedule(
    uow: UnitOfWork, booking_id: str, *, starts_at: datetime, staff_id: str | None = None
) -> Booking:
    """Phase 1 of a move: the booking moved, a fee from a card hold only asked
    (the processor is asked once this is committed)."""
    now = uow.clock.now()
    starts_at = as_utc(starts_at)
    if starts_at <= now:
        raise InvalidRequest("A booking moves to a time in the future.", param="starts_at")
    booking = get_booking(uow, booking_id, lock=True)
    booking.status = transition(booking.status, BookingAction.RESCHEDULE).value
    if staff_id not in (None, booking.staff_id):
        # Someone new is named: a member of this business (404 ``staff_id``
        # otherwise). The person a booking already has is not asked again, so
        # a booking kept from before names were checked still moves.
        get_member(uow, staff_id)
    if as_utc(booking.starts_at) == starts_at and staff_id in (None, booking.staff_id):
        # Already there (the move sent twice, or after the back button): no move,
        # so no second late fee and no late cancellation counted again.
        return booking
    # Lock order as booking and cancelling keep it: the booking, then its
    # customer (a late move counts in their history), then the staff member's slot.
    get_customer(uow, booking.customer_id, lock=True)
    old_start = booking.starts_at
    length = booking.ends_at - booking.starts_at
    who = staff_id or booking.staff_id
    if who:
        ensure_staff_free(
            uow,
            who,
            starts_at,
            starts_at + length,
            buffer=timedelta(minutes=booking.buffer_minutes),
            besides=booking.booking_id,
        )
        ensure_active(uow, who)  # read under the calendar's lock, as leaving takes it
    service = get_service(uow, booking.service_id)
    policy = deposit_policy(uow, service.deposit_policy)
    held = held_for_booking(booking.deposit_status, booking.deposit_amount, booking.deposit_refund)
    settlement = settle_cancellation(
        policy, price=booking.price, deposit=held, starts_at=old_start, now=now
    )
    if settlement.outcome is Outcome.FORFEIT:
        keep_move_fee(uow, booking, settlement.fee)
        record_history(uow, booking.customer_id, "late_cancellations")
        booking.outcome_reason = (
            f"Moved less than {policy.cancel_window_hours} h ahead: the late-cancellation"
            f" fee ({settlement.fee} in minor units) was kept from the deposit."
        )
    booking.starts_at = starts_at
    booking.ends_at = starts_at + length
    booking.staff_id = who or None
    # The confirmation sent for the new time outranks the one for the old.
    booking.calendar_sequence = (booking.calendar_sequence or 0) + 1
    if booking.hold_plan is not None:
        booking.hold_plan = plan_hold(
            starts_at=starts_at, now=now, hold_days=policy.hold_days
        ).value
    uow.session.flush()
    emit(
        uow,
        "booking.rescheduled",
        booking.booking_id,
        {
            "from": old_start.isoformat(),
            "starts_at": starts_at.isoformat(),
            "staff_id": booking.staff_id,
            "fee": settlement.fee if settlement.outcome is Outcome.FORFEIT else 0,
        },
    )
    return booking
