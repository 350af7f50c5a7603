"""The staff console ``/staff``: what staff do at the counter, as plain HTML forms.

Each route translates a form into one call of a feature service (tabs,
payments, guarantee, bookings, customers) and shows the result; no business rule lives
here. Every change is a POST with the session's CSRF token and answers with a
redirect (so a reload never repeats it); a refusal is shown on the same page
with its 4xx status. htmx only makes the customer search answer as one types.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from servefirst.bookings import service as bookings
from servefirst.bookings.models import Booking
from servefirst.customers.schemas import CustomerIn
from servefirst.customers.service import create_customer
from servefirst.db.uow import UnitOfWork
from servefirst.guarantee import service as guarantee
from servefirst.guarantee.schemas import ResolveIn
from servefirst.kit.errors import InvalidRequest, RateLimited, ServefirstError
from servefirst.payments.service import Method, pay_tab
from servefirst.staff import console
from servefirst.staff import service as staff
from servefirst.staff.web import (
    NOTICES,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    CsrfRejected,
    SignInRequired,
    act,
    base_context,
    clear_session_cookie,
    client_ip,
    problem,
    refused,
    render,
    runtime_of,
    see_other,
    set_session_cookie,
    set_sign_in_cookie,
    show,
    sign_in_token,
)
from servefirst.staff.web import console as signed_in
from servefirst.tabs import service as tabs
from servefirst.web.forms import format_amount, parse_amount_or_zero

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]

#: What a booking action's redirect may announce, on top of the console's notices.
BOOKING_NOTICES = {
    "checked_in": "Checked in: the booked service is on the tab.",
    "cancelled": "Booking cancelled.",
    "no_show": "Marked as a no-show.",
}


def _context(me: staff.SignedIn, request: Request, **extra: Any) -> dict[str, Any]:
    """``base_context`` that also knows the booking notices."""
    context = base_context(me, request, **extra)
    done = request.query_params.get("done", "")
    if context.get("notice") is None and done not in NOTICES:
        context["notice"] = BOOKING_NOTICES.get(done)
    return context


def _invalid(exc: ValidationError) -> InvalidRequest:
    """A schema's complaint about a form field, in the words staff read."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ())) or "form"
    return InvalidRequest(f"Check {field}: {first.get('msg', 'invalid value')}.", param=field)


def _quantity(text: str) -> int:
    try:
        return int(text.strip() or "1")
    except ValueError:
        raise InvalidRequest("Quantity must be a whole number.", param="quantity") from None


# --- signing in and out ---------------------------------------------------


def _sign_in_page(
    request: Request,
    *,
    status: int = 200,
    error: str | None = None,
    email: str = "",
    choices: tuple[tuple[str, str], ...] = (),
) -> Response:
    token = sign_in_token(request)
    response = render(
        request,
        "staff/sign_in.html",
        {"csrf_token": token, "error": error, "email": email, "choices": choices},
        status=status,
    )
    set_sign_in_cookie(response, token)
    return response


@router.get("")
def console_home(request: Request, q: str = "") -> Response:
    """The console when signed in; the sign-in form otherwise."""
    try:
        with signed_in(request, write=False) as (uow, me):
            return _home_page(request, uow, me, q)
    except SignInRequired:
        return _sign_in_page(request)


def _home_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    q: str = "",
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    home = console.home(uow, q)
    context = _context(me, request, home=home, error=error, merchant_name=home.merchant.name)
    return render(request, "staff/home.html", context, status)


@router.post("/sign-in")
def sign_in(
    request: Request,
    email: FormText = "",
    password: FormText = "",
    csrf_token: FormText = "",
    merchant_id: FormText = "",
) -> Response:
    if not staff.csrf_ok(request.cookies.get(SIGN_IN_COOKIE), csrf_token):
        return refused(request, CsrfRejected())
    rt = runtime_of(request)
    with rt.uow(write=True) as uow:
        try:
            result = staff.sign_in(
                uow,
                email=email,
                password=password,
                client_ip=client_ip(request),
                merchant_id=merchant_id or None,
            )
        except RateLimited as exc:
            return _sign_in_page(request, status=429, error=exc.message, email=email)
        if result.account is None:
            uow.commit()  # the failure counts towards the rate limit
            if result.choices:
                return _sign_in_page(request, email=email, choices=result.choices)
            return _sign_in_page(
                request, status=401, error="That e-mail and password do not match.", email=email
            )
        token, _ = staff.start_session(uow, result.account)
        uow.commit()
    response = see_other("/staff?done=signed_in")
    set_session_cookie(response, token)
    response.delete_cookie(SIGN_IN_COOKIE, path="/staff")
    return response


