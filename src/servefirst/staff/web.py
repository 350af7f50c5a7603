"""The console's plumbing: session cookie, CSRF, one unit of work per page.

Kept apart from the routes (``pages.py`` and the modules it gathers) so the
routes read as what staff do.

Cookies are ``HttpOnly`` (no script reads them), ``SameSite=Lax`` (another
site cannot POST with them) and ``Secure``. Browsers accept ``Secure`` cookies
from ``http://localhost`` and ``http://127.0.0.1`` (both are secure contexts),
so the demo on a laptop works without TLS; the browser test proves it on
Chromium. They are scoped to ``/staff``: the customer's pages never see them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from servefirst.db.uow import UnitOfWork
from servefirst.kit import formats, i18n
from servefirst.kit.errors import InvalidRequest, ServefirstError
from servefirst.kit.i18n import N_
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import NUL, refuse_nul
from servefirst.merchants.service import get_merchant
from servefirst.runtime import Runtime
from servefirst.staff import navigation
from servefirst.staff import service as staff
from servefirst.staff.rules import KNOWN_FOR, SESSION_LIFETIME, Access
from servefirst.web.templating import language, templates

SESSION_COOKIE = "sf_staff"
#: Before sign-in there is no session to hold a CSRF secret: the sign-in form
#: uses a double-submit cookie instead (it stops "login CSRF").
SIGN_IN_COOKIE = "sf_sign_in"
#: A random token set at each successful sign-in (only its SHA-256 is kept):
#: this browser's right password gets in even while others' failures throttle
#: the account (NIST SP 800-63B, 5.2.2).
DEVICE_COOKIE = "sf_device"
COOKIE_PATH = "/staff"

#: What a redirect after a change may announce (never text from the request).
NOTICES = {
    "signed_in": N_("Signed in."),
    "customer": N_("Customer added."),
    "opened": N_("Tab opened."),
    "line": N_("Line added."),
    "served": N_("Marked served."),
    "paid": N_("Payment recorded."),
    "reward": N_("Reward taken off the bill."),
    "voided": N_("Tab voided."),
    "line_voided": N_("Line voided: it is off the bill."),
    "refunded": N_("Refund recorded."),
    "refund_pending": N_(
        "Refund sent: the card processor has not answered yet. It is finished by itself;"
        " do not refund again."
    ),
    "approved": N_("Concern approved: the bill is lowered."),
    "rejected": N_("Concern rejected: the bill stays."),
    "merged": N_("Customers merged: everything is on this one now."),
    "invoiced": N_("Invoice issued: the customer's page shows the due date."),
    "access_changed": N_("Your access has changed: the menu shows what it opens now."),
}


class SignInRequired(Exception):
    """No live session behind the request."""


class CsrfRejected(Exception):
    """A change arrived without this session's CSRF token."""


class BelowAccess(Exception):
    """Signed in, but the page or action needs a higher access level.

    Carries its page, rendered while the session that knows the member was open."""

    def __init__(self, page: Response) -> None:
        super().__init__("forbidden")
        self.page = page


def runtime_of(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def client_ip(request: Request) -> str:
    """The address the sign-in throttle counts: the one uvicorn gives, which is
    the socket's peer unless that peer is listed in ``SERVEFIRST_TRUSTED_PROXIES``
    (``server.serving.uvicorn_options``); only then does uvicorn take it from the
    proxy's ``X-Forwarded-For``. Nothing here reads forwarded headers itself."""
    return request.client.host if request.client else "unknown"


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """A console page; with a signed-in member, the menu of what they may open."""
    me = context.get("me")
    if me is not None and "navigation" not in context:
        context = {**context, "navigation": navigation.menu(me.access, request.url.path)}
    return templates.TemplateResponse(request, name, context, status_code=status)


def page_language(request: Request) -> None:
    """Settle the page's language now, as its rendering would (a member's own,
    or the browser's for someone not signed in): for words made before the
    page is drawn, with figures in them."""
    language(request)


def see_other(url: str) -> RedirectResponse:
    """After a change, the browser GETs the result (a reload never repeats the change)."""
    return RedirectResponse(url, status_code=303)


def set_session_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path=COOKIE_PATH,
        httponly=True,
        secure=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path=COOKIE_PATH, httponly=True, secure=True, samesite="lax"
    )


