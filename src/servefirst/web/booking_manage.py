"""The booking's own page, ``/b/{slug}/bookings/{token}``: see it, move it
(to any time its staff member is free, or anyone's for a booking made for
anyone) or cancel it, with the fee, if any, shown before confirming.

The page helpers (rendering, the form guard, one transaction per change) are
the booking pages' own (``booking_pages``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servefirst.availability.online import move_online
from servefirst.bookings import service as bookings
from servefirst.bookings.rules import CancelledBy
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import NotFound, ServefirstError
from servefirst.web import words
from servefirst.web.booking_form import Entry, check_guard, checked, days_of, refusal_words, window
from servefirst.web.booking_pages import (
    _days,
    _each,
    _not_found,
    _render,
    _runtime,
    _shop,
    _write,
)
from servefirst.web.booking_shop import Shop, free_times, read_booking
from servefirst.web.booking_words import deposit_words
from servefirst.web.customer import PAGE_HEADERS

router = APIRouter(include_in_schema=False)

#: A form field; its length is checked in the handler, as the booking form's.
FormText = Annotated[str, Form()]

#: The only messages a redirect can ask the manage page to show.
FLASHES = ("booked", "moved", "cancelled")


def _manage_page(
    request: Request,
    shop: Shop,
    token: str,
    *,
    start: str = "",
    day: str = "",
    cancelling: bool = False,
    error: ServefirstError | None = None,
    refused_in: str = "",
    typed_start: str = "",
    flash: str = "",
) -> Response:
    """``refused_in`` names the form a refusal came from ("move", "cancel"):
    it is said there, beside what was chosen (``typed_start`` kept checked)."""
    try:
        held = read_booking(_runtime(request), shop, token)
    except NotFound:
        return _not_found(request)
    context: dict[str, Any] = {
        "shop": shop,
        "held": held,
        "starts": held.starts_at.astimezone(shop.zone),
        "flash": flash if flash in FLASHES else "",
        "cancelling": cancelling,
        "deposit_why": deposit_words(held.deposit_reason),
        "error": refusal_words(error) if error else None,
        "refused_in": refused_in if error else "",
        "typed_start": typed_start,
        "next_slots": [],
    }
    if error is not None:
        context["next_slots"] = [
            datetime.fromisoformat(s["starts_at"]).astimezone(shop.zone)
            for s in error.details.get("next_slots", [])
        ]
    if held.status == "confirmed" and held.staff_id:
        first = window(start, shop.today)
        last, before, after = days_of(first)
        # A booking made for anyone is offered everyone's free times.
        who = None if held.any_staff else held.staff_id
        slots = free_times(
            _runtime(request), shop, held.service_id, who, first, last, held.booking_id
        )
        by_day = _days(shop, slots)
        chosen = window(day, first) if day else next(iter(by_day), first)
        # A refused time: its own day is shown again (the time checked, if still free).
        typed_day = _day_of(typed_start, shop)
        if not day and typed_day is not None and first <= typed_day <= last:
            chosen = typed_day
        context.update(
            first=first,
            days=[(d, by_day.get(d, [])) for d in _each(first, last)],
            chosen_day=chosen,
            times=by_day.get(chosen, []),
            before=before if before >= shop.today else None,
            after=after,
        )
    status = 200 if error is None else error.status
    return _render(request, "booking/manage.html", context, status=status)


def _day_of(typed: str, shop: Shop) -> date | None:
    """The day of a time sent by the move form, in the shop's zone, if it is one."""
    try:
        moment = datetime.fromisoformat(typed)
        return moment.astimezone(shop.zone).date() if moment.tzinfo else None
    except (ValueError, OverflowError):
        return None


@router.get("/b/{slug}/bookings/{token}", response_class=HTMLResponse)
def manage(
    request: Request,
    slug: str,
    token: str,
    flash: str = "",
    start: str = "",
    day: str = "",
    cancel: str = "",
) -> Response:
    shop = _shop(request, slug)
    if shop is None:
        return _not_found(request)
    return _manage_page(
        request, shop, token, start=start, day=day, cancelling=bool(cancel), flash=flash
    )


def _back(slug: str, token: str, flash: str) -> Response:
    return RedirectResponse(
        f"/b/{slug}/bookings/{token}?flash={flash}", status_code=303, headers=PAGE_HEADERS
    )


@router.post("/b/{slug}/bookings/{token}/move")
def move(
    request: Request, slug: str, token: str, csrf_token: FormText = "", starts_at: FormText = ""
) -> Response:
    shop = _shop(request, slug)
    if shop is None:
        return _not_found(request)
    try:
        words.within_field_max({"csrf_token": csrf_token, "starts_at": starts_at})
        check_guard(request, csrf_token)
        when, *_ = checked(Entry(starts_at=starts_at, name="-", email="a@b.c"))
        _write(request, shop, lambda uow: move_online(uow, token, when))
    except NotFound:
        return _not_found(request)
    except ServefirstError as exc:
        return _manage_page(
            request, shop, token, error=exc, refused_in="move", typed_start=starts_at
        )
    return _back(slug, token, "moved")


@router.post("/b/{slug}/bookings/{token}/cancel")
def cancel(request: Request, slug: str, token: str, csrf_token: FormText = "") -> Response:
    shop = _shop(request, slug)
    if shop is None:
        return _not_found(request)

    def cancelled(uow: UnitOfWork) -> None:
        booking = bookings.booking_for_token(uow, token)
        bookings.cancel(uow, booking.booking_id, by=CancelledBy.CUSTOMER)

    try:
        words.within_field_max({"csrf_token": csrf_token})
        check_guard(request, csrf_token)
        _write(request, shop, cancelled)
    except NotFound:
        return _not_found(request)
    except ServefirstError as exc:
        return _manage_page(request, shop, token, cancelling=True, error=exc, refused_in="cancel")
    return _back(slug, token, "cancelled")
