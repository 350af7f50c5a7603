from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from servefirst.api.fields import NO_NUL, Amount, Body, Out, Tip
from servefirst.payments.refund_models import Refund

Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=NO_NUL)
]


class RefundIn(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"amount": 380, "reason": "Charged twice for a coffee"}]}
    )

    amount: Amount | None = Field(
        default=None,
        description="The part of the bill given back. With neither amount nor tip, all that is "
        "left of both; with only tip, 0.",
    )
    tip: Tip | None = Field(
        default=None, description="The part of the tip given back; with only amount, 0."
    )
    reason: Reason = Field(description="Why, in your words; kept with the refund.")


class RefundOut(Out):
    id: str
    object: Literal["refund"] = "refund"
    payment_id: str
    tab_id: str
    method: str
    amount: int
    tip: int
    status: Literal["pending", "succeeded", "failed"]
    reason: str
    failure_code: str | None = Field(
        description="What the processor said when it refused. On a `pending` refund, why it is"
        " held up: `processor_key_reused`, Stripe refused its key (first used with other"
        " parameters) and nothing was refunded yet; asked again until made, within 24 hours."
    )
    created_at: datetime

    @classmethod
    def build(cls, refund: Refund) -> RefundOut:
        return cls(
            id=refund.refund_id,
            payment_id=refund.payment_id,
            tab_id=refund.tab_id,
            method=refund.method,
            amount=refund.amount,
            tip=refund.tip,
            status=refund.status,  # type: ignore[arg-type]
            reason=refund.reason,
            failure_code=refund.failure_code,
            created_at=refund.created_at,
        )


class RefundList(Out):
    object: Literal["list"] = "list"
    data: list[RefundOut]


class VoidLineIn(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Rang up a latte; it was a flat white"}]}
    )

    reason: Reason = Field(description="Why; the customer's page shows it beside the line.")
