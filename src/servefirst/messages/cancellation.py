"""What a booking's cancellation e-mail tells (kind ``booking_cancelled``):
who cancelled it, with whom it was, what became of the deposit as the
cancellation settled it, where to book again, and the ``.ics`` that takes the
entry out of the customer's calendar."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING, Any

from servefirst.bookings.calendar import cancelled_calendar
from servefirst.bookings.refund_answers import refund_answers_of
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import NotFound
from servefirst.staff import service as staff_members

if TYPE_CHECKING:
    from servefirst.bookings.models import Booking
    from servefirst.merchants.models import Merchant


def cancellation_values(
    uow: UnitOfWork, booking: Booking, merchant: Merchant, *, base: str
) -> dict[str, Any]:
    """The template's values. The money is what the cancellation recorded on
    the booking: the fee kept and what was given back, with what late moves
    kept before (together, the deposit taken; nothing when no deposit was
    held any more). What was given back is said as the card processor has
    answered its refund by now: on its way, or refused (still held)."""
    staff_name = ""
    # Named only when the customer (or staff) chose the person; one picked for
    # a booking "with anyone" was never the customer's word.
    if booking.staff_id and not booking.any_staff:
        with suppress(NotFound):  # gone since: the e-mail does not say with whom
            staff_name = staff_members.get_member(uow, booking.staff_id).name
    slug = getattr(merchant, "slug", None)
    return {
        "cancelled_by": booking.cancelled_by or "",
        "staff_name": staff_name,
        "currency": booking.currency,
        "deposit": booking.deposit_fee + booking.deposit_refund + booking.deposit_move_fee,
        "fee_kept": booking.deposit_fee,
        "move_fee": booking.deposit_move_fee,
        "deposit_back": booking.deposit_refund,
        "refund_state": _refund_state(uow, booking),
        # A hold on the card is let go (nothing was taken), not refunded.
        "on_hold": booking.deposit_mode == "hold",
        "book_again_url": f"{base}/b/{slug}" if slug else "",
    }


def _refund_state(uow: UnitOfWork, booking: Booking) -> str:
    """What the card processor made of the refund: ``refused`` (still held),
    ``pending`` (on its way), or empty (back, or nothing to give back)."""
    answers = refund_answers_of(uow, [booking])[booking.booking_id]
    if answers.refused:
        return "refused"
    return "pending" if answers.pending else ""


def cancellation_file(
    booking: Booking, *, service_name: str, business_name: str, uow: UnitOfWork, locale: str
) -> tuple[str, str, bytes]:
    """The attachment: same file name as the confirmation's, so a mail app
    that opens it offers to update the same entry."""
    ics = cancelled_calendar(
        booking,
        service_name=service_name,
        business_name=business_name,
        now_utc=uow.clock.now(),
        locale=locale,
    )
    return ("booking.ics", "text/calendar", ics)
