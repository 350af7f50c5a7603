"""Services and prices (managers and owners): add a service, change its
price, length, tax rate and terms, retire it or offer it again. Expected results and
limits are edited as lists (one statement a line); a change of terms makes a
new version, and every version a tab was given stays listed."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from servefirst.catalog import service as catalog
from servefirst.catalog.rules import statements_of
from servefirst.catalog.schemas import ServiceIn
from servefirst.db.uow import UnitOfWork
from servefirst.kit import formats
from servefirst.kit.errors import InvalidRequest, ServefirstError
from servefirst.kit.i18n import N_
from servefirst.kit.i18n import gettext as _
from servefirst.kit.refusals import in_words
from servefirst.kit.typed import format_amount, parse_amount, parse_int
from servefirst.merchants.service import get_merchant
from servefirst.staff import service as staff
from servefirst.staff.kept_forms import act_keeping
from servefirst.staff.rules import Access
from servefirst.staff.schema_words import refused_field
from servefirst.staff.web import base_context, problem, render, show
from servefirst.taxes import service as taxes
from servefirst.taxes.rules import names_its_percent

if TYPE_CHECKING:
    from servefirst.taxes.models import TaxRate

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]
NEEDS = Access.MANAGER
#: A week: the longest a service in the catalogue may last (as the API).
MAX_MINUTES = 24 * 60 * 7
NOTICES = {
    "created": N_("Service added."),
    "saved": N_("Saved."),
    "retired": N_("Retired: no longer offered."),
    "restored": N_("Offered again."),
    "rate_added": N_("Tax rate added."),
}


def rate_labels(rates: list[TaxRate]) -> dict[str, str]:
    """Each rate as the services page names it: "Reduced (13%)", or the name
    alone when it already says its percent ("IVA 13%")."""
    labels = {}
    for rate in rates:
        percent = Decimal(str(rate.percent))  # kept as text in the table
        said = names_its_percent(rate.name, percent)
        labels[rate.rate_id] = rate.name if said else f"{rate.name} ({formats.number(percent)}%)"
    return labels


def as_list(text: str) -> list[str]:
    """A textarea of statements, one a line, as the list the terms keep."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def as_text(terms: Any) -> str:
    """Terms (a sentence or a list) back as a textarea, one statement a line."""
    return "\n".join(terms) if isinstance(terms, list) else str(terms or "")


def _checked(uow: UnitOfWork, typed: dict[str, str]) -> ServiceIn:
    """The form as the catalogue takes it, or a 422 naming the field in words."""
    currency = get_merchant(uow).currency
    price = parse_amount(typed["price"], currency, param="price")
    if price is None:
        raise InvalidRequest(_("Write a price, like 4.50."), param="price")
    minutes = parse_int(
        typed["duration_minutes"], param="duration_minutes", low=1, high=MAX_MINUTES
    )
    expected = as_list(typed["expected_results"])
    if not expected:
        raise InvalidRequest(
            _("Write at least one thing the customer can expect."), param="expected_results"
        )
    try:
        return ServiceIn.model_validate(
            {
                "name": typed["name"],
                "price": price,
                "duration_minutes": minutes,
                "expected_results": expected,
                "limits": as_list(typed["limits"]),
                "tax_rate_id": typed.get("tax_rate_id") or None,
            }
        )
    except ValidationError as exc:
        raise refused_field(exc, FIELD_NAMES) from None


def refused_beside(exc: ServefirstError) -> dict[str, Any]:
    """A refusal of one of the form's fields is said beside it (``invalid``,
    ``field_refusal``); any other (a stale form, no such service) at the top."""
    if exc.param in SERVICE_FIELDS:
        return {"invalid": exc.param, "field_refusal": in_words(exc), "error": None}
    return {"invalid": None, "field_refusal": None, "error": in_words(exc)}


#: The form's fields as its refusals name them.
FIELD_NAMES = {
    "name": N_("name"),
    "expected_results": N_("what the customer can expect"),
    "limits": N_("what it does not promise"),
}


def list_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    *,
    error: str | None = None,
    invalid: str | None = None,
    field_refusal: str | None = None,
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    merchant = get_merchant(uow)
    rows = catalog.list_services(uow, include_inactive=True)
    rates = taxes.list_rates(uow)
    context = base_context(
        me,
        request,
        rows=rows,
        tax_rates=rates,
        rate_names=rate_labels(rates),
        currency=merchant.currency,
        typed=typed or {},
        error=error,
        invalid=invalid,
        field_refusal=field_refusal,
        merchant_name=merchant.name,
    )
    done = NOTICES.get(request.query_params.get("done", ""))
    context["notice"] = _(done) if done else None
    return render(request, "staff/services.html", context, status)


