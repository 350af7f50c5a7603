"""A booking as an iCalendar file (RFC 5545) the customer adds to their calendar."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event

from servefirst.bookings.models import Booking
from servefirst.bookings.rules import BookingStatus, DepositPolicy, DepositStatus
from servefirst.kit.money import Money

#: The customer is reminded this long before the slot.
REMINDER = timedelta(hours=2)


def _deposit_line(booking: Booking) -> str:
    if booking.deposit_status == DepositStatus.NONE.value or not booking.deposit_amount:
        return "No deposit."
    amount = Money(booking.deposit_amount, booking.currency)
    how = "held on your card" if booking.deposit_mode == "hold" else "paid"
    return f"Deposit: {amount.format()} {how} ({booking.deposit_status})."


def booking_calendar(
    booking: Booking,
    *,
    service_name: str,
    business_name: str,
    policy: DepositPolicy,
    now_utc: datetime,
) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//servefirst//bookings//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    # A stable UID: re-importing the file updates the same calendar entry.
    event.add("uid", f"{booking.booking_id}@servefirst")
    event.add("dtstamp", now_utc)
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("summary", f"{service_name} at {business_name}")
    cancelled = booking.status == BookingStatus.CANCELLED.value
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add(
        "description",
        "\n".join(
            [
                f"{service_name} at {business_name}.",
                _deposit_line(booking),
                f"Cancel at least {policy.cancel_window_hours} hours before the start to cancel"
                " free of charge; later cancellations and missed bookings may cost a fee.",
            ]
        ),
    )
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{service_name} at {business_name}")
    alarm.add("trigger", -REMINDER)
    event.add_component(alarm)
    cal.add_component(event)
    return bytes(cal.to_ical())
