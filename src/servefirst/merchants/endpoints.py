from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter

from servefirst.api.context import MerchantUoW
from servefirst.api.fields import Out
from servefirst.api.routing import ServefirstRoute
from servefirst.merchants.service import get_merchant

router = APIRouter(prefix="/v1/merchant", tags=["merchant"], route_class=ServefirstRoute)


class MerchantOut(Out):
    id: str
    object: Literal["merchant"] = "merchant"
    name: str
    currency: str
    created_at: datetime


@router.get("", response_model=MerchantOut, summary="The merchant this API key belongs to")
def me(uow: MerchantUoW) -> MerchantOut:
    m = get_merchant(uow)
    return MerchantOut(id=m.merchant_id, name=m.name, currency=m.currency, created_at=m.created_at)
