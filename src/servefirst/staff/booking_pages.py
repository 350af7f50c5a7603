"""The console's booking actions: check a customer in (their tab opens with
the booked service), cancel a booking, mark a no-show."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.bookings import service as bookings
from servefirst.bookings.rules import cancelled_by_named
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import ServefirstError
from servefirst.kit.refusals import in_words
from servefirst.staff import service as staff
from servefirst.staff.home_page import home_page
from servefirst.staff.web import act

if TYPE_CHECKING:
    from servefirst.bookings.models import Booking

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]


def _booking_action(
    request: Request,
    booking_id: str,
    csrf_token: str,
    do: Callable[[UnitOfWork, str], Booking],
    where: Callable[[Booking], str],
) -> Response:
    """One change on a booking, then on to ``where``; a refusal (an unknown or
    another merchant's booking, a booking already closed, a refused tab) is shown
    on the console with its status, and nothing is kept."""

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        return where(do(uow, booking_id))

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        return home_page(request, uow, me, error=in_words(exc), status=exc.status)

    return act(request, csrf_token, change, on_error)


@router.post("/bookings/{booking_id}/check-in")
def check_in(request: Request, booking_id: str, csrf_token: FormText = "") -> Response:
    """The customer arrived: their tab opens with the booked service (and the deposit)."""
    return _booking_action(
        request,
        booking_id,
        csrf_token,
        bookings.check_in,
        lambda booking: f"/staff/tabs/{booking.tab_id}?done=checked_in",
    )


@router.post("/bookings/{booking_id}/cancel")
def cancel_booking(
    request: Request,
    booking_id: str,
    csrf_token: FormText = "",
    by: FormText = "",
    back: FormText = "",
) -> Response:
    """``by``: ``customer`` (they asked: the policy's fee applies) or
    ``business`` (we call it off: no fee, the whole deposit back)."""

    def cancel(uow: UnitOfWork, booking_id: str) -> Booking:
        return bookings.cancel(uow, booking_id, by=cancelled_by_named(by))

    return _booking_action(
        request, booking_id, csrf_token, cancel, lambda _: _back_to(back, "cancelled")
    )


@router.post("/bookings/{booking_id}/no-show")
def no_show(
    request: Request, booking_id: str, csrf_token: FormText = "", back: FormText = ""
) -> Response:
    return _booking_action(
        request, booking_id, csrf_token, bookings.no_show, lambda _: _back_to(back, "no_show")
    )


def _back_to(back: str, done: str) -> str:
    """The page the booking's row was on: the Today page, else the counter
    (only these two, so the field can send nobody elsewhere)."""
    page = "/staff/today" if back == "today" else "/staff"
    return f"{page}?done={done}"
