"""A booking as an iCalendar file (RFC 5545) the customer adds to their calendar,
in the merchant's language (it is attached to the confirmation e-mail), and the
file that takes it out again when the booking is cancelled (attached to the
cancellation e-mail).

Every file of a booking has the same UID, so a calendar updates one entry;
its SEQUENCE (``Booking.calendar_sequence``) grows with each move and with the
cancellation, so a calendar never lets an older file win over a newer one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event

from servefirst.bookings.models import Booking
from servefirst.bookings.refund_answers import RefundAnswers
from servefirst.bookings.rules import BookingStatus, DepositPolicy, DepositStatus
from servefirst.kit import i18n
from servefirst.kit.money import Money

#: The customer is reminded this long before the slot.
REMINDER = timedelta(hours=2)


def calendar_uid(booking: Booking) -> str:
    return f"{booking.booking_id}@servefirst"


def _deposit_line(booking: Booking, locale: str, refunds: RefundAnswers | None) -> str:
    if booking.deposit_status == DepositStatus.NONE.value or not booking.deposit_amount:
        return i18n.gettext("No deposit.")
    amount = Money(booking.deposit_amount, booking.currency).format(locale)
    if booking.deposit_status == DepositStatus.REFUNDED.value and refunds is not None:
        # Refunded is what the booking's end decided; the card has it only
        # once the processor refunds it.
        if refunds.refused:
            return i18n.gettext(
                "Deposit: %(amount)s, not refunded: the card processor refused; the business"
                " still holds it and owes it to you."
            ) % {"amount": amount}
        if refunds.pending:
            return i18n.gettext("Deposit: %(amount)s, on its way back to your card.") % {
                "amount": amount
            }
    words = {
        DepositStatus.APPLIED.value: i18n.gettext("Deposit: %(amount)s, taken off your bill."),
        DepositStatus.REFUNDED.value: i18n.gettext("Deposit: %(amount)s, refunded."),
        DepositStatus.FORFEITED.value: i18n.gettext("Deposit: %(amount)s, kept by the business."),
    }
    held = (
        i18n.gettext("Deposit: %(amount)s, held on your card.")
        if booking.deposit_mode == "hold"
        else i18n.gettext("Deposit: %(amount)s, paid.")
    )
    return words.get(booking.deposit_status, held) % {"amount": amount}


def booking_calendar(
    booking: Booking,
    *,
    service_name: str,
    business_name: str,
    policy: DepositPolicy,
    now_utc: datetime,
    locale: str = "en_GB",
    refunds: RefundAnswers | None = None,
) -> bytes:
    """``refunds``: what the card processor answered of the deposit given back
    (``refund_answers``), so a cancelled booking's file never says refunded of
    money still held."""
    with i18n.use_language(locale):
        return _calendar(booking, service_name, business_name, policy, now_utc, locale, refunds)


def _calendar(
    booking: Booking,
    service_name: str,
    business_name: str,
    policy: DepositPolicy,
    now_utc: datetime,
    locale: str,
    refunds: RefundAnswers | None,
) -> bytes:
    what = _what(service_name, business_name)
    cal, event = _entry(booking, "PUBLISH", booking.calendar_sequence or 0, now_utc)
    event.add("summary", what)
    cancelled = booking.status == BookingStatus.CANCELLED.value
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add(
        "description",
        "\n".join(
            [
                f"{what}.",
                _deposit_line(booking, locale, refunds),
                i18n.gettext(
                    "Cancel at least %(hours)s hours before the start to cancel free of"
                    " charge; later cancellations and missed bookings may cost a fee."
                )
                % {"hours": policy.cancel_window_hours},
            ]
        ),
    )
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", what)
    alarm.add("trigger", -REMINDER)
    event.add_component(alarm)
    cal.add_component(event)
    return bytes(cal.to_ical())


def cancelled_calendar(
    booking: Booking,
    *,
    service_name: str,
    business_name: str,
    now_utc: datetime,
    locale: str = "en_GB",
) -> bytes:
    """The file that takes the booking's entry out of the customer's calendar:
    a CANCEL of the same UID, its SEQUENCE above every confirmation's (RFC 5546)."""
    with i18n.use_language(locale):
        what = _what(service_name, business_name)
        # Cancelling raised it past the last confirmation's; at least 1 all the
        # same for a booking cancelled before the sequence was kept.
        sequence = max(booking.calendar_sequence or 0, 1)
        cal, event = _entry(booking, "CANCEL", sequence, now_utc)
        event.add("summary", i18n.gettext("Cancelled: %(what)s") % {"what": what})
        event.add("status", "CANCELLED")
        cal.add_component(event)
        return bytes(cal.to_ical())


def _what(service_name: str, business_name: str) -> str:
    return i18n.gettext("%(service)s at %(business)s") % {
        "service": service_name,
        "business": business_name,
    }


def _entry(
    booking: Booking, method: str, sequence: int, now_utc: datetime
) -> tuple[Calendar, Event]:
    """A calendar file's frame and the booking's entry in it, not added yet.
    The UID is stable: the file updates (or cancels) the same calendar entry."""
    cal = Calendar()
    cal.add("prodid", "-//servefirst//bookings//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", calendar_uid(booking))
    event.add("sequence", sequence)
    event.add("dtstamp", now_utc)
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    return cal, event
