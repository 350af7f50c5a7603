from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from servefirst.api.context import MerchantUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.reports.service import cash_flow as build_cash_flow

router = APIRouter(prefix="/v1/reports", tags=["reports"], route_class=ServefirstRoute)

_EXAMPLE = {
    "currency": "EUR",
    "collected": {
        "total": 2350,
        "by_method": {"cash": 1200, "card": 1150, "card_terminal": 0},
        "for_services": 2200,
        "tips": 150,
    },
    "receivables": {
        "total": 760,
        "open": 380,
        "served_unpaid": 380,
        "overdue": 0,
        "by_age": [{"age": "0-1 days", "tabs": 2, "amount": 760}],
    },
    "adjustments": {"total": 90},
    "write_offs": {"total": 0},
    "deposits": {"held": 400, "on_hold": 300, "applied": 1200, "refunded": 300, "forfeited": 150},
}


@router.get(
    "/cash-flow",
    summary="Collected by method, tips, what is owed by age, adjustments, write-offs, deposits",
    responses={200: {"content": {"application/json": {"example": _EXAMPLE}}}},
)
def get_cash_flow(uow: MerchantUoW) -> dict[str, Any]:
    return build_cash_flow(uow)
