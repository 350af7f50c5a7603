"""The online booking pages: ``/b/{slug}`` to book (and ``booking_manage``:
``/b/{slug}/bookings/{token}`` to see, move or cancel).

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

from servefirst.availability import codes
from servefirst.availability.online import check_time, newcomer_deposit
from servefirst.availability.service import begin_online
from servefirst.bookings.deposit_phases import book_in_turn
from servefirst.db.uow import UnitOfWork
from servefirst.kit import formats
from servefirst.kit.errors import NotFound, ServefirstError
from servefirst.runtime import Runtime
from servefirst.web import booking_once, words
from servefirst.web.booking_codes import (
    CodeState,
    checked_words,
    client_ip,
    codes_offered,
    missing_words,
    refused_words,
)
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
from servefirst.web.booking_shop import Shop, free_times, read_shop
from servefirst.web.booking_words import day_label, deposit_words
from servefirst.web.customer import PAGE_HEADERS
from servefirst.web.stripe_card import stripe_card_of_merchant
from servefirst.web.templating import templates

router = APIRouter(include_in_schema=False)

#: A form field; its length is checked in the handler (``words.within_field_max``)
#: so a long one gets the page back, never bare JSON.
FormText = Annotated[str, Form()]
T = TypeVar("T")


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


def _booked_page(slug: str) -> Callable[[str], str]:
    """Where a booking made on this page is shown, by its token (and where a
    second send of the same form goes: ``booking_once``)."""
    return lambda token: f"/b/{slug}/bookings/{token}?flash=booked"


def _not_found(request: Request) -> Response:
    return _render(request, "booking/not_found.html", {}, status=404)


def _shop(request: Request, slug: str) -> Shop | None:
    try:
        shop = read_shop(_runtime(request), slug)
    except NotFound:
        return None
    speak(request, shop.locale)
    # Prices and times in the business's own way, as on its tab pages.
    formats.set_place(shop.locale, shop.zone)
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
    returning: bool = False,
) -> Response:
    offer = shop.offer(entry.service)
    context: dict[str, Any] = {
        "shop": shop,
        "offer": offer,
        "form": entry.as_form(),
        "codes_offered": codes_offered(_runtime(request)),
        "returning": returning,
    }
    if error is not None:
        context["error"] = refusal_words(error)
        # The form's name for the field refused (the API's ``staff_id`` is ``staff``).
        context["error_field"] = {"staff_id": "staff"}.get(error.param or "", error.param)
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
    returning: FormText = "",
    code_id: FormText = "",
    attempt: FormText = "",
) -> Response:
    shop = _shop(request, slug)
    if shop is None:
        return _not_found(request)
    entry = Entry(service, staff, starts_at, name, email, phone)
    offer = shop.offer(service)
    if offer is None:
        return _start_page(request, shop, Entry())
    # "I have been here before" counts only where codes can be sent.
    returning_ok = bool(returning) and codes_offered(_runtime(request))
    proof = code_id if code_id and codes_offered(_runtime(request)) else ""
    try:
        typed = {"csrf_token": csrf_token, "card": card, "payment_method": payment_method}
        sent = {"confirm": confirm, "returning": returning, "code_id": code_id, "attempt": attempt}
        words.within_field_max({**entry.chosen(), **typed, **sent})
        check_guard(request, csrf_token)
        when, who, mail, tel = checked(entry)
        if not confirm:
            if returning_ok:
                return _ask_code(request, shop, entry, when)
            return _review(request, shop, entry, when)
        number = "".join(card.split()) or None
        rt = _runtime(request)
        once = booking_once.begin(
            rt, shop.merchant_id, attempt, service=offer.id, starts_at=starts_at, email=mail
        )
        if once.done_at is not None:  # sent again: the booking the first send made
            return RedirectResponse(once.done_at, status_code=303, headers=PAGE_HEADERS)
        page_of = _booked_page(slug)
        try:
            booked = _write(
                request,
                shop,
                lambda uow: book_in_turn(
                    uow,
                    begin_online(
                        uow,
                        service_id=offer.id,
                        starts_at=when,
                        staff_id=staff or None,
                        name=who,
                        email=mail,
                        phone=tel,
                        card=number,
                        payment_method=payment_method.strip() or None,
                        customer_id=codes.use_proof(uow, proof, mail) if proof else None,
                    ),
                    key=booking_once.key_of(once, page_of),
                ),
            )
        except ServefirstError:
            booking_once.refused(rt, once)
            raise
        where = page_of(booked.token)
    except ServefirstError as exc:
        if confirm and (exc.type == "card_error" or exc.code == "deposit_required"):
            state = None
            if proof:  # the booking was taken back: its confirmation may book again
                _write(request, shop, lambda uow: codes.give_back_proof(uow, proof))
                state = CodeState(proof, confirmed=True)
            when = datetime.fromisoformat(starts_at)
            return _review(request, shop, entry, when, error=exc, code=state)
        if exc.code in ("email_code_expired", "email_proof_mismatch"):
            state = CodeState(error=refused_words(exc.code))
            return _review(request, shop, entry, datetime.fromisoformat(starts_at), code=state)
        day = ""
        if entry.starts_at:
            try:
                day = (
                    datetime.fromisoformat(entry.starts_at).astimezone(shop.zone).date().isoformat()
                )
            except (ValueError, OverflowError):  # not a time, or off the calendar
                day = ""
        return _start_page(
            request, shop, entry, start=day, day=day, error=exc, returning=returning_ok
        )
    return RedirectResponse(where, status_code=303, headers=PAGE_HEADERS)


def _ask_code(request: Request, shop: Shop, entry: Entry, when: datetime) -> Response:
    """E-mail a code and show the review with a place to type it; the deposit
    stays a newcomer's until it is confirmed. A time that cannot be booked is
    refused first, before any e-mail goes."""
    offer = shop.offer(entry.service)
    assert offer is not None
    with _runtime(request).uow(shop.merchant_id, write=False) as uow:
        check_time(uow, service_id=offer.id, starts_at=when, staff_id=entry.staff or None)
    try:
        sent = _write(
            request,
            shop,
            lambda uow: codes.ask_code(
                uow, email=entry.email.strip(), client_ip=client_ip(request)
            ),
        )
    except ServefirstError as refused:
        state = CodeState(error=refused_words(refused.code))
        return _review(request, shop, entry, when, code=state, status=refused.status)
    return _review(request, shop, entry, when, code=CodeState(sent))


@router.post("/b/{slug}/code")
def confirm_code(
    request: Request,
    slug: str,
    csrf_token: FormText = "",
    service: FormText = "",
    staff: FormText = "",
    starts_at: FormText = "",
    name: FormText = "",
    email: FormText = "",
    phone: FormText = "",
    code_id: FormText = "",
    code: FormText = "",
) -> Response:
    """The code typed back: confirmed, the review shows the known customer's
    deposit; wrong, the tries left; every try is counted (committed)."""
    shop = _shop(request, slug)
    if shop is None:
        return _not_found(request)
    entry = Entry(service, staff, starts_at, name, email, phone)
    if shop.offer(service) is None or not codes_offered(_runtime(request)):
        return _start_page(request, shop, Entry())
    secret = _runtime(request).settings.secret_key or ""
    try:
        words.within_field_max(
            {**entry.chosen(), "csrf_token": csrf_token, "code_id": code_id, "code": code}
        )
        check_guard(request, csrf_token)
        when, *_ = checked(entry)
        if not code.strip():  # sent empty: no try is spent on nothing
            state = CodeState(code_id, error=missing_words())
            return _review(request, shop, entry, when, code=state, status=422)
        result = _write(
            request, shop, lambda uow: codes.confirm_code(uow, code_id, code[:20], secret=secret)
        )
    except ServefirstError as exc:
        return _start_page(request, shop, entry, error=exc, returning=True)
    if result.outcome is codes.CodeCheck.CONFIRMED:
        return _review(request, shop, entry, when, code=CodeState(code_id, confirmed=True))
    spent = result.outcome is codes.CodeCheck.SPENT
    state = CodeState("" if spent else code_id, error=checked_words(result))
    return _review(request, shop, entry, when, code=state, status=422)


def _review(
    request: Request,
    shop: Shop,
    entry: Entry,
    when: datetime,
    error: ServefirstError | None = None,
    code: CodeState | None = None,
    status: int | None = None,
) -> Response:
    """What the booking will ask, before it is made: nothing is written. The
    deposit is a newcomer's unless the e-mail was confirmed by a code."""
    offer = shop.offer(entry.service)
    assert offer is not None
    with _runtime(request).uow(shop.merchant_id) as uow:
        if error is None:
            check_time(uow, service_id=offer.id, starts_at=when, staff_id=entry.staff or None)
        if code is not None and code.confirmed:
            decision = codes.returning_deposit(
                uow,
                code_id=code.id,
                service_id=offer.id,
                starts_at=when,
                name=entry.name,
                email=entry.email,
            )
        else:
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
        "code": code,
        "attempt": booking_once.new_attempt(),
    }
    status = status or (error.status if error else 200)
    response = _render(request, "booking/review.html", context, status=status)
    if stripe is not None:
        response.headers["Content-Security-Policy"] = stripe.content_security_policy
    return response
