"""The member's own settings (``/staff/settings``): the console's language,
and the way to their own password (``password_pages``).

Every member may set their own; the merchant's locale is used until they do.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit import i18n
from servefirst.kit.errors import ServefirstError
from servefirst.kit.refusals import in_words
from servefirst.merchants.service import get_merchant
from servefirst.staff import service as staff
from servefirst.staff.web import act, base_context, render, show

router = APIRouter(prefix="/staff", include_in_schema=False)

PAGE = "/staff/settings"

#: Each shipped language named in itself, as a language menu does.
LANGUAGE_NAMES = {"en": "English", "pt": "Português"}


def _page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    *,
    chosen: str | None = None,
    error: str | None = None,
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
