from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from servefirst.api.fields import Body, Name, Out
from servefirst.customers.models import Customer
from servefirst.customers.rules import PHONE_MAX, PHONE_PATTERN
from servefirst.trust.rules import Trust

Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$"),
]
TaxId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
#: The customers' phone rule (``rules.PHONE_PATTERN``), the one a business's number follows too.
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=PHONE_MAX, pattern=PHONE_PATTERN),
]


class CustomerIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "Ana Costa", "email": "ana@example.com", "phone": "+351 912 345 678"}
            ]
        }
    )

    name: Name = Field(examples=["Ana Costa"])
    email: Email | None = Field(default=None, examples=["ana@example.com"])
    phone: Phone | None = Field(default=None, examples=["+351 912 345 678"])
    referral_code: str | None = Field(
        default=None, max_length=16, description="A friend's referral code, if they sent you."
    )
    messages_opt_out: bool = Field(
        default=False, description="No e-mail or text of any kind (receipts stay on the tab page)."
    )
    tax_id: TaxId | None = Field(
        default=None,
        description="Printed on their receipts: a VAT number with its country's letters"
        " (PT501964843) or a bare number checked by the rules of the merchant's locale's"
        " country; 422 tax_id_invalid.",
        examples=["501964843"],
    )


class CustomerUpdateIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"tax_id": "PT501964843"}]})

    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    tax_id: TaxId | None = Field(default=None, description="'' takes it off.")


class TrustOut(Out):
    score: float = Field(description="0 to 1; a new customer starts at the prior (0.75).")
    tier: Literal["trusted", "standard", "new", "restricted"]
    factors: list[str] = Field(examples=[["3 visits paid on time"]])


class CustomerOut(Out):
    id: str
    object: Literal["customer"] = "customer"
    name: str
    email: str | None
    phone: str | None
    referral_code: str
    referred_by: str | None
    messages_opt_out: bool
    tax_id: str | None = None
    trust: TrustOut
    created_at: datetime

    @classmethod
    def build(cls, customer: Customer, trust: Trust) -> CustomerOut:
        return cls(
            id=customer.customer_id,
            name=customer.name,
            email=customer.email,
            phone=customer.phone,
            referral_code=customer.referral_code,
            referred_by=customer.referred_by,
            messages_opt_out=bool(customer.messages_opt_out),
            tax_id=customer.tax_id,
            trust=TrustOut(**trust.as_dict()),
            created_at=customer.created_at,
        )


class CustomerList(Out):
    object: Literal["list"] = "list"
    data: list[CustomerOut]


class MergeIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"into": "cus_2b9f0c1e7a6d4e3f"}]})

    into: str = Field(
        max_length=40,
        description="The customer who keeps everything; the one in the path is merged"
        " into them and answers 404 afterwards.",
        examples=["cus_2b9f0c1e7a6d4e3f"],
    )
