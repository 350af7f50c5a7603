from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import ConfigDict, Field

from servefirst.api.context import MerchantUoW
from servefirst.api.fields import Body, Out
from servefirst.api.routing import ServefirstRoute
from servefirst.bookings.rules import CAFE_POLICY, SALON_POLICY
from servefirst.bookings.schemas import DepositPolicyOut, MerchantPolicyIn
from servefirst.bookings.service import merchant_deposit_policy, set_deposit_policy
from servefirst.merchants.models import Merchant
from servefirst.merchants.service import NAME_MAX, get_merchant, update_merchant

router = APIRouter(prefix="/v1/merchant", tags=["merchant"], route_class=ServefirstRoute)


class MerchantOut(Out):
    id: str
    object: Literal["merchant"] = "merchant"
    name: str
    currency: str
    timezone: str = Field(description="IANA time zone: report days, times on pages and e-mails.")
    locale: str = Field(description="How numbers, money and dates are written, e.g. 'pt_PT'.")
    slug: str | None = Field(description="The public name in booking links, e.g. 'cafe-azul'.")
    slot_minutes: int = Field(description="The step between times offered for online booking.")
    min_notice_minutes: int = Field(description="Online booking closes this long before a slot.")
    max_days_ahead: int = Field(description="How many days ahead customers may book online.")
    prices_include_tax: bool = Field(
        default=True,
        description="Prices are entered with tax in them (EU custom); false: tax is added on top.",
    )
    tax_rounding: Literal["line", "receipt"] = Field(
        default="line",
        description="Where tax is rounded: each line, or each rate's total on the receipt.",
    )
    legal_name: str | None = Field(
        default=None, description="The seller's registered name, printed on receipts."
    )
    address: str | None = Field(default=None, description="The seller's address, on receipts.")
    tax_id: str | None = Field(default=None, description="The seller's tax id, on receipts.")
    phone: str | None = Field(
        default=None,
        description="The number customers call the business on: on their tab, booking and"
        " receipt pages and in the messages they are sent.",
    )
    created_at: datetime

    @classmethod
    def build(cls, m: Merchant) -> MerchantOut:
        return cls(
            id=m.merchant_id,
            name=m.name,
            currency=m.currency,
            timezone=m.timezone,
            locale=m.locale,
            slug=m.slug,
            slot_minutes=m.slot_minutes,
            min_notice_minutes=m.min_notice_minutes,
            max_days_ahead=m.max_days_ahead,
            prices_include_tax=m.prices_include_tax,
            tax_rounding=m.tax_rounding,  # type: ignore[arg-type]
            legal_name=m.legal_name,
            address=m.address,
            tax_id=m.tax_id,
            phone=m.phone,
            created_at=m.created_at,
        )


class MerchantIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"timezone": "Europe/Lisbon", "locale": "pt_PT"},
                {"slug": "cafe-azul", "slot_minutes": 15, "min_notice_minutes": 120},
                {
                    "legal_name": "Café Azul, Lda.",
                    "address": "Rua Augusta 10\n1100-053 Lisboa",
                    "tax_id": "PT501964843",
                },
                {"phone": "+351 210 000 000"},
            ]
        }
    )

    name: str | None = Field(default=None, max_length=NAME_MAX)
    timezone: str | None = Field(
        default=None, max_length=64, description="An IANA name, e.g. 'Europe/Lisbon'."
    )
    locale: str | None = Field(
        default=None, max_length=16, description="A language and region, e.g. 'pt_PT'."
    )
    slug: str | None = Field(
        default=None,
        max_length=63,
        description="Lowercase letters, digits and hyphens; unique: 409 slug_taken.",
        examples=["cafe-azul"],
    )
    slot_minutes: int | None = Field(default=None, ge=5, le=240, description="Default 15.")
    min_notice_minutes: int | None = Field(
        default=None, ge=0, le=30 * 24 * 60, description="Default 120."
    )
    max_days_ahead: int | None = Field(default=None, ge=1, le=365, description="Default 60.")
    prices_include_tax: bool | None = Field(
        default=None,
        strict=True,
        description="true (default): prices include tax; false: tax is added on top. Open tabs"
        " keep how they were taxed.",
    )
    tax_rounding: Literal["line", "receipt"] | None = Field(
        default=None, description="Round tax per line (default) or per rate on the receipt."
    )
    legal_name: str | None = Field(
        default=None, max_length=200, description="The registered name; '' takes it off."
    )
    address: str | None = Field(
        default=None, max_length=500, description="Lines split by newlines; '' takes it off."
    )
    tax_id: str | None = Field(
        default=None,
        max_length=40,
        description="A VAT number with its country's letters (PT501964843), or a bare number"
        " checked by the rules of the locale's country (a Portuguese NIF's check digit);"
        " 422 tax_id_invalid. '' takes it off.",
    )
    phone: str | None = Field(
        default=None,
        max_length=200,
        description="The number customers call the business on: digits, optionally after a"
        " '+' and with spaces, brackets, dots, slashes or hyphens, at most 40 characters, as"
        " a customer's phone; 422 phone_invalid. '' takes it off.",
        examples=["+351 210 000 000"],
    )


@router.get(
    "",
    response_model=MerchantOut,
    summary="The merchant this API key belongs to",
    operation_id="get_merchant",
)
def me(uow: MerchantUoW) -> MerchantOut:
    return MerchantOut.build(get_merchant(uow))


@router.post(
    "",
    response_model=MerchantOut,
    summary="Change the merchant's name, time zone, locale, slug, online-booking or tax settings"
    " or seller details for receipts (legal name, address, tax id) or phone number",
    operation_id="update_merchant",
    responses={409: {"description": "slug_taken: another business has that slug"}},
)
def update(body: MerchantIn, uow: MerchantUoW) -> MerchantOut:
    booking = body.model_dump(
        include={"slot_minutes", "min_notice_minutes", "max_days_ahead"}, exclude_none=True
    )
    taxes = body.model_dump(include={"prices_include_tax", "tax_rounding"}, exclude_none=True)
    return MerchantOut.build(
        update_merchant(
            uow,
            name=body.name,
            timezone=body.timezone,
            locale=body.locale,
            slug=body.slug,
            booking=booking,
            taxes=taxes,
            seller=body.model_dump(include={"legal_name", "address", "tax_id"}, exclude_none=True),
            phone=body.phone,
        )
    )


@router.get(
    "/deposit-policy",
    response_model=DepositPolicyOut,
    summary="The merchant's deposit and cancellation policy for bookings",
    operation_id="get_deposit_policy",
)
def deposit_policy(uow: MerchantUoW) -> DepositPolicyOut:
    return DepositPolicyOut.build(merchant_deposit_policy(uow))


@router.post(
    "/deposit-policy",
    response_model=DepositPolicyOut,
    summary="Set the deposit policy: a named default (salon, cafe) or your own",
    operation_id="set_deposit_policy",
)
def set_policy(body: MerchantPolicyIn, uow: MerchantUoW) -> DepositPolicyOut:
    chosen = body.deposit_policy
    if isinstance(chosen, str):
        policy = (SALON_POLICY if chosen == "salon" else CAFE_POLICY).as_dict()
    else:
        policy = chosen.overrides()
    return DepositPolicyOut.build(set_deposit_policy(uow, policy))
