from __future__ import annotations

from fastapi import APIRouter

from servefirst.api.context import MerchantUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.reports.schemas import CashFlowReport
from servefirst.reports.service import cash_flow

router = APIRouter(prefix="/v1/reports", tags=["reports"], route_class=ServefirstRoute)


@router.get(
    "/cash-flow",
    response_model=CashFlowReport,
    summary="Collected by method, tips, what is owed by age, adjustments, write-offs, deposits",
)
def get_cash_flow(uow: MerchantUoW) -> CashFlowReport:
    return CashFlowReport.model_validate(cash_flow(uow))
