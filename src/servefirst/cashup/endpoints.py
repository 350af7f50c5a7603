"""Closing the day through the API (an API key acts as the owner)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from servefirst.api.context import MerchantUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.cashup import service as cashup
from servefirst.cashup.schemas import DayCloseIn, DayCloseOut

router = APIRouter(prefix="/v1/day-closes", tags=["reports"], route_class=ServefirstRoute)

API_KEY = cashup.Closer("api_key", "API key")


@router.post(
    "",
    status_code=201,
    response_model=DayCloseOut,
    summary="Close the day: the drawer's count against the ledger, the difference booked",
    operation_id="close_day",
    responses={409: {"description": "The day is already closed (`day_already_closed`)."}},
)
def close_day(body: DayCloseIn, uow: MerchantUoW) -> DayCloseOut:
    report = cashup.close_day(
        uow,
        closer=API_KEY,
        opening_float=body.opening_float,
        counted=body.counted,
        day=body.date,
    )
    return DayCloseOut.build(report)


@router.get(
    "/{date}",
    response_model=DayCloseOut,
    summary="A closed day and its Z report (takings, tips, refunds, voids, over/short)",
    operation_id="get_day_close",
)
def get_day_close(date: dt.date, uow: MerchantUoW) -> DayCloseOut:
    return DayCloseOut.build(cashup.get_day_close(uow, date))
