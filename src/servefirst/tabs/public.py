"""The tab as the customer sees it, by token: lines with their terms, what is
owed, their review and concerns, their payments."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter
from pydantic import Field

from servefirst.api.context import TabUoW
from servefirst.api.fields import Out
from servefirst.api.routing import ServefirstRoute
from servefirst.bookings.deposit_returns import DepositBack, deposit_back_of_tab
from servefirst.db.uow import UnitOfWork
from servefirst.guarantee.service import concerns_of
from servefirst.loyalty import service as loyalty
from servefirst.merchants.service import get_merchant
from servefirst.payments.refund_rules import KEY_REUSED
from servefirst.payments.service import payments_of
from servefirst.reviews.schemas import ReviewOut
from servefirst.reviews.service import review_of
from servefirst.tabs import service as tabs
from servefirst.tabs.schemas import LineOut, TabStatusName, bill_shown
from servefirst.taxes.schemas import TaxPartOut

if TYPE_CHECKING:
    from servefirst.merchants.models import Merchant
    from servefirst.tabs.models import Tab

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


class PublicReward(Out):
    id: str = Field(description="Send it as `reward_id` when paying to take it off the bill.")
    words: str = Field(description="What it takes off, in words.")
    expires_at: datetime | None


class PublicLoyalty(Out):
    progress: str | None = Field(description='In words: "2 more visits to a free flat white".')
    rewards: list[PublicReward] = Field(description="Rewards the customer may use now.")


class PublicTab(Out):
    id: str
    object: Literal["public_tab"] = "public_tab"
    merchant_name: str
    merchant_phone: str | None = Field(
        default=None, description="The number the customer calls the business on, if it gave one."
    )
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
    deposit_refunded: int = Field(
        default=0,
        description="Of the booking's deposit, given back to the card (the bill needed less).",
    )
    deposit_refund_pending: int = Field(
        default=0, description="Of the booking's deposit, being given back to the card."
    )
    deposit_refund_delayed: bool = Field(
        default=False,
        description=(
            "The refund being given back is held up at the card processor (it refused the"
            " request's key): made by itself within a day, with nothing for the customer to do."
        ),
    )
    deposit_refund_refused: int = Field(
        default=0,
        description=(
            "Of the booking's deposit, what the card processor refused to give back to the"
            " card: the business still holds it and owes it to the customer."
        ),
    )
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
    loyalty: PublicLoyalty | None = Field(
        default=None, description="The customer's loyalty card, where the merchant runs one."
    )


def loyalty_view(uow: UnitOfWork, tab: Tab, merchant: Merchant) -> PublicLoyalty | None:
    if not {"loyalty", "referral"} & set(merchant.policy or {}):
        return None  # no programme: nothing to read
    card = loyalty.customer_card(uow, tab.customer_id)
    return PublicLoyalty(
        progress=loyalty.progress_in_words(uow, card),
        rewards=[
            PublicReward(
                id=r.reward_id, words=loyalty.reward_in_words(uow, r), expires_at=r.expires_at
            )
            for r in card.available
        ],
    )


def public_view(uow: UnitOfWork, token: str) -> PublicTab:
    tab = tabs.tab_for_token(uow, token)
    lines = tabs.lines_of(uow, tab)
    # Only a booking's tab has a deposit to give back (a void may have taken
    # all of it off the bill): no query for a walk-in's tab.
    deposited = tab.deposit_applied or any(item.line.voided for item in lines)
    back = deposit_back_of_tab(uow, tab.tab_id) if deposited else DepositBack()
    review = review_of(uow, tab)
    merchant = get_merchant(uow)
    return PublicTab(
        **bill_shown(tab, lines),
        id=tab.tab_id,
        merchant_name=merchant.name,
        merchant_phone=merchant.phone,
        status=tab.status,  # type: ignore[arg-type]
        short_code=tab.short_code,
        deposit_refunded=back.refunded,
        deposit_refund_pending=back.pending,
        deposit_refund_delayed=bool(back.pending) and back.why_pending == KEY_REUSED,
        deposit_refund_refused=back.refused,
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
        loyalty=loyalty_view(uow, tab, merchant),
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
