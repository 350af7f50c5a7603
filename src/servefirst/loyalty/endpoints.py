"""Loyalty through the API: the programme (an API key acts as the owner) and a
customer's card."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Query

from servefirst.api.context import MerchantUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.kit.i18n import use_language
from servefirst.loyalty import referrals
from servefirst.loyalty import service as loyalty
from servefirst.loyalty.schemas import (
    CustomerLoyaltyOut,
    LoyaltyProgramIn,
    LoyaltyProgramOut,
    LoyaltyReportOut,
    ReferralProgramIn,
    ReferralProgramOut,
    body_of,
)
from servefirst.merchants.service import get_merchant
from servefirst.reports.loyalty import loyalty_report

router = APIRouter(route_class=ServefirstRoute)


@router.get(
    "/v1/merchant/loyalty-program",
    tags=["merchant"],
    response_model=LoyaltyProgramOut,
    summary="The loyalty programme in force (a stamp card or points), if any",
    operation_id="get_loyalty_program",
)
def get_loyalty_program(uow: MerchantUoW) -> LoyaltyProgramOut:
    return LoyaltyProgramOut.build(loyalty.get_program(uow))


@router.post(
    "/v1/merchant/loyalty-program",
    tags=["merchant"],
    response_model=LoyaltyProgramOut,
    summary="Set the merchant's one loyalty programme (replaces the one in force)",
    operation_id="set_loyalty_program",
)
def set_loyalty_program(body: LoyaltyProgramIn, uow: MerchantUoW) -> LoyaltyProgramOut:
    return LoyaltyProgramOut.build(loyalty.set_program(uow, body_of(body)))


@router.get(
    "/v1/customers/{customer_id}/loyalty",
    tags=["customers"],
    response_model=CustomerLoyaltyOut,
    summary="A customer's stamps or points, progress in words, rewards and history",
    operation_id="get_customer_loyalty",
)
def get_customer_loyalty(customer_id: str, uow: MerchantUoW) -> CustomerLoyaltyOut:
    card = loyalty.customer_card(uow, customer_id)
    merchant = get_merchant(uow)
    with use_language(merchant.locale):
        return CustomerLoyaltyOut.build(card, loyalty.progress_in_words(uow, card), uow.clock.now())


@router.get(
    "/v1/merchant/referral-program",
    tags=["merchant"],
    response_model=ReferralProgramOut,
    summary="The referral programme in force, if any",
    operation_id="get_referral_program",
)
def get_referral_program(uow: MerchantUoW) -> ReferralProgramOut:
    return ReferralProgramOut.build(referrals.get_program(uow))


@router.post(
    "/v1/merchant/referral-program",
    tags=["merchant"],
    response_model=ReferralProgramOut,
    summary="Set the referral programme: the friend's welcome, the referrer's thanks, the limits",
    operation_id="set_referral_program",
)
def set_referral_program(body: ReferralProgramIn, uow: MerchantUoW) -> ReferralProgramOut:
    return ReferralProgramOut.build(referrals.set_program(uow, body_of(body)))


@router.get(
    "/v1/reports/loyalty",
    tags=["reports"],
    response_model=LoyaltyReportOut,
    summary="Members against non-members (visits, spend, on-time payment), rewards, cost",
    operation_id="get_loyalty_report",
)
def get_loyalty_report(
    uow: MerchantUoW,
    days: int = Query(90, ge=1, le=366, description="The period: the last this many days."),
) -> LoyaltyReportOut:
    end = uow.clock.now()
    return LoyaltyReportOut.build(loyalty_report(uow, end - timedelta(days=days), end))