@router.post("/sign-out")
def sign_out(request: Request, csrf_token: FormText = "") -> Response:
    try:
        with signed_in(request, write=True, csrf=csrf_token) as (uow, _me):
            staff.end_session(uow, request.cookies.get(SESSION_COOKIE))
            uow.commit()
    except SignInRequired:
        pass  # already signed out: the result is the same
    except CsrfRejected as exc:
        return refused(request, exc)
    response = see_other("/staff")
    clear_session_cookie(response)
    return response


# --- customers --------------------------------------------------------------


@router.get("/customers")
def find_customers(request: Request, q: str = "") -> Response:
    """Search by name, e-mail or phone; htmx asks for the results list alone."""

    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        if request.headers.get("HX-Request"):
            matches = console.customer_matches(uow, q)
            return render(request, "staff/_customers.html", {"customers": matches, "query": q})
        home = console.home(uow, q)
        return render(
            request,
            "staff/home.html",
            base_context(me, request, home=home, merchant_name=home.merchant.name),
        )

    return show(request, build)


@router.post("/customers")
def add_customer(
    request: Request,
    name: FormText = "",
    email: FormText = "",
    phone: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        try:
            body = CustomerIn.model_validate(
                {"name": name, "email": email.strip() or None, "phone": phone.strip() or None}
            )
        except ValidationError as exc:
            raise _invalid(exc) from None
        customer = create_customer(uow, name=body.name, email=body.email, phone=body.phone)
        return f"/staff/customers/{customer.customer_id}?done=customer"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        home = console.home(uow, name)
        context = base_context(
            me, request, home=home, error=exc.message, merchant_name=home.merchant.name
        )
        context["new_customer"] = {"name": name, "email": email, "phone": phone}
        return render(request, "staff/home.html", context, status=exc.status)

    return act(request, csrf_token, change, on_error)


def _customer_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    customer_id: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    view = console.customer_view(uow, customer_id)
    context = base_context(me, request, view=view, error=error, merchant_name=view.merchant.name)
    return render(request, "staff/customer.html", context, status)


@router.get("/customers/{customer_id}")
def customer_page(request: Request, customer_id: str) -> Response:
    return show(request, lambda uow, me: _customer_page(request, uow, me, customer_id))


@router.post("/customers/{customer_id}/tabs")
def open_tab(request: Request, customer_id: str, csrf_token: FormText = "") -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        tab = tabs.open_tab(uow, customer_id=customer_id)
        return f"/staff/tabs/{tab.tab_id}?done=opened"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        try:
            return _customer_page(
                request, uow, me, customer_id, error=exc.message, status=exc.status
            )
        except ServefirstError as missing:
            return problem(request, me, missing)

    return act(request, csrf_token, change, on_error)


# --- tabs -------------------------------------------------------------------


@router.get("/find")
def find_tab(request: Request, code: str = "") -> Response:
    """The short code a customer reads out at the counter."""

    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        try:
            tab = tabs.find_by_short_code(uow, code)
        except ServefirstError as exc:
            home = console.home(uow)
            context = base_context(
                me,
                request,
                home=home,
                error=exc.message,
                code=code,
                merchant_name=home.merchant.name,
            )
            return render(request, "staff/home.html", context, status=exc.status)
        return see_other(f"/staff/tabs/{tab.tab_id}")

    return show(request, build)


def _tab_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    tab_id: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    view = console.tab_view(uow, tab_id, runtime_of(request).settings.public_url)
    context = _context(
        me,
        request,
        view=view,
        error=error,
        merchant_name=view.merchant.name,
        due_text=format_amount(view.bill.due, view.tab.currency),
    )
    return render(request, "staff/tab.html", context, status)


def _tab_action(
    request: Request,
    tab_id: str,
    csrf_token: str,
    do: Callable[[UnitOfWork, staff.SignedIn], object],
    done: str,
) -> Response:
    """One change on a tab, then back to the tab (or the tab with the refusal)."""

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        do(uow, me)
        return f"/staff/tabs/{tab_id}?done={done}"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        try:
            return _tab_page(request, uow, me, tab_id, error=exc.message, status=exc.status)
        except ServefirstError as missing:  # the tab itself is unknown
            return problem(request, me, missing)

    return act(request, csrf_token, change, on_error)


@router.get("/tabs/{tab_id}")
def tab_page(request: Request, tab_id: str) -> Response:
    return show(request, lambda uow, me: _tab_page(request, uow, me, tab_id))


@router.post("/tabs/{tab_id}/lines")
def add_line(
    request: Request,
    tab_id: str,
    service_id: FormText = "",
    quantity: FormText = "1",
    csrf_token: FormText = "",
) -> Response:
    def do(uow: UnitOfWork, me: staff.SignedIn) -> None:
        if not service_id:
            raise InvalidRequest("Choose what was served.", param="service_id")
        tabs.add_line(
            uow,
            tab_id,
            service_id=service_id,
            quantity=_quantity(quantity),
            staff_id=me.account.staff_id,
        )

    return _tab_action(request, tab_id, csrf_token, do, "line")


@router.post("/tabs/{tab_id}/serve")
def serve(request: Request, tab_id: str, csrf_token: FormText = "") -> Response:
    return _tab_action(
        request, tab_id, csrf_token, lambda uow, me: tabs.serve(uow, tab_id), "served"
    )


@router.post("/tabs/{tab_id}/void")
def void(request: Request, tab_id: str, csrf_token: FormText = "") -> Response:
    return _tab_action(
        request, tab_id, csrf_token, lambda uow, me: tabs.void(uow, tab_id), "voided"
    )


@router.post("/tabs/{tab_id}/cash")
def record_cash(
    request: Request,
    tab_id: str,
    amount: FormText = "",
    tip: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    """Cash handed over at the counter: the amount towards the bill, plus any tip."""

    def do(uow: UnitOfWork, me: staff.SignedIn) -> None:
        currency = tabs.get_tab(uow, tab_id).currency
        pay_tab(
            uow,
            tab_id,
            method=Method.CASH.value,
            amount=parse_amount_or_zero(amount, currency),
            tip=parse_amount_or_zero(tip, currency, param="tip"),
        )

    return _tab_action(request, tab_id, csrf_token, do, "paid")


@router.post("/tabs/{tab_id}/concerns/{concern_id}")
def resolve_concern(
    request: Request,
    tab_id: str,
    concern_id: str,
    decision: FormText = "",
    amount: FormText = "",
    reason: FormText = "",
    unfounded: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    def do(uow: UnitOfWork, me: staff.SignedIn) -> None:
        currency = tabs.get_tab(uow, tab_id).currency
        try:
            body = ResolveIn.model_validate(
                {
                    "decision": decision,
                    "amount": parse_amount_or_zero(amount, currency) if amount.strip() else None,
                    "reason": reason.strip() or None,
                    "unfounded": unfounded == "on",
                }
            )
        except ValidationError as exc:
            raise _invalid(exc) from None
        guarantee.resolve(
            uow,
            tab_id,
            concern_id,
            decision=body.decision,
            amount=body.amount,
            reason=body.reason,
            unfounded=body.unfounded,
        )

    done = "approved" if decision == "approve" else "rejected"
    return _tab_action(request, tab_id, csrf_token, do, done)


# --- bookings -----------------------------------------------------------------


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
        return _home_page(request, uow, me, error=exc.message, status=exc.status)

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
def cancel_booking(request: Request, booking_id: str, csrf_token: FormText = "") -> Response:
    return _booking_action(
        request, booking_id, csrf_token, bookings.cancel, lambda _: "/staff?done=cancelled"
    )


@router.post("/bookings/{booking_id}/no-show")
def no_show(request: Request, booking_id: str, csrf_token: FormText = "") -> Response:
    return _booking_action(
        request, booking_id, csrf_token, bookings.no_show, lambda _: "/staff?done=no_show"
    )
