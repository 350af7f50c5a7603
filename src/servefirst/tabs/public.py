"""The tab as the customer sees it, by token: lines with their terms, what is
owed, their review and concerns, their payments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import Field

from servefirst.api.context import TabUoW
from servefirst.api.fields import Out
from servefirst.api.routing import ServefirstRoute
from servefirst.db.uow import UnitOfWork
from servefirst.guarantee.service import concerns_of
from servefirst.merchants.service import get_merchant
from servefirst.payments.service import payments_of
from servefirst.reviews.schemas import ReviewOut
from servefirst.reviews.service import review_of
from servefirst.tabs import service as tabs
from servefirst.tabs.schemas import LineOut, TabStatusName
from servefirst.tabs.service import bill_of
from servefirst.taxes.schemas import TaxPartOut, tax_parts
from servefirst.taxes.service import totals_of

router = APIRouter(prefix="/v1/public/tabs", tags=["customer"], route_class=ServefirstRoute)


class PublicConcern(Out):
    id: str
    remedy: str
    status: str
    decision: str
    approved_amount: int


class PublicPayment(Out):
    id: str
    method: str
    amount: int
    tip: int
    card_last4: str | None
    created_at: datetime


class PublicTab(Out):
    id: str
    object: Literal["public_tab"] = "public_tab"
    merchant_name: str
    status: TabStatusName
    short_code: str
    currency: str
    lines: list[LineOut] = Field(description="Each line with what it promises and its limits.")
    subtotal: int
    adjustments: int
    total: int
    paid: int
    tips: int
    refunded: int = Field(default=0, description="Given back to the customer from the bill.")
    tips_refunded: int = Field(default=0, description="Given back from the tip.")
    deposit_applied: int
    amount_due: int
    terms_accepted: bool
    review: ReviewOut | None
    concerns: list[PublicConcern]
    payments: list[PublicPayment]
    opened_at: datetime
    closed_at: datetime | None
    net: int = Field(default=0, description="The bill after discounts and refunds, less tax.")
    tax: list[TaxPartOut] = Field(default_factory=list, description="Per tax rate: net and tax.")
    gross: int = Field(default=0, description="net + tax.")
    receipt_number: str | None = Field(default=None, description="Once paid.")
    due_date: date | None = Field(default=None, description="An invoice's last day to pay.")


def public_view(uow: UnitOfWork, token: str) -> PublicTab:
    tab = tabs.tab_for_token(uow, token)
    bill = bill_of(tab)
    review = review_of(uow, tab)
    tax = totals_of(tab)
    return PublicTab(
        net=tax.net,
        tax=tax_parts(tax),
        gross=tax.gross,
        id=tab.tab_id,
        merchant_name=get_merchant(uow).name,
        status=tab.status,  # type: ignore[arg-type]
        short_code=tab.short_code,
        currency=tab.currency,
        lines=[LineOut.build(v) for v in tabs.lines_of(uow, tab)],
        subtotal=tab.subtotal,
        adjustments=tab.adjustments,
        total=bill.total,
        paid=tab.paid,
        tips=tab.tips,
        refunded=tab.refunded,
        tips_refunded=tab.tips_refunded,
        deposit_applied=tab.deposit_applied,
        amount_due=bill.due,
        terms_accepted=tab.terms_accepted_at is not None,
        review=ReviewOut.build(review) if review else None,
        concerns=[
            PublicConcern(
                id=c.concern_id,
                remedy=c.remedy,
                status=c.status,
                decision=c.decision,
                approved_amount=c.approved_amount,
            )
            for c in concerns_of(uow, tab.tab_id)
        ],
        payments=[
            PublicPayment(
                id=p.payment_id,
                method=p.method,
                amount=p.amount,
                tip=p.tip,
                card_last4=p.card_last4,
                created_at=p.created_at,
            )
            for p in payments_of(uow, tab.tab_id)
        ],
        opened_at=tab.opened_at,
        closed_at=tab.closed_at,
        receipt_number=tab.receipt_number,
        due_date=tab.due_date,
    )


@router.get("/{token}", response_model=PublicTab, summary="The customer's view of their tab")
def get_public_tab(token: str, uow: TabUoW) -> PublicTab:
    return public_view(uow, token)


@router.post(
    "/{token}/accept",
    response_model=PublicTab,
    summary="The customer accepts the terms of what is on the tab",
)
def accept_terms(token: str, uow: TabUoW) -> PublicTab:
    tabs.accept_terms(uow, token)
    return public_view(uow, token)
