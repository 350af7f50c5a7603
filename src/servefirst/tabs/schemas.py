from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, TypedDict

from pydantic import ConfigDict, Field

from servefirst.api.fields import Body, Out, TermsOut
from servefirst.tabs.models import Tab
from servefirst.tabs.service import LineView, bill_of
from servefirst.taxes.schemas import TaxPartOut, tax_parts
from servefirst.taxes.service import totals_of

TabStatusName = Literal["open", "served", "paid", "overdue", "written_off", "void"]
Quantity = Annotated[int, Field(strict=True, ge=1, le=1000)]


class TabIn(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"customer_id": "cus_3kx9f2qz7m4w8d1b"}]}
    )

    customer_id: str = Field(examples=["cus_..."])


class LineIn(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"service_id": "svc_7hq2m9x4c1v8b3nd", "quantity": 2}]}
    )

    service_id: str = Field(examples=["svc_..."])
    quantity: Quantity = 1
    staff_id: str | None = Field(default=None, description="Who served this line.")


class LineOut(Out):
    line_no: int
    service_id: str
    name: str
    unit_price: int
    quantity: int
    amount: int
    terms_version: int
    expected_results: TermsOut
    limits: TermsOut
    staff_id: str | None = Field(default=None, description="Who served this line.")
    voided: bool = Field(
        default=False, description="Taken off the tab by mistake; no longer in the subtotal."
    )
    void_reason: str | None = None
    voided_at: datetime | None = None
    tax_rate_id: str | None = Field(
        default=None, description="The tax rate the line was charged at (kept, whatever changes)."
    )
    tax_percent: str | None = Field(default=None, description='That rate\'s percent ("23").')

    @classmethod
    def build(cls, view: LineView) -> LineOut:
        line = view.line
        return cls(
            line_no=line.line_no,
            service_id=line.service_id,
            name=line.name,
            unit_price=line.unit_price,
            quantity=line.quantity,
            amount=line.amount,
            terms_version=line.terms_version,
            expected_results=view.terms.expected_results,
            limits=view.terms.limits,
            staff_id=line.staff_id,
            voided=line.voided,
            void_reason=line.void_reason,
            voided_at=line.voided_at,
            tax_rate_id=line.tax_rate_id,
            tax_percent=line.tax_percent,
        )


class BillShown(TypedDict):
    """A tab's bill as both its views show it, the staff's (``TabOut``) and the
    customer's (``public.PublicTab``): the lines, what they come to before and
    after tax, what was paid, given back, taken from a deposit and is still due."""

    currency: str
    lines: list[LineOut]
    subtotal: int
    adjustments: int
    total: int
    paid: int
    tips: int
    refunded: int
    tips_refunded: int
    deposit_applied: int
    amount_due: int
    net: int
    tax: list[TaxPartOut]
    gross: int


def bill_shown(tab: Tab, lines: list[LineView]) -> BillShown:
    """The bill's figures, worked out once for both views, so the customer's
    page and the staff's API never disagree on what is owed."""
    bill = bill_of(tab)
    tax = totals_of(tab)
    return BillShown(
        currency=tab.currency,
        lines=[LineOut.build(v) for v in lines],
        subtotal=tab.subtotal,
        adjustments=tab.adjustments,
        total=bill.total,
        paid=tab.paid,
        tips=tab.tips,
        refunded=tab.refunded,
        tips_refunded=tab.tips_refunded,
        deposit_applied=tab.deposit_applied,
        amount_due=bill.due,
        net=tax.net,
        tax=tax_parts(tax),
        gross=tax.gross,
    )


class TabHoldOut(Out):
    """The card hold behind a tab (a booking's), and whether it still covers the bill."""

    amount: int
    status: str = Field(
        description="active, insufficient (could not be raised: ask for another way to pay), "
        "captured, released, expired or replaced."
    )
    covers_due: bool
    expires_at: datetime
    card_last4: str


class TabOut(Out):
    id: str
    object: Literal["tab"] = "tab"
    customer_id: str
    status: TabStatusName
    token: str = Field(description="The customer's credential: their link and QR code.")
    short_code: str = Field(description="Read aloud at the counter to find the tab.")
    currency: str
    lines: list[LineOut]
    subtotal: int
    adjustments: int
    total: int = Field(description="subtotal - adjustments")
    paid: int
    tips: int
    refunded: int = Field(
        default=0, description="Given back from the bill's payments; `paid` keeps what was taken."
    )
    tips_refunded: int = Field(default=0, description="Tips given back.")
    deposit_applied: int
    amount_due: int = Field(description="total - paid - deposit_applied")
    customer_url: str
    qr_url: str
    opened_at: datetime
    served_at: datetime | None
    closed_at: datetime | None
    terms_accepted_at: datetime | None
    hold: TabHoldOut | None = Field(default=None, description="The card hold, if any.")
    net: int = Field(
        default=0, description="What the customer is charged after discounts and refunds, less tax."
    )
    tax: list[TaxPartOut] = Field(
        default_factory=list,
        description="Per tax rate: net and tax (net + tax is that rate's gross, to the cent).",
    )
    gross: int = Field(
        default=0,
        description="net + every rate's tax: the bill after discounts and refunds. `subtotal`"
        " and line amounts stay as entered; when prices exclude tax, `subtotal` includes the"
        " tax added on top.",
    )
    receipt_number: str | None = Field(
        default=None,
        description="A paid tab's receipt number, e.g. '2026-000123': the year and the"
        " merchant's sequence without gaps.",
    )
    due_date: date | None = Field(
        default=None,
        description="An invoice's last day to pay (the merchant's day); overdue the day after.",
    )
    invoiced_at: datetime | None = Field(default=None, description="When it was invoiced.")
    receipt_pdf_url: str = Field(
        description="The receipt (paid) or invoice (invoiced, unpaid) as PDF; 404 otherwise."
    )

    @classmethod
    def build(cls, tab: Tab, lines: list[LineView], public_url: str) -> TabOut:
        return cls(
            **bill_shown(tab, lines),
            id=tab.tab_id,
            customer_id=tab.customer_id,
            status=tab.status,  # type: ignore[arg-type]
            token=tab.token,
            short_code=tab.short_code,
            customer_url=f"{public_url}/t/{tab.token}",
            qr_url=f"{public_url}/t/{tab.token}/qr.svg",
            opened_at=tab.opened_at,
            served_at=tab.served_at,
            closed_at=tab.closed_at,
            terms_accepted_at=tab.terms_accepted_at,
            receipt_number=tab.receipt_number,
            due_date=tab.due_date,
            invoiced_at=tab.invoiced_at,
            receipt_pdf_url=f"{public_url}/v1/tabs/{tab.tab_id}/receipt.pdf",
        )


class TabList(Out):
    object: Literal["list"] = "list"
    data: list[TabOut]
