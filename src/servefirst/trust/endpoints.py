"""Trust routes: a customer's trust history, and the merchant's tier report."""

from __future__ import annotations

from fastapi import APIRouter, Query

from servefirst.api.context import MerchantUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.customers.service import get_customer, trust_of
from servefirst.trust import service as trust
from servefirst.trust.schemas import TrustEventOut, TrustHistoryOut, TrustReportOut

router = APIRouter(route_class=ServefirstRoute)


@router.get(
    "/v1/customers/{customer_id}/trust/history",
    tags=["customers"],
    response_model=TrustHistoryOut,
    summary="How a customer's trust score moved over time, and why",
)
def get_trust_history(
    customer_id: str, uow: MerchantUoW, limit: int = Query(100, ge=1, le=500)
) -> TrustHistoryOut:
    customer = get_customer(uow, customer_id)
    now = trust_of(uow, customer)
    policy = trust.policy_for(uow)
    return TrustHistoryOut(
        customer_id=customer.customer_id,
        score=round(now.score, 4),
        tier=now.tier.value,
        factors=now.factors,
        half_life_days=policy.half_life_days,
        data=[TrustEventOut.build(e) for e in trust.history(uow, customer_id, limit=limit)],
    )


@router.get(
    "/v1/reports/trust",
    tags=["reports"],
    response_model=TrustReportOut,
    summary="Customers per trust tier, and how each tier paid, showed up and cost",
)
def get_trust_report(uow: MerchantUoW) -> TrustReportOut:
    return TrustReportOut.build(trust.report(uow))
