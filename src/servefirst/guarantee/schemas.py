from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import ConfigDict, Field

from servefirst.api.fields import Amount, Body, Out, ShortText
from servefirst.guarantee.models import Concern
from servefirst.tabs.service import bill_of

if TYPE_CHECKING:
    from servefirst.tabs.models import Tab


class ConcernIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reason": "The milk was cold", "remedy": "partial", "amount": 100}]
        }
    )

    reason: ShortText = Field(min_length=1, examples=["The milk was cold"])
    remedy: Literal["redo", "partial", "waive"]
    amount: Amount | None = Field(default=None, description="The discount asked for (partial).")


class ResolveIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"decision": "approve", "amount": 200, "reason": "Sorry about that."}]
        }
    )

    decision: Literal["approve", "reject"]
    amount: Amount | None = Field(
        default=None, description="Discount granted; default what was asked."
    )
    reason: ShortText | None = Field(default=None, description="Shown to the customer.")
    unfounded: bool = Field(
        default=False, description="Rejected as unfounded: counts against trust."
    )


class ConcernOut(Out):
    id: str
    object: Literal["concern"] = "concern"
    tab_id: str
    reason: str
    remedy: Literal["redo", "partial", "waive"]
    requested_amount: int | None
    approved_amount: int
    status: Literal["approved", "pending", "rejected"]
    decision: str = Field(description="Why, in plain words.")
    unfounded: bool
    tab_status: str
    amount_due: int
    created_at: datetime
    resolved_at: datetime | None

    @classmethod
    def build(cls, concern: Concern, tab: Tab) -> ConcernOut:
        return cls(
            id=concern.concern_id,
            tab_id=concern.tab_id,
            reason=concern.reason,
            remedy=concern.remedy,  # type: ignore[arg-type]
            requested_amount=concern.requested_amount,
            approved_amount=concern.approved_amount,
            status=concern.status,  # type: ignore[arg-type]
            decision=concern.decision,
            unfounded=concern.unfounded,
            tab_status=tab.status,
            amount_due=bill_of(tab).due,
            created_at=concern.created_at,
            resolved_at=concern.resolved_at,
        )


class ConcernList(Out):
    object: Literal["list"] = "list"
    data: list[ConcernOut]


TierName = Literal["trusted", "standard", "new", "restricted"]


class GuaranteePolicyIn(Body):
    """Only the fields sent change; the others keep their value."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "auto_approve_percent": "20",
                    "waive_needs_review": True,
                    "claim_limit": 2,
                    "claim_period_days": 90,
                    "over_limit": "review",
                    "review_tiers": ["new", "restricted"],
                }
            ]
        }
    )

    auto_approve_percent: str | None = Field(
        default=None,
        pattern=r"^\d{1,3}(\.\d{1,2})?$",
        description="Largest share of a tab's bill (before discounts) taken off without review,"
        " in percent, as a decimal string.",
    )
    waive_needs_review: bool | None = None
    claim_limit: int | None = Field(
        default=None,
        ge=0,
        le=1000,
        description="Approved claims a customer may have per period before staff decide;"
        " send null to remove the limit.",
    )
    claim_period_days: int | None = Field(default=None, ge=1, le=3660)
    over_limit: Literal["review", "reject"] | None = Field(
        default=None, description="Past the claim limit: staff decide, or refuse at once."
    )
    review_tiers: list[TierName] | None = Field(
        default=None, description="Trust tiers whose concerns always wait for staff."
    )


class GuaranteePolicyOut(Out):
    object: Literal["guarantee_policy"] = "guarantee_policy"
    auto_approve_percent: str
    waive_needs_review: bool
    claim_limit: int | None
    claim_period_days: int
    over_limit: Literal["review", "reject"]
    review_tiers: list[TierName]
