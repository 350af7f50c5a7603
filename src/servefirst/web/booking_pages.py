"""The online booking pages: ``/b/{slug}`` to book, ``/b/{slug}/bookings/{token}``
to see, move or cancel.

Plain forms that work without JavaScript, phone first: choose a service, a
person or anyone, a day of the 14 shown and a time; give a name and an e-mail;
see the deposit the booking asks and why (the staff route's own decision)
before confirming; land on the booking's page with its calendar file. Every
decision is the service layer's (``availability``, ``bookings``); a refusal
gives the form back with the entry kept and the reason in words.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servefirst.availability.online import check_time, move_online, newcomer_deposit
from servefirst.availability.service import book_online
from servefirst.bookings import service as bookings
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import NotFound, ServefirstError
from servefirst.runtime import Runtime
from servefirst.web import words
from servefirst.web.booking_form import (
    Entry,
    check_guard,
    checked,
    days_of,
    guard_of,
    keep_guard,
    refusal_words,
    speak,
    window,
)
from servefirst.web.booking_shop import Shop, free_times, read_booking, read_shop
from servefirst.web.booking_words import day_label, deposit_words
from servefirst.web.customer import PAGE_HEADERS
from servefirst.web.stripe_card import stripe_card_of_merchant
from servefirst.web.templating import templates

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form(max_length=4000)]
T = TypeVar("T")

#: The only messages a redirect can ask the manage page to show.
FLASHES = ("booked", "moved", "cancelled")


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _write(request: Request, shop: Shop, work: Callable[[UnitOfWork], T]) -> T:
    """One use case in its own transaction; a refusal rolls it back."""
    with _runtime(request).uow(shop.merchant_id) as uow:
        result = work(uow)
        uow.commit()
        return result


def _render(request: Request, name: str, context: dict[str, Any], *, status: int = 200) -> Response:
    guard = guard_of(request)
    response = templates.TemplateResponse(
        request,
        name,
        {**context, "csrf_token": guard, "day_label": day_label},
        status_code=status,
        headers=PAGE_HEADERS,
    )
    return keep_guard(request, response, guard)


def _not_found(request: Request) -> Response:
    return _render(request, "booking/not_found.html", {}, status=404)


def _shop(request: Request, slug: str) -> Shop | None:
    try:
        shop = read_shop(_runtime(request), slug)
    except NotFound:
        return None
    speak(request, shop.locale)
    return shop


def _days(shop: Shop, slots: list[Any]) -> dict[date, list[Any]]:
    by_day: dict[date, list[Any]] = {}
    for slot in slots:
        by_day.setdefault(slot.starts_at.astimezone(shop.zone).date(), []).append(slot)
    return by_day


def _start_page(
    request: Request,
    shop: Shop,
    entry: Entry,
    *,
    start: str = "",
    day: str = "",
    error: ServefirstError | None = None,
) -> Response:
    offer = shop.offer(entry.service)
    context: dict[str, Any] = {"shop": shop, "offer": offer, "form": entry.as_form()}
    if error is not None:
        context["error"] = refusal_words(error)
        context["error_field"] = error.param
        context["next_slots"] = [
            (datetime.fromisoformat(s["starts_at"]).astimezone(shop.zone), s["staff_id"])
            for s in error.details.get("next_slots", [])
        ]
    if offer is not None:
        staff = entry.staff if entry.staff in {s for s, _ in offer.staff} else ""
        first = window(start, shop.today)
        last, before, after = days_of(first)
        by_day = _days(
            shop, free_times(_runtime(request), shop, offer.id, staff or None, first, last)
        )
        chosen = window(day, first) if day else next(iter(by_day), first)
        context.update(
            staff=staff,
            first=first,
            days=[(d, by_day.get(d, [])) for d in _each(first, last)],
            chosen_day=chosen,
            times=by_day.get(chosen, []),
            before=before if before >= shop.today else None,
            after=after,
        )
    status = 200 if error is None else error.status
    return _render(request, "booking/start.html", context, status=status)


def _each(first: date, last: date) -> list[date]:
    return [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]


@router.get("/b/{slug}", response_class=HTMLResponse)
def start(
    request: Request, slug: str, service: str = "", staff: str = "", start: str = "", day: str = ""
) -> Response:
    shop = _shop(request, slug)
    if shop is None:
        return _not_found(request)
    return _start_page(request, shop, Entry(service=service, staff=staff), start=start, day=day)


@router.post("/b/{slug}/book")
def book(
    request: Request,
    slug: str,
    csrf_token: FormText = "",
    service: FormText = "",
    staff: FormText = "",
    starts_at: FormText = "",
    name: FormText = "",
    email: FormText = "",
    phone: FormText = "",
    card: FormText = "",
    payment_method: FormText = "",
    confirm: FormText = "",
) -> Response:
    shop = _shop(request, slug)
    if shop is None:
        return _not_found(request)
    entry = Entry(service, staff, starts_at, name, email, phone)
    offer = shop.offer(service)
    if offer is None:
        return _start_page(request, shop, Entry())
    try:
        check_guard(request, csrf_token)
        when, who, mail, tel = checked(entry)
        if not confirm:
            return _review(request, shop, entry, when)
        number = "".join(card.split()) or None
        booked = _write(
            request,
            shop,
            lambda uow: book_online(
                uow,
                service_id=offer.id,
                starts_at=when,
                staff_id=staff or None,
                name=who,
                email=mail,
                phone=tel,
                card=number,
                payment_method=payment_method.strip() or None,
            ),
        )
    except ServefirstError as exc:
        if confirm and (exc.type == "card_error" or exc.code == "deposit_required"):
            return _review(request, shop, entry, datetime.fromisoformat(starts_at), error=exc)
        day = ""
        if entry.starts_at:
            try:
                day = (
                    datetime.fromisoformat(entry.starts_at).astimezone(shop.zone).date().isoformat()
                )
            except ValueError:
                day = ""
        return _start_page(request, shop, entry, start=day, day=day, error=exc)
    return RedirectResponse(
        f"/b/{slug}/bookings/{booked.token}?flash=booked", status_code=303, headers=PAGE_HEADERS
    )


def _review(
    request: Request,
    shop: Shop,
    entry: Entry,
    when: datetime,
    error: ServefirstError | None = None,
) -> Response:
    """What the booking will ask, before it is made: nothing is written."""
    offer = shop.offer(entry.service)
    assert offer is not None
    with _runtime(request).uow(shop.merchant_id) as uow:
        if error is None:
            check_time(uow, service_id=offer.id, starts_at=when, staff_id=entry.staff or None)
        decision = newcomer_deposit(
            uow, service_id=offer.id, starts_at=when, name=entry.name, email=entry.email
        )
        uow.rollback()
    # A merchant on Stripe: the card goes from the browser to Stripe (Stripe.js).
    stripe = stripe_card_of_merchant(request, shop.merchant_id) if decision.required else None
    test_mode = stripe is None and words.is_test_mode(_runtime(request).gateways.sandbox.name)
    context = {
        "shop": shop,
        "offer": offer,
        "form": entry.as_form(),
        "when": when.astimezone(shop.zone),
        "staff_name": dict(offer.staff).get(entry.staff, ""),
        "deposit": decision,
        "deposit_why": deposit_words(decision.reason),
        "test_card": words.SANDBOX_CARD if test_mode else None,
        "error": refusal_words(error) if error else None,
        "stripe": stripe,
    }
    response = _render(
        request, "booking/review.html", context, status=error.status if error else 200
    )
    if stripe is not None:
        response.headers["Content-Security-Policy"] = stripe.content_security_policy
    return response


def _manage_page(
    request: Request,
    shop: Shop,
    token: str,
    *,
    start: str = "",
    day: str = "",
    cancelling: bool = False,
    error: ServefirstError | None = None,
    flash: str = "",
) -> Response:
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
        slots = free_times(_runtime(request), shop, held.service_id, held.staff_id, first, last)
        by_day = _days(shop, slots)
        chosen = window(day, first) if day else next(iter(by_day), first)
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
        check_guard(request, csrf_token)
        when, *_ = checked(Entry(starts_at=starts_at, name="-", email="a@b.c"))
        _write(request, shop, lambda uow: move_online(uow, token, when))
    except NotFound:
        return _not_found(request)
    except ServefirstError as exc:
        return _manage_page(request, shop, token, error=exc)
    return _back(slug, token, "moved")


@router.post("/b/{slug}/bookings/{token}/cancel")
def cancel(request: Request, slug: str, token: str, csrf_token: FormText = "") -> Response:
    shop = _shop(request, slug)
    if shop is None:
        return _not_found(request)

    def cancelled(uow: UnitOfWork) -> None:
        booking = bookings.booking_for_token(uow, token)
        bookings.cancel(uow, booking.booking_id)

    try:
        check_guard(request, csrf_token)
        _write(request, shop, cancelled)
    except NotFound:
        return _not_found(request)
    except ServefirstError as exc:
        return _manage_page(request, shop, token, cancelling=True, error=exc)
    return _back(slug, token, "cancelled")
