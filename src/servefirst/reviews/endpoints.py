"""Reviews: one rating (1-5) and comment per tab; replaceable until paid.
And what they add up to: CSAT and NPS-style figures per staff member and service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from servefirst.api.context import MerchantUoW, TabUoW
from servefirst.api.fields import CALENDAR_START
from servefirst.api.routing import ServefirstRoute
from servefirst.earnings.period import PeriodEdge, period_of
from servefirst.reviews import service as reviews
from servefirst.reviews.schemas import ReviewIn, ReviewOut, SatisfactionReport

router = APIRouter(tags=["customer"], route_class=ServefirstRoute)


@router.post(
    "/v1/public/tabs/{token}/review",
    status_code=201,
    response_model=ReviewOut,
    summary="Rate the service (a second review replaces the first until paid)",
)
def review_tab(token: str, body: ReviewIn, uow: TabUoW) -> ReviewOut:
    return ReviewOut.build(reviews.review_tab(uow, token, rating=body.rating, comment=body.comment))


@router.get(
    "/v1/reports/satisfaction",
    tags=["reports"],
    summary="CSAT (% of 4-5 ratings) and NPS-style (% 5s minus % 1-3s) per staff and service",
    response_model=SatisfactionReport,
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
) -> SatisfactionReport:
    since_ever = CALENDAR_START.isoformat()
    period = period_of(start or since_ever, end, uow.clock.now()) if start or end else None
    return SatisfactionReport.model_validate(reviews.satisfaction_report(uow, period))
