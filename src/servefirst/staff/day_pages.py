"""The bookings day view's pages: a column per staff member, and booking,
moving and cancelling from it. Each form comes back with what was typed and
the trouble in words when something is refused; nothing is half-saved."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.bookings import rescheduling
from servefirst.bookings import service as bookings
from servefirst.bookings.rules import cancelled_by_named
from servefirst.customers.service import search_customers
from servefirst.db.uow import UnitOfWork
from servefirst.kit import formats, i18n
from servefirst.kit.clock import as_utc
from servefirst.kit.errors import InvalidRequest, ServefirstError
from servefirst.kit.i18n import N_
from servefirst.kit.i18n import gettext as _
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import echoed
from servefirst.kit.typed_days import read_day
from servefirst.staff import service as staff
from servefirst.staff.day_view import day_view, local_moment
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.web import base_context, render, see_other, show

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]
DAY = "/staff/bookings/day"


#: What a redirect back to the day may announce (never text from the request).
NOTICES = {
    "booked": N_("Booking made."),
    "moved": N_("Booking moved."),
    "cancelled": N_("Booking cancelled."),
}


def _day_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    day: str | None,
    *,
    error: str | None = None,
    status: int = 200,
    **kept: Any,
) -> Response:
    view = day_view(uow, day)
    done = NOTICES.get(request.query_params.get("done", ""))
    context = base_context(
        me, request, view=view, error=error, merchant_name=view.merchant.name, **kept
    )
    context["notice"] = _(done) if done else None
    return render(request, "staff/bookings_day.html", context, status)


@router.get("/bookings")
def bookings_list(request: Request) -> Response:
    """The console lists bookings a day at a time: the bare address leads to
    today's, once signed in."""
    return show(request, lambda uow, me: see_other(DAY))


@router.get("/bookings/day")
def bookings_day(request: Request, date: str = "") -> Response:
    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        try:
            return _day_page(request, uow, me, date)
        except InvalidRequest as exc:
            return _day_page(request, uow, me, None, error=in_words(exc), status=exc.status)

    return show(request, build)


def _one_customer(uow: UnitOfWork, typed: str) -> str:
    """The one customer the counter means by what it typed (name, phone, e-mail)."""
    if not typed.strip():
        raise InvalidRequest(_("Type the customer's name or phone."), param="customer")
    found = search_customers(uow, typed, limit=2)
    if not found:
        raise InvalidRequest(
            _("No customer matches '%(text)s'. Add them first.") % {"text": echoed(typed)},
            param="customer",
        )
    if len(found) > 1:
        raise InvalidRequest(
            _("More than one customer matches '%(text)s': type more of the name or the phone.")
            % {"text": echoed(typed)},
            param="customer",
        )
    return found[0].customer_id


@router.post("/bookings/day")
def book_from_day(
    request: Request,
    customer: FormText = "",
    service_id: FormText = "",
    date: FormText = "",
    time: FormText = "",
    staff_id: FormText = "",
    card: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    typed = {
        "customer": customer,
        "service_id": service_id,
        "date": date,
        "time": time,
        "staff_id": staff_id,
    }

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        starts_at = local_moment(uow, date, time)
        if not service_id:
            raise InvalidRequest(_("Choose a service."), param="service_id")
        bookings.book_in_turn(
            uow,
            bookings.begin_booking(
                uow,
                customer_id=_one_customer(uow, customer),
                service_id=service_id,
                starts_at=starts_at,
                staff_id=staff_id or None,
                card=card.strip() or None,
            ),
        )
        return f"{DAY}?date={starts_at.date().isoformat()}&done=booked"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        # The day given back in ISO when it reads as one: a date picker shows no other form.
        kept = {**typed, "date": _safe_day(date) or date}
        return _day_page(
            request, uow, me, _safe_day(date), error=_said(uow, exc), status=exc.status, new=kept
        )

    return act_keeping(request, csrf_token, change, on_error)


@router.post("/bookings/{booking_id}/move")
def move_from_day(
    request: Request,
    booking_id: str,
    date: FormText = "",
    time: FormText = "",
    staff_id: FormText = "",
    back: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        starts_at = local_moment(uow, date, time)
        rescheduling.reschedule(uow, booking_id, starts_at=starts_at, staff_id=staff_id or None)
        return f"{DAY}?date={starts_at.date().isoformat()}&done=moved"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        moving = {
            "booking_id": booking_id,
            "date": _safe_day(date) or date,
            "time": time,
            "staff_id": staff_id,
        }
        return _day_page(
            request,
            uow,
            me,
            _safe_day(back),
            error=_said(uow, exc),
            status=exc.status,
            moving=moving,
        )

    return act_keeping(request, csrf_token, change, on_error)


@router.post("/bookings/{booking_id}/cancel-from-day")
def cancel_from_day(
    request: Request,
    booking_id: str,
    back: FormText = "",
    csrf_token: FormText = "",
    by: FormText = "",
) -> Response:
    """``by`` as on the console's home page (``booking_pages.cancel_booking``)."""

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        bookings.cancel(uow, booking_id, by=cancelled_by_named(by))
        return f"{DAY}?date={_safe_day(back) or ''}&done=cancelled"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        return _day_page(request, uow, me, _safe_day(back), error=in_words(exc), status=exc.status)

    return act_keeping(request, csrf_token, change, on_error)


def _said(uow: UnitOfWork, exc: ServefirstError) -> str:
    """A refusal in words; a time already taken names who, and when they are
    busy on the merchant's clock (the API's message names the staff id, in UTC)."""
    clash_id = exc.details.get("booking_id") if exc.code == "booking_overlaps" else None
    if clash_id:
        try:
            clash = bookings.get_booking(uow, str(clash_id))
            who = staff.get_member(uow, clash.staff_id or "").name
        except ServefirstError:
            return in_words(exc)
        until = as_utc(clash.ends_at) + timedelta(minutes=clash.buffer_minutes)
        return _(
            "%(name)s is busy from %(start)s to %(end)s; choose another time or another person."
        ) % {
            "name": who,
            "start": formats.format_time(as_utc(clash.starts_at)),
            "end": formats.format_time(until),
        }
    return in_words(exc)


def _safe_day(text: str) -> str | None:
    """A day typed back into a link only when it is a date (never other text)."""
    try:
        return read_day(text, i18n.current_language(), param="date").isoformat()
    except InvalidRequest:
        return None
