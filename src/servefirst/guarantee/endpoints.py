"""The satisfaction guarantee: a customer's "this was not right" before paying.

A concern asks for a remedy (``redo``, ``partial``, ``waive``); the merchant's
policy answers ``approved``, ``pending`` (staff decide) or ``rejected``. An
approved discount is a balanced entry on the satisfaction-adjustments
contra-revenue account.
"""

from __future__ import annotations

from fastapi import APIRouter

from servefirst.api.context import MerchantUoW, TabUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.guarantee import service as guarantee
from servefirst.guarantee.rules import GuaranteePolicy
from servefirst.guarantee.schemas import (
    ConcernIn,
    ConcernList,
    ConcernOut,
    GuaranteePolicyIn,
    GuaranteePolicyOut,
    ResolveIn,
)
from servefirst.tabs import service as tabs

router = APIRouter(tags=["guarantee"], route_class=ServefirstRoute)


@router.post(
    "/v1/public/tabs/{token}/concerns",
    status_code=201,
    response_model=ConcernOut,
    summary="The customer says it was not right, before paying",
    tags=["customer"],
)
def raise_concern(token: str, body: ConcernIn, uow: TabUoW) -> ConcernOut:
    concern = guarantee.raise_concern(
        uow, token, reason=body.reason, remedy=body.remedy, amount=body.amount
    )
    return ConcernOut.build(concern, tabs.get_tab(uow, concern.tab_id))


@router.get(
    "/v1/tabs/{tab_id}/concerns", response_model=ConcernList, summary="The concerns raised on a tab"
)
def list_concerns(tab_id: str, uow: MerchantUoW) -> ConcernList:
    tab = tabs.get_tab(uow, tab_id)
    return ConcernList(data=[ConcernOut.build(c, tab) for c in guarantee.concerns_of(uow, tab_id)])


@router.post(
    "/v1/tabs/{tab_id}/concerns/{concern_id}/resolve",
    response_model=ConcernOut,
    summary="Staff approve (with an amount) or reject a pending concern",
)
def resolve_concern(tab_id: str, concern_id: str, body: ResolveIn, uow: MerchantUoW) -> ConcernOut:
    concern = guarantee.resolve(
        uow,
        tab_id,
        concern_id,
        decision=body.decision,
        amount=body.amount,
        reason=body.reason,
        unfounded=body.unfounded,
    )
    return ConcernOut.build(concern, tabs.get_tab(uow, tab_id))


def _policy_out(policy: GuaranteePolicy) -> GuaranteePolicyOut:
    return GuaranteePolicyOut.model_validate(policy.as_dict())


@router.get(
    "/v1/merchant/guarantee-policy",
    response_model=GuaranteePolicyOut,
    summary="The merchant's guarantee policy: what is approved without staff",
)
def get_guarantee_policy(uow: MerchantUoW) -> GuaranteePolicyOut:
    return _policy_out(guarantee.policy_of(uow))


@router.post(
    "/v1/merchant/guarantee-policy",
    response_model=GuaranteePolicyOut,
    summary="Change the guarantee policy (fields not sent keep their value)",
)
def set_guarantee_policy(body: GuaranteePolicyIn, uow: MerchantUoW) -> GuaranteePolicyOut:
    changes = body.model_dump(exclude_unset=True)
    # null means "no limit" for claim_limit only; elsewhere it means "unchanged".
    changes = {k: v for k, v in changes.items() if v is not None or k == "claim_limit"}
    return _policy_out(guarantee.set_policy(uow, changes))
