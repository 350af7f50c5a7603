from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from servefirst.api.fields import TERMS_RULE, Amount, Body, Name, Out, Terms, TermsOut
from servefirst.bookings.schemas import DepositPolicyIn
from servefirst.catalog.models import Service, ServiceTerms

Duration = Annotated[int, Field(strict=True, ge=1, le=24 * 60 * 7, examples=[30])]
Buffer = Annotated[
    int,
    Field(
        strict=True,
        ge=0,
        le=24 * 60,
        examples=[10],
        description="Minutes kept free after each booking of it (default 0).",
    ),
]


class ServiceIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Flat white",
                    "price": 380,
                    "duration_minutes": 10,
                    "expected_results": ["Double ristretto with steamed whole milk"],
                    "limits": ["Latte art not guaranteed"],
                }
            ]
        }
    )

    name: Name = Field(examples=["Flat white"])
    price: Amount = Field(description="Minor units of the merchant's currency.", examples=[380])
    duration_minutes: Duration
    buffer_minutes: Buffer = 0
    expected_results: Terms = Field(
        description="What the customer can expect." + TERMS_RULE,
        examples=[["Double ristretto with steamed whole milk", "Served within 5 minutes"]],
    )
    limits: Terms = Field(
        description="What the service does not promise, by the same rule.",
        examples=[["Oat milk on request (+0.40)", "Latte art not guaranteed"]],
    )
    deposit_policy: DepositPolicyIn | None = Field(
        default=None,
        description="Overrides of the merchant's deposit policy for bookings of this service.",
    )
    tax_rate_id: str | None = Field(
        default=None,
        max_length=40,
        description="The tax rate its lines are charged at (POST /v1/tax-rates); none: untaxed.",
        examples=["txr_..."],
    )


class ServiceUpdate(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"price": 400, "limits": ["Oat milk on request (+0.40)"]}]}
    )

    name: Name | None = None
    price: Amount | None = None
    duration_minutes: Duration | None = None
    buffer_minutes: Buffer | None = None
    expected_results: Terms | None = Field(
        default=None, description="New terms (a new terms version)." + TERMS_RULE
    )
    limits: Terms | None = Field(default=None, description="New limits, by the same rule.")
    active: bool | None = None
    deposit_policy: DepositPolicyIn | None = Field(
        default=None, description="Replaces the service's deposit overrides; null clears them."
    )
    tax_rate_id: str | None = Field(
        default=None,
        max_length=40,
        description="Another tax rate for lines sold from now on; null: untaxed. Lines already"
        " sold keep theirs.",
    )


class ServiceOut(Out):
    id: str
    object: Literal["service"] = "service"
    name: str
    price: int
    currency: str
    duration_minutes: int
    buffer_minutes: int = Field(description="Minutes kept free after each booking of it.")
    expected_results: TermsOut
    limits: TermsOut
    terms_version: int
    active: bool
    created_at: datetime
    deposit_policy: dict[str, Any] | None = Field(
        default=None, description="This service's overrides of the merchant's deposit policy."
    )
    tax_rate_id: str | None = Field(default=None, description="Its tax rate; none: untaxed.")

    @classmethod
    def build(cls, service: Service, terms: ServiceTerms, currency: str) -> ServiceOut:
        return cls(
            id=service.service_id,
            name=service.name,
            price=service.price,
            currency=currency,
            duration_minutes=service.duration_minutes,
            buffer_minutes=service.buffer_minutes,
            expected_results=terms.expected_results,
            limits=terms.limits,
            terms_version=service.terms_version,
            active=service.active,
            created_at=service.created_at,
            deposit_policy=service.deposit_policy,
            tax_rate_id=service.tax_rate_id,
        )


class ServiceList(Out):
    object: Literal["list"] = "list"
    data: list[ServiceOut]
