"""The member's own settings (``/staff/settings``): the console's language,
and the way to their own password (``password_pages``).

Every member may set their own; the merchant's locale is used until they do.
An owner also sets here the business's phone number, the one its customers
are given to call (``POST /v1/merchant``'s ``phone``, the same use case and
rule); a number refused is said beside the field, as typed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.customers.rules import PHONE_INVALID, PHONE_MAX
from servefirst.db.uow import UnitOfWork
from servefirst.kit import i18n
from servefirst.kit.errors import ServefirstError
from servefirst.kit.i18n import N_, gettext
from servefirst.kit.refusals import in_words
from servefirst.merchants.service import get_merchant, update_merchant
from servefirst.staff import service as staff
from servefirst.staff.rules import Access
from servefirst.staff.web import act, base_context, render, show

router = APIRouter(prefix="/staff", include_in_schema=False)

PAGE = "/staff/settings"

#: Each shipped language named in itself, as a language menu does.
LANGUAGE_NAMES = {"en": "English", "pt": "Português"}
#: A phone number refused, said beside its field (the API's words name no field).
PHONE_WORDS = N_(
    "Write the phone number in digits, such as +351 210 000 000: a + may come first, and"
    " spaces, brackets, dots or hyphens between; at most %(most)s characters. Or leave it"
    " empty."
)


def _phone_refusal(exc: ServefirstError) -> str:
    if exc.code == PHONE_INVALID:
        return gettext(PHONE_WORDS) % {"most": PHONE_MAX}
    return in_words(exc)  # a NUL typed: said as on every form


def _page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    *,
    chosen: str | None = None,
    error: str | None = None,
    phone_typed: str | None = None,
    phone_refusal: str = "",
    status: int = 200,
) -> Response:
    merchant = get_merchant(uow)
    context = base_context(
        me,
        request,
        merchant_name=merchant.name,
        languages=[(code, LANGUAGE_NAMES[code]) for code in i18n.LANGUAGES],
        merchant_language=LANGUAGE_NAMES[i18n.language_of(merchant.locale)],
        chosen=me.account.language or "" if chosen is None else chosen,
        saved=request.query_params.get("saved") == "1",
        error=error,
        phone=(merchant.phone or "") if phone_typed is None else phone_typed,
        phone_max=PHONE_MAX,
        phone_refusal=phone_refusal,
        phone_saved=request.query_params.get("saved") == "phone",
    )
    return render(request, "staff/settings.html", context, status)


@router.get("/settings")
def settings_page(request: Request) -> Response:
    return show(request, lambda uow, me: _page(request, uow, me))


@router.post("/settings/language")
def choose_language(
    request: Request,
    # No max_length: FastAPI would answer with its JSON; the use case refuses
    # anything but a language offered, on the page.
    language: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        staff.choose_language(uow, me.account, language)
        return f"{PAGE}?saved=1"

    def refused(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        return _page(request, uow, me, chosen=language, error=in_words(exc), status=exc.status)

    return act(request, csrf_token, change, refused)


@router.post("/settings/phone")
def set_business_phone(
    request: Request,
    # No max_length: FastAPI would answer with its JSON; the use case refuses
    # what is too long, beside the field.
    phone: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        update_merchant(uow, phone=phone)
        return f"{PAGE}?saved=phone#business-heading"

    def refused(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        return _page(
            request,
            uow,
            me,
            phone_typed=phone,
            phone_refusal=_phone_refusal(exc),
            status=exc.status,
        )

    return act(request, csrf_token, change, refused, needs=Access.OWNER)
