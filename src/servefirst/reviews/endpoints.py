from __future__ import annotations

from fastapi import APIRouter

from servefirst.api.context import TabUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.reviews import service as reviews
from servefirst.reviews.schemas import ReviewIn, ReviewOut

router = APIRouter(tags=["customer"], route_class=ServefirstRoute)


@router.post(
    "/v1/public/tabs/{token}/review",
    status_code=201,
    response_model=ReviewOut,
    summary="Rate the service (a second review replaces the first until paid)",
)
def review(token: str, body: ReviewIn, uow: TabUoW) -> ReviewOut:
    return ReviewOut.build(reviews.review_tab(uow, token, rating=body.rating, comment=body.comment))
