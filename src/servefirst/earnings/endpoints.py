"""Staff earnings: the report (JSON and CSV) and the merchant's bonus policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from servefirst.api.context import MerchantUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.earnings import service as earnings
from servefirst.earnings.period import PeriodEdge, period_of
from servefirst.earnings.rules import EarningsPolicy
from servefirst.earnings.schemas import EarningsPolicyIn, EarningsPolicyOut, EarningsReport
from servefirst.kit.csv import write_csv

router = APIRouter(tags=["reports"], route_class=ServefirstRoute)

From = Annotated[
    PeriodEdge | None,
    Query(
        alias="from",
        description="Start, included: a date (2026-11-01) or ISO 8601 time. "
        "Default: the start of this month (UTC).",
    ),
]
To = Annotated[
    PeriodEdge | None,
    Query(
        alias="to",
        description="End, excluded; a bare date includes that whole day. Default: now.",
    ),
]


@router.get(
    "/v1/reports/earnings",
    response_model=EarningsReport,
    response_model_by_alias=True,
    summary="Staff earnings for a period: commission, tips and satisfaction bonus",
)
def get_earnings(uow: MerchantUoW, start: From = None, end: To = None) -> EarningsReport:
    period = period_of(start, end, uow.clock.now())
    return EarningsReport.model_validate(earnings.earnings_report(uow, period))


@router.get(
    "/v1/reports/earnings.csv",
    summary="The same earnings as CSV (amounts in minor units)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def get_earnings_csv(uow: MerchantUoW, start: From = None, end: To = None) -> Response:
    period = period_of(start, end, uow.clock.now())
    rows = earnings.csv_rows(earnings.earnings_report(uow, period))
    name = earnings.csv_name(period)
    return Response(
        write_csv(earnings.CSV_COLUMNS, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _policy_out(policy: EarningsPolicy) -> EarningsPolicyOut:
    return EarningsPolicyOut.model_validate(policy.as_dict())


@router.get(
    "/v1/merchant/earnings-policy",
    response_model=EarningsPolicyOut,
    tags=["staff"],
    summary="The satisfaction bonus policy",
)
def get_earnings_policy(uow: MerchantUoW) -> EarningsPolicyOut:
    return _policy_out(earnings.policy_of(uow))


@router.post(
    "/v1/merchant/earnings-policy",
    response_model=EarningsPolicyOut,
    tags=["staff"],
    summary="Change the satisfaction bonus policy (fields not sent keep their value)",
)
def set_earnings_policy(body: EarningsPolicyIn, uow: MerchantUoW) -> EarningsPolicyOut:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    return _policy_out(earnings.set_policy(uow, changes))
