"""The member's own password (``/staff/settings/password``), for every access
level, reached from the settings page.

The change is ``password_change.change_password``: counted on the sign-in's
throttles, checked outside any transaction, then stored with every other
session of the account signed out. The page only reads the session, hands
the form over and shows the outcome: a refusal beside its field in the
reader's language (a stale form, a NUL character and a lockout included),
and never a password written back into the page.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import AuthenticationFailed, InvalidRequest, ServefirstError
from servefirst.kit.i18n import N_, ngettext
from servefirst.kit.i18n import gettext as _
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import refuse_nul
from servefirst.merchants.service import get_merchant
from servefirst.staff import password_change
from servefirst.staff import service as staff
from servefirst.staff.kept_forms import STALE_FORM
from servefirst.staff.rules import MIN_PASSWORD_LENGTH, SignInThrottled
from servefirst.staff.web import (
    DEVICE_COOKIE,
    BelowAccess,
    CsrfRejected,
    SignInRequired,
    base_context,
    client_ip,
    console,
    refused,
    render,
    runtime_of,
    see_other,
    show,
    submitted_csrf,
    typed_in,
)

router = APIRouter(prefix="/staff", include_in_schema=False)

# No length limits here: FastAPI would answer a long value with its JSON, not
# the page; ``password_problem`` refuses it in words instead.
FormText = Annotated[str, Form()]
PAGE = "/staff/settings/password"
#: The fields a refusal can be said beside.
FIELDS = ("current_password", "new_password", "confirm_password")
CHANGED = N_("Password changed. Every other browser signed in as you has been signed out.")


def password_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    *,
    invalid: str = "",
    refusal: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    """The form; ``invalid``: the field ``refusal`` is said beside."""
    context = base_context(
        me,
        request,
        merchant_name=get_merchant(uow).name,
        invalid=invalid,
        refusal=refusal,
        error=error,
        shortest=MIN_PASSWORD_LENGTH,
    )
    changed = request.query_params.get("done") == "password_changed" and status == 200
    context["notice"] = _(CHANGED) if changed else None
    return render(request, "staff/password.html", context, status)


@router.get("/settings/password")
def password_form(request: Request) -> Response:
    return show(request, lambda uow, me: password_page(request, uow, me))


@router.post("/settings/password")
def change_own_password(
    request: Request,
    current_password: FormText = "",
    new_password: FormText = "",
    confirm_password: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    csrf = submitted_csrf(request, csrf_token)
    try:
        with console(request, write=False) as (uow, me):
            if not staff.csrf_ok(me.csrf_token, csrf):
                return password_page(request, uow, me, error=_(STALE_FORM), status=403)
            try:  # before the throttle and the account are asked about it
                refuse_nul(typed_in(request))
            except InvalidRequest as exc:
                return _refused_here(request, uow, me, exc)
            who = password_change.Changing(
                me.account.staff_id, me.account.email, me.session.session_hash
            )
            merchant_id = uow.merchant
    except (SignInRequired, CsrfRejected, BelowAccess) as exc:
        return refused(request, exc)
    rt = runtime_of(request)
    try:
        password_change.change_password(
            lambda: rt.uow(merchant_id, write=True),
            who,
            current=current_password,
            new=new_password,
            confirmation=confirm_password,
            client_ip=client_ip(request),
            device_token=request.cookies.get(DEVICE_COOKIE),
        )
    except AuthenticationFailed:
        return refused(request, SignInRequired())
    except ServefirstError as exc:
        return _refused(request, exc)
    return see_other(f"{PAGE}?done=password_changed")


def _refused(request: Request, exc: ServefirstError) -> Response:
    """The form again after a refusal from the change (its session read afresh)."""
    try:
        with console(request, write=False) as (uow, me):
            return _refused_here(request, uow, me, exc)
    except (SignInRequired, CsrfRejected, BelowAccess) as ended:
        return refused(request, ended)


def _refused_here(
    request: Request, uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError
) -> Response:
    words = _throttled(exc) if isinstance(exc, SignInThrottled) else in_words(exc)
    param = "current_password" if isinstance(exc, SignInThrottled) else exc.param
    if param in FIELDS:
        page = password_page(request, uow, me, invalid=param, refusal=words, status=exc.status)
    else:
        page = password_page(request, uow, me, error=words, status=exc.status)
    if isinstance(exc, SignInThrottled):
        page.headers["Retry-After"] = str(exc.retry_after)
    return page


def _throttled(exc: SignInThrottled) -> str:
    """A lockout, said to someone already signed in (the sign-in's own words
    speak of e-mails and of asking the owner)."""
    minutes = max(math.ceil(exc.retry_after / 60), 1)
    return ngettext(
        "Too many wrong passwords. Wait %(num)d minute, then try again.",
        "Too many wrong passwords. Wait %(num)d minutes, then try again.",
        minutes,
    ) % {"num": minutes}
