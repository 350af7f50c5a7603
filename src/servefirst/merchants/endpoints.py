from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter

from servefirst.api.context import MerchantUoW
from servefirst.api.fields import Out
from servefirst.api.routing import ServefirstRoute
from servefirst.bookings.rules import CAFE_POLICY, SALON_POLICY
from servefirst.bookings.schemas import DepositPolicyOut, MerchantPolicyIn
from servefirst.bookings.service import merchant_deposit_policy, set_deposit_policy
from servefirst.merchants.service import get_merchant

router = APIRouter(prefix="/v1/merchant", tags=["merchant"], route_class=ServefirstRoute)


class MerchantOut(Out):
    id: str
    object: Literal["merchant"] = "merchant"
    name: str
    currency: str
    created_at: datetime


@router.get(
    "",
    response_model=MerchantOut,
    summary="The merchant this API key belongs to",
    operation_id="get_merchant",
)
def me(uow: MerchantUoW) -> MerchantOut:
    m = get_merchant(uow)
    return MerchantOut(id=m.merchant_id, name=m.name, currency=m.currency, created_at=m.created_at)


@router.get(
    "/deposit-policy",
    response_model=DepositPolicyOut,
    summary="The merchant's deposit and cancellation policy for bookings",
    operation_id="get_deposit_policy",
)
def deposit_policy(uow: MerchantUoW) -> DepositPolicyOut:
    return DepositPolicyOut.build(merchant_deposit_policy(uow))


@router.post(
    "/deposit-policy",
    response_model=DepositPolicyOut,
    summary="Set the deposit policy: a named default (salon, cafe) or your own",
    operation_id="set_deposit_policy",
)
def set_policy(body: MerchantPolicyIn, uow: MerchantUoW) -> DepositPolicyOut:
    chosen = body.deposit_policy
    if isinstance(chosen, str):
        policy = (SALON_POLICY if chosen == "salon" else CAFE_POLICY).as_dict()
    else:
        policy = chosen.overrides()
    return DepositPolicyOut.build(set_deposit_policy(uow, policy))
