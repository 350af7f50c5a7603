from __future__ import annotations

from fastapi import APIRouter

from servefirst.api.context import MerchantUoW, TabUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.guarantee import service as guarantee
from servefirst.guarantee.schemas import ConcernIn, ConcernList, ConcernOut, ResolveIn
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
def resolve(tab_id: str, concern_id: str, body: ResolveIn, uow: MerchantUoW) -> ConcernOut:
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
