"""Shapes of the earnings report and the earnings policy."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from servefirst.api.fields import Body, Out


class EarningsPolicyIn(Body):
    """Only the fields sent change."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"bonus_min_reviews": 5, "bonus_min_average": "4.5", "bonus_percent": "2"}]
        }
    )

    bonus_min_reviews: int | None = Field(
        default=None, ge=1, le=100_000, description="Ratings needed in the period for a bonus."
    )
    bonus_min_average: str | None = Field(
        default=None,
        pattern=r"^[1-5](\.\d{1,2})?$",
        description="Average rating (1-5) a member needs, at least, for the bonus.",
    )
    bonus_percent: str | None = Field(
        default=None,
        pattern=r"^\d{1,3}(\.\d{1,2})?$",
        description="The bonus: this percent of what was paid for their lines.",
    )


class EarningsPolicyOut(Out):
    object: Literal["earnings_policy"] = "earnings_policy"
    bonus_min_reviews: int
    bonus_min_average: str
    bonus_percent: str


class StaffEarnings(Out):
    staff_id: str
    name: str
    commission_rate_bps: int
    tabs: int = Field(description="Settled tabs with at least one of their lines.")
    sales: int = Field(description="Their line amounts, before adjustments.")
    adjustments: int = Field(description="Their share of the guarantee discounts.")
    paid: int = Field(description="Their share of what was paid for the bills (tips apart).")
    commission: int = Field(description="paid x rate, half-up on the period's sum.")
    tips: int
    ratings: int
    average_rating: str | None
    bonus_eligible: bool
    bonus: int
    total: int = Field(description="commission + tips + bonus")


class Unassigned(Out):
    tabs: int
    sales: int
    adjustments: int
    paid: int
    tips: int


class Totals(Out):
    sales: int
    adjustments: int
    paid: int
    commission: int
    tips: int
    bonus: int
    total: int


class EarningsReport(Out):
    model_config = ConfigDict(populate_by_name=True)

    object: Literal["earnings_report"] = "earnings_report"
    currency: str
    period_from: str = Field(alias="from", serialization_alias="from")
    period_to: str = Field(alias="to", serialization_alias="to")
    policy: EarningsPolicyOut
    staff: list[StaffEarnings]
    unassigned: Unassigned = Field(description="Lines nobody was named on.")
    totals: Totals
