"""The receipt or invoice PDF, for staff (API key) and for the customer (tab token),
and issuing a served tab as an invoice (``POST /v1/tabs/{id}/invoice``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ConfigDict, Field

from servefirst.api.context import MerchantUoW, PublicURL, runtime_of
from servefirst.api.fields import Body
from servefirst.api.routing import ServefirstRoute
from servefirst.kit.errors import NotFound
from servefirst.kit.ids import merchant_of_credential
from servefirst.receipts.document import ReceiptDocument, document_for_tab, document_for_token
from servefirst.receipts.pdf import render_pdf
from servefirst.tabs import service as tabs
from servefirst.tabs.endpoints import present
from servefirst.tabs.schemas import TabOut

router = APIRouter(prefix="/v1/tabs", tags=["tabs"], route_class=ServefirstRoute)
#: The customer's copy, beside their tab page (not in the API's schema).
pages = APIRouter(include_in_schema=False)

PDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        "description": "The PDF.",
    },
    404: {"description": "receipt_not_found: the tab is neither paid nor invoiced"},
}


class InvoiceIn(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"net_days": 30}, {"due_date": "2026-12-31"}]}
    )

    due_date: date | None = Field(
        default=None, description="The last day to pay (the merchant's day); not in the past."
    )
    net_days: int | None = Field(
        default=None,
        description="Days from today to the due date: 7, 14, 30 or any number from 1 to 365.",
    )


def _pdf(doc: ReceiptDocument, headers: dict[str, str] | None = None) -> Response:
    return Response(
        render_pdf(doc),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{doc.filename}"',
            **(headers or {}),
        },
    )


@router.get(
    "/{tab_id}/receipt.pdf",
    summary="The tab's receipt (paid) or invoice (issued, unpaid) as PDF",
    description="Seller's legal name, address and tax id; the receipt number; the date in the"
    " merchant's zone; the customer (and their tax id); lines; totals; payments and tip."
    " After a refund the sale stays as charged, with each refund below it (date, reason,"
    " bill and tip given back, the tax in it per rate) and what was paid after refunds."
    " 404 receipt_not_found for a tab neither paid nor invoiced.",
    response_class=Response,
    responses=PDF_RESPONSES,
    operation_id="get_receipt_pdf",
)
def get_receipt_pdf(tab_id: str, uow: MerchantUoW) -> Response:
    return _pdf(document_for_tab(uow, tab_id))


@router.post(
    "/{tab_id}/invoice",
    response_model=TabOut,
    summary="Issue a served tab as an invoice with a due date (billing after delivery)",
    description="Send `due_date` or `net_days`, not both (422 due_date_or_net_days). A due"
    " date in the past is 422 due_date_in_past. The tab turns overdue by itself the day"
    " after its due date if still unpaid; payments in parts are taken as on any tab.",
    responses={409: {"description": "tab_not_invoiceable: only a served tab can be invoiced"}},
    operation_id="issue_invoice",
)
def issue_invoice(tab_id: str, body: InvoiceIn, uow: MerchantUoW, base: PublicURL) -> TabOut:
    tab = tabs.issue_invoice(uow, tab_id, due_date=body.due_date, net_days=body.net_days)
    return present(uow, tab, base)


#: As the customer's page sends: the token is in the address.
CUSTOMER_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


@pages.get("/t/{token}/receipt.pdf")
def customer_receipt_pdf(request: Request, token: str) -> Response:
    """The customer's receipt or invoice, by their tab token."""
    merchant_id = merchant_of_credential(token)
    if merchant_id is None:
        raise NotFound("No such tab.", code="tab_not_found")
    with runtime_of(request).uow(merchant_id, write=False) as uow:
        return _pdf(document_for_token(uow, token), CUSTOMER_HEADERS)
