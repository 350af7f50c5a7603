from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from servefirst.api.fields import Body, Out, ShortText
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
