"""The console's receipts and invoices: a tab's receipt or invoice as PDF, and
issuing a served tab as an invoice with a due date (a manager's call: it gives
the customer time to pay)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servefirst.db.uow import UnitOfWork
from servefirst.kit import i18n
from servefirst.kit.errors import InvalidRequest
from servefirst.kit.typed_days import read_day
from servefirst.receipts.document import document_for_tab
from servefirst.receipts.pdf import render_pdf
from servefirst.staff import service as staff
from servefirst.staff.rules import Access
from servefirst.staff.tab_pages import tab_action
from servefirst.staff.web import show
from servefirst.tabs import service as tabs
from servefirst.tabs.rules import NET_DAYS_CHOICES

router = APIRouter(prefix="/staff", include_in_schema=False)

FormText = Annotated[str, Form()]
#: The terms the form offers (the usual ones); "date" reads the date field instead.
TERMS = (*(str(days) for days in NET_DAYS_CHOICES), "date")


@router.get("/tabs/{tab_id}/receipt.pdf")
def receipt_pdf(request: Request, tab_id: str) -> Response:
    def build(uow: UnitOfWork, me: staff.SignedIn) -> Response:
        document = document_for_tab(uow, tab_id)
        return Response(
            render_pdf(document),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{document.filename}"'},
        )

    return show(request, build)


def due_from_form(terms: str, due_date: str) -> tuple[date | None, int | None]:
    """(due_date, net_days) from the form's choice of terms."""
    if terms not in TERMS:
        raise InvalidRequest("Choose the payment terms.", param="terms")
    if terms != "date":
        return None, int(terms)
    if not due_date.strip():
        raise InvalidRequest(
            "Give the due date as a date (2026-12-31).", code="due_date_invalid", param="due_date"
        )
    # A date picker sends 2026-12-31; a browser without one sends what was typed (31/12/2026).
    return read_day(due_date, i18n.current_language(), param="due_date"), None


@router.post("/tabs/{tab_id}/invoice")
def issue_invoice(
    request: Request,
    tab_id: str,
    terms: FormText = "",
    due_date: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    def do(uow: UnitOfWork, me: staff.SignedIn) -> None:
        when, days = due_from_form(terms, due_date)
        tabs.issue_invoice(uow, tab_id, due_date=when, net_days=days)

    kept = {"form": "invoice", "terms": terms, "due_date": _as_date_field_holds(due_date)}
    return tab_action(
        request,
        tab_id,
        csrf_token,
        do,
        "invoiced",
        needs=Access.MANAGER,
        kept=kept,
        beside=("terms", "due_date"),
    )


def _as_date_field_holds(typed: str) -> str:
    """What a refused form's date field is given back: a date field holds only
    a day written 2026-12-31, so anything else typed (by a browser without a
    date picker) comes back empty, the refusal beside it saying why."""
    try:
        return date.fromisoformat(typed.strip()).isoformat()
    except ValueError:
        return ""
