from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from servefirst.api.fields import Body, IsoTime, Out, ShortText
from servefirst.reviews.models import Review

Rating = Annotated[int, Field(strict=True, ge=1, le=5, examples=[5])]


class ReviewIn(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"rating": 5, "comment": "Lovely, thank you"}]}
    )

    rating: Rating
    comment: ShortText = ""


class ReviewOut(Out):
    id: str
    object: Literal["review"] = "review"
    tab_id: str
    rating: int
    comment: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def build(cls, review: Review) -> ReviewOut:
        return cls(
            id=review.review_id,
            tab_id=review.tab_id,
            rating=review.rating,
            comment=review.comment,
            created_at=review.created_at,
            updated_at=review.updated_at,
        )


class SatisfactionFigures(Out):
    ratings: int = Field(description="Reviews counted.", examples=[6])
    average: str | None = Field(description="Mean rating, 1-5 (a decimal).", examples=["4.33"])
    csat: float | None = Field(description="% of ratings that are 4 or 5.", examples=[83.3])
    nps: float | None = Field(description="% of 5s minus % of 1-3s.", examples=[50.0])
    distribution: dict[str, int] = Field(
        description="Ratings by value, '1' to '5'.",
        examples=[{"1": 0, "2": 0, "3": 1, "4": 2, "5": 3}],
    )


class StaffSatisfaction(SatisfactionFigures):
    staff_id: str
    name: str


class ServiceSatisfaction(SatisfactionFigures):
    service_id: str
    name: str


class SatisfactionReport(Out):
    model_config = ConfigDict(populate_by_name=True)

    object: Literal["satisfaction_report"] = "satisfaction_report"
    from_: IsoTime | None = Field(alias="from", description="Reviews written from (included).")
    to: IsoTime | None = Field(description="Reviews written before (excluded).")
    overall: SatisfactionFigures
    staff: list[StaffSatisfaction]
    services: list[ServiceSatisfaction]
