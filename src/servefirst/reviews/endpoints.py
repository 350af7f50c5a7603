"""Reviews: one rating (1-5) and comment per tab; replaceable until paid.
And what they add up to: CSAT and NPS-style figures per staff member and service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from servefirst.api.context import MerchantUoW, TabUoW
from servefirst.api.fields import CALENDAR_START
from servefirst.api.routing import ServefirstRoute
from servefirst.earnings.period import PeriodEdge, period_of
from servefirst.reviews import service as reviews
from servefirst.reviews.schemas import ReviewIn, ReviewOut

router = APIRouter(tags=["customer"], route_class=ServefirstRoute)


@router.post(
    "/v1/public/tabs/{token}/review",
    status_code=201,
    response_model=ReviewOut,
    summary="Rate the service (a second review replaces the first until paid)",
)
def review_tab(token: str, body: ReviewIn, uow: TabUoW) -> ReviewOut:
    return ReviewOut.build(reviews.review_tab(uow, token, rating=body.rating, comment=body.comment))


_FIGURES = {"ratings": 6, "average": "4.33", "csat": 83.3, "nps": 50.0}
_EXAMPLE = {
    "object": "satisfaction_report",
    "from": None,
    "to": None,
    "overall": {**_FIGURES, "distribution": {"1": 0, "2": 0, "3": 1, "4": 2, "5": 3}},
    "staff": [{"staff_id": "stf_...", "name": "Marta Silva", **_FIGURES}],
    "services": [{"service_id": "svc_...", "name": "Haircut", **_FIGURES}],
}


@router.get(
    "/v1/reports/satisfaction",
    tags=["reports"],
    summary="CSAT (% of 4-5 ratings) and NPS-style (% 5s minus % 1-3s) per staff and service",
    responses={200: {"content": {"application/json": {"example": _EXAMPLE}}}},
)
def get_satisfaction(
    uow: MerchantUoW,
    start: Annotated[
        PeriodEdge | None, Query(alias="from", description="Reviews written from (date or time).")
    ] = None,
    end: Annotated[
        PeriodEdge | None,
        Query(alias="to", description="Reviews written before; a bare date: through."),
    ] = None,
) -> dict[str, Any]:
    since_ever = CALENDAR_START.isoformat()
    period = period_of(start or since_ever, end, uow.clock.now()) if start or end else None
    return reviews.satisfaction_report(uow, period)