def sign_in_token(request: Request) -> str:
    """The double-submit token for the sign-in form (kept if the browser has one)."""
    return request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)


def set_sign_in_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        SIGN_IN_COOKIE, token, path=COOKIE_PATH, httponly=True, secure=True, samesite="lax"
    )


def set_device_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=int(KNOWN_FOR.total_seconds()),
        path=COOKIE_PATH,
        httponly=True,
        secure=True,
        samesite="lax",
    )


def submitted_csrf(request: Request, form_value: str) -> str:
    """The form's hidden field, or htmx's ``X-CSRF-Token`` header."""
    return form_value or request.headers.get("X-CSRF-Token", "")


@contextmanager
def console(
    request: Request, *, write: bool, csrf: str | None = None, needs: Access = Access.STAFF
) -> Iterator[tuple[UnitOfWork, staff.SignedIn]]:
    """The signed-in staff member's unit of work, routed by the merchant in the cookie.

    ``csrf``: for changes, the token the form carried; checked before any work.
    ``needs``: the access level the page or action asks for; below it nothing runs.
    The caller commits.
    """
    token = request.cookies.get(SESSION_COOKIE)
    merchant_id = staff.session_merchant(token)
    if merchant_id is None:
        raise SignInRequired
    with runtime_of(request).uow(merchant_id, write=write) as uow:
        me = staff.current_session(uow, token)
        if me is None:
            raise SignInRequired
        if csrf is not None and not staff.csrf_ok(me.csrf_token, csrf):
            raise CsrfRejected
        merchant = get_merchant(uow)
        i18n.set_language(me.account.language or merchant.locale)
        formats.set_place(merchant.locale, merchant.timezone)
        if not me.access.allows(needs):
            raise BelowAccess(
                render(
                    request,
                    "staff/forbidden.html",
                    {"me": me, "needed": needs.value, "have": me.access.value},
                    status=403,
                )
            )
        yield uow, me


def member_language(request: Request) -> str | None:
    """The signed-in member's language (their choice, else the business's), for
    a console address no page has; None when nobody is signed in."""
    try:
        with console(request, write=False):  # says it, as for every console page
            return i18n.current_language()
    except SignInRequired:
        return None


def refused(request: Request, exc: Exception) -> Response:
    """Session, CSRF or access trouble, as a page (never a stack trace)."""
    if isinstance(exc, BelowAccess):
        return exc.page
    if isinstance(exc, SignInRequired):
        if request.method == "GET":
            return see_other("/staff")
        return render(
            request,
            "staff/sign_in.html",
            {"error": N_("Your session has ended. Sign in again."), "csrf_token": ""},
            status=401,
        )
    return render(
        request,
        "staff/problem.html",
        {
            "title": N_("This form has expired"),
            "message": N_("Nothing was changed. Go back, reload the page and try again."),
        },
        status=403,
    )


async def keep_form(request: Request) -> None:
    """Keep the form a console POST carried, for ``typed_in`` (which a sync
    route calls, where it cannot be awaited): a dependency of every page
    router (``app.create_app``), so a console page added later is checked too.
    ``Request.form()`` parses the body once and hands the same form to the
    route's ``Form()`` parameters and to an async route reading it itself."""
    if request.method == "POST" and request.url.path.startswith(COOKIE_PATH):
        request.state.typed_form = await request.form()