def _edit_page(
    request: Request,
    uow: UnitOfWork,
    me: staff.SignedIn,
    service_id: str,
    *,
    error: str | None = None,
    invalid: str | None = None,
    field_refusal: str | None = None,
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    merchant = get_merchant(uow)
    service = catalog.get_service(uow, service_id)
    versions = catalog.terms_history(uow, service_id)
    current = versions[0]
    shown = typed or {
        "name": service.name,
        "price": format_amount(service.price, merchant.currency),
        "duration_minutes": str(service.duration_minutes),
        "expected_results": as_text(current.expected_results),
        "limits": as_text(current.limits),
        "tax_rate_id": service.tax_rate_id or "",
    }
    context = base_context(
        me,
        request,
        service=service,
        tax_rates=taxes.list_rates(uow),
        rate_names=rate_labels(taxes.list_rates(uow)),
        versions=versions,
        as_list=statements_of,
        typed=shown,
        currency=merchant.currency,
        error=error,
        invalid=invalid,
        field_refusal=field_refusal,
        merchant_name=merchant.name,
    )
    done = NOTICES.get(request.query_params.get("done", ""))
    context["notice"] = _(done) if done else None
    return render(request, "staff/service.html", context, status)


@router.get("/services")
def services(request: Request) -> Response:
    return show(request, lambda uow, me: list_page(request, uow, me), needs=NEEDS)


def service_form(
    name: FormText = "",
    price: FormText = "",
    duration_minutes: FormText = "",
    expected_results: FormText = "",
    limits: FormText = "",
    tax_rate_id: FormText = "",
) -> dict[str, str]:
    """What the manager typed in the service form, field by field as sent: the
    same form adds a service and edits one."""
    return {
        "name": name,
        "price": price,
        "duration_minutes": duration_minutes,
        "expected_results": expected_results,
        "limits": limits,
        "tax_rate_id": tax_rate_id,
    }


#: The service form's fields (``service_form``), each of which a refusal may name.
SERVICE_FIELDS = ("name", "price", "duration_minutes", "expected_results", "limits", "tax_rate_id")

#: The service form, read from a POST (``service_form``).
ServiceForm = Annotated[dict[str, str], Depends(service_form)]


@router.post("/services")
def add_service(request: Request, typed: ServiceForm, csrf_token: FormText = "") -> Response:
    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        body = _checked(uow, typed)
        service, _terms = catalog.create_service(uow, **body.model_dump(exclude_none=True))
        return f"/staff/services/{service.service_id}?done=created"

    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        said = refused_beside(exc)
        return list_page(request, uow, me, status=exc.status, typed=typed, **said)

    return act_keeping(request, csrf_token, change, on_error, needs=NEEDS)


@router.get("/services/{service_id}")
def service_page(request: Request, service_id: str) -> Response:
    return show(request, lambda uow, me: _edit_page(request, uow, me, service_id), needs=NEEDS)


def _edit_error(request: Request, service_id: str, typed: dict[str, str] | None) -> Any:
    def on_error(uow: UnitOfWork, me: staff.SignedIn, exc: ServefirstError) -> Response:
        try:
            said = refused_beside(exc) if typed is not None else {"error": in_words(exc)}
            return _edit_page(request, uow, me, service_id, status=exc.status, typed=typed, **said)
        except ServefirstError as missing:
            return problem(request, me, missing)

    return on_error


@router.post("/services/{service_id}")
def edit_service(
    request: Request, service_id: str, typed: ServiceForm, csrf_token: FormText = ""
) -> Response:

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        body = _checked(uow, typed)
        catalog.update_service(uow, service_id, body.model_dump(exclude={"deposit_policy"}))
        return f"/staff/services/{service_id}?done=saved"

    return act_keeping(
        request, csrf_token, change, _edit_error(request, service_id, typed), needs=NEEDS
    )


@router.post("/services/{service_id}/retire")
def retire(request: Request, service_id: str, csrf_token: FormText = "") -> Response:
    return _set_offered(request, service_id, csrf_token, offered=False)


@router.post("/services/{service_id}/restore")
def restore(request: Request, service_id: str, csrf_token: FormText = "") -> Response:
    return _set_offered(request, service_id, csrf_token, offered=True)


def _set_offered(request: Request, service_id: str, csrf_token: str, *, offered: bool) -> Response:
    """Retire a service (no longer offered) or offer it again: one change,
    told apart only by its notice."""
    done = "restored" if offered else "retired"

    def change(uow: UnitOfWork, me: staff.SignedIn) -> str:
        catalog.update_service(uow, service_id, {"active": offered})
        return f"/staff/services/{service_id}?done={done}"

    return act_keeping(
        request, csrf_token, change, _edit_error(request, service_id, None), needs=NEEDS
    )
