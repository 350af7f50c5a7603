"""Signing in to the console and out of it; ``GET /staff`` shows the console
when signed in, the sign-in form otherwise."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.kit.errors import InvalidRequest
from servefirst.kit.i18n import N_, ngettext
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import refuse_nul
from servefirst.staff import service as staff
from servefirst.staff import signing_in
from servefirst.staff.home_page import home_page
from servefirst.staff.rules import SignInThrottled
from servefirst.staff.web import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    CsrfRejected,
    SignInRequired,
    clear_session_cookie,
    client_ip,
    page_language,
    refused,
    render,
    runtime_of,
    see_other,
    set_device_cookie,
    set_session_cookie,
    set_sign_in_cookie,
    sign_in_token,
    typed_in,
)
from servefirst.staff.web import console as signed_in

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]

#: Where the console opens after sign-in: the day at a glance.
LANDING = "/staff/today"
#: A failed sign-in, in the browser's language (the layout translates it).
NO_MATCH = N_("That e-mail and password do not match.")


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
            return home_page(request, uow, me, q)
    except SignInRequired:
        return _sign_in_page(request)


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
    try:  # before the throttle and the accounts are asked about it
        refuse_nul(typed_in(request))
    except InvalidRequest as exc:
        return _sign_in_page(request, status=exc.status, error=in_words(exc), email=email)
    rt = runtime_of(request)
    try:
        result = signing_in.sign_in(
            lambda: rt.uow(write=True),
            email=email,
            password=password,
            client_ip=client_ip(request),
            device_token=request.cookies.get(DEVICE_COOKIE),
            merchant_id=merchant_id or None,
        )
    except SignInThrottled as exc:
        page = _sign_in_page(request, status=429, error=_locked_out(request, exc), email=email)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    if result.session_token is None or result.device_token is None:
        if result.choices:
            return _sign_in_page(request, email=email, choices=result.choices)
        return _sign_in_page(request, status=401, error=NO_MATCH, email=email)
    response = see_other(f"{LANDING}?done=signed_in")
    set_session_cookie(response, result.session_token)
    set_device_cookie(response, result.device_token)
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


def _locked_out(request: Request, exc: SignInThrottled) -> str:
    """The lockout in the reader's language, with its minutes: the page's
    language is settled first (nobody is signed in: the browser's), as the
    page itself will speak it."""
    page_language(request)
    minutes = max(math.ceil(exc.retry_after / 60), 1)
    if exc.for_address:
        words = ngettext(
            "Too many failed sign-ins from here. Wait %(num)d minute.",
            "Too many failed sign-ins from here. Wait %(num)d minutes.",
            minutes,
        )
    else:
        words = ngettext(
            "Too many failed sign-ins for this e-mail. Wait %(num)d minute, or ask the owner"
            " to reset the password.",
            "Too many failed sign-ins for this e-mail. Wait %(num)d minutes, or ask the owner"
            " to reset the password.",
            minutes,
        )
    return words % {"num": minutes}
