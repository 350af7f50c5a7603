"""The merchant's tax rates in the console (owners): added on the services
page, where each service is then given its rate. A rate is never changed
afterwards: lines keep the rate they were charged at."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import ServefirstError
from servefirst.kit.refusals import in_words
from servefirst.staff import service as staff
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.rules import Access
from servefirst.staff.service_pages import list_page
from servefirst.taxes import service as taxes

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]


@router.post("/tax-rates")
def add_tax_rate(
    request: Request, name: FormText = "", percent: FormText = "", csrf_token: FormText = ""
) -> Response:
    typed = {"rate_name": name, "rate_percent": percent}

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        taxes.create_rate(uow, name=name, percent=percent.replace(",", "."))
        return "/staff/services?done=rate_added"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        words = in_words(exc)
        # A refused name or percent is said beside its field; the rest, above the page.
        if exc.param in ("name", "percent"):
            kept = {**typed, "rate_invalid": exc.param, "rate_refusal": words}
            return list_page(request, uow, me, status=exc.status, typed=kept)
        return list_page(request, uow, me, error=words, status=exc.status, typed=typed)

    return act_keeping(request, csrf_token, change, on_error, needs=Access.OWNER)