def typed_in(request: Request) -> list[tuple[str, str]]:
    """Every field of the form sent with ``request``, those its route does not
    name included (files left out), as ``keep_form`` kept it."""
    form: FormData | None = getattr(request.state, "typed_form", None)
    if form is None:
        return []
    return [(name, typed) for name, typed in form.multi_items() if isinstance(typed, str)]


def change_checked(
    request: Request, change: Callable[[UnitOfWork, staff.SignedIn], str]
) -> Callable[[UnitOfWork, staff.SignedIn], str]:
    """``change``, once the form holds nothing no page keeps (a NUL
    character: ``kit.typed.refuse_nul``). Every console form goes through
    here (``act``, ``kept_forms.act_keeping``), so its refusal is given back like any
    other, beside the field where the form marks one, and nothing is written."""

    def checked(uow: UnitOfWork, me: staff.SignedIn) -> str:
        refuse_nul(typed_in(request))
        return change(uow, me)

    return checked


def searched(text: str, *, param: str = "q") -> tuple[str, str | None]:
    """What a search (a GET form) sent, and its refusal in words (None: none).
    A NUL character (``kit.typed.refuse_nul``) is refused before anything is
    looked up, since PostgreSQL cannot compare text holding one: the page
    finds nothing, says why, and gives back the rest of what was typed."""
    try:
        refuse_nul([(param, text)])
    except InvalidRequest as exc:
        return text.replace(NUL, ""), in_words(exc)
    return text, None


def act(
    request: Request,
    csrf: str,
    change: Callable[[UnitOfWork, staff.SignedIn], str],
    on_error: Callable[[UnitOfWork, staff.SignedIn, ServefirstError], Response],
    *,
    needs: Access = Access.STAFF,
) -> Response:
    """Do one change for the signed-in staff member, in one transaction.

    ``change`` returns where to go next; a refusal from the services is rolled
    back and shown by ``on_error`` on the same page, with the error's status.
    """
    csrf = submitted_csrf(request, csrf)
    change = change_checked(request, change)
    try:
        with console(request, write=True, csrf=csrf, needs=needs) as (uow, me):
            return commit_change(uow, me, change, on_error)
    except (SignInRequired, CsrfRejected, BelowAccess) as exc:
        return refused(request, exc)


def commit_change(
    uow: UnitOfWork,
    me: staff.SignedIn,
    change: Callable[[UnitOfWork, staff.SignedIn], str],
    on_error: Callable[[UnitOfWork, staff.SignedIn, ServefirstError], Response],
) -> Response:
    """Where a console form's change is committed, for every kind of form
    (``act``, ``kept_forms.act_keeping``): a refusal is rolled back and shown by
    ``on_error``; otherwise the work is committed and the browser sent where
    ``change`` says."""
    try:
        where = change(uow, me)
    except ServefirstError as exc:
        uow.rollback()
        return on_error(uow, me, exc)
    uow.commit()
    return see_other(where)


def show(
    request: Request,
    build: Callable[[UnitOfWork, staff.SignedIn], Response],
    *,
    needs: Access = Access.STAFF,
) -> Response:
    """Render a console page for the signed-in staff member (read only)."""
    try:
        with console(request, write=False, needs=needs) as (uow, me):
            try:
                return build(uow, me)
            except ServefirstError as exc:
                return problem(request, me, exc)
    except (SignInRequired, CsrfRejected, BelowAccess) as exc:
        return refused(request, exc)


def problem(request: Request, me: staff.SignedIn, exc: ServefirstError) -> Response:
    return render(
        request,
        "staff/problem.html",
        {
            "me": me,
            "title": N_("Not found") if exc.status == 404 else N_("Not possible"),
            "message": in_words(exc),
        },
        status=exc.status,
    )


def base_context(me: staff.SignedIn, request: Request, **extra: Any) -> dict[str, Any]:
    notice = NOTICES.get(request.query_params.get("done", ""))
    return {"me": me, "csrf_token": me.csrf_token, "notice": notice, **extra}
