"""Trust routes: a customer's trust history, and the merchant's tier report."""

from __future__ import annotations

from fastapi import APIRouter, Query

from servefirst.api.context import MerchantUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.customers.service import get_customer, trust_of
from servefirst.merchants.service import get_merchant
from servefirst.trust import service as trust
from servefirst.trust.policy_rules import as_stored
from servefirst.trust.rules import TrustPolicy
from servefirst.trust.schemas import (
    TrustEventOut,
    TrustHistoryOut,
    TrustPolicyIn,
    TrustPolicyOut,
    TrustReportOut,
)

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


def _policy_out(policy: TrustPolicy) -> TrustPolicyOut:
    return TrustPolicyOut.model_validate({"currency": policy.currency, **as_stored(policy)})


@router.get(
    "/v1/merchant/trust-policy",
    tags=["merchant"],
    response_model=TrustPolicyOut,
    summary="The trust policy in force: how scores fade, the tier thresholds, what each unlocks",
    operation_id="get_trust_policy",
)
def get_trust_policy(uow: MerchantUoW) -> TrustPolicyOut:
    get_merchant(uow)
    return _policy_out(trust.policy_for(uow))


@router.post(
    "/v1/merchant/trust-policy",
    tags=["merchant"],
    response_model=TrustPolicyOut,
    summary="Set the trust policy: a preset (balanced, cautious, generous), changes, or both",
    operation_id="set_trust_policy",
)
def set_trust_policy(body: TrustPolicyIn, uow: MerchantUoW) -> TrustPolicyOut:
    changes = body.model_dump(exclude_unset=True, exclude={"preset"})
    return _policy_out(trust.set_policy(uow, changes, preset=body.preset))
