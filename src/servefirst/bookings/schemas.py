from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from servefirst.api.fields import Amount, Body, Moment, Out
from servefirst.bookings.holds import latest_hold
from servefirst.bookings.models import Booking
from servefirst.bookings.refund_answers import refund_answers_of
from servefirst.bookings.rules import PRESETS, DepositPolicy
from servefirst.db.uow import UnitOfWork

BookingStatusName = Literal["confirmed", "checked_in", "cancelled", "no_show"]
DepositStatusName = Literal["none", "pending", "held", "applied", "refunded", "forfeited"]
PresetName = Literal["flexible", "fair", "moderate", "strict"]
TierName = Literal["trusted", "standard", "new", "restricted"]
assert set(PresetName.__args__) == set(PRESETS)  # type: ignore[attr-defined]


#: Fields of the policy where null is a value of its own ("no maximum", "no
#: fixed amount"); for every other field null means "keep the default", as
#: leaving it out does.
_NULL_IS_A_VALUE = frozenset(
    name for name, value in DepositPolicy().as_dict().items() if value is None
)


class DepositPolicyIn(Body):
    """A deposit policy, or overrides of one: only the fields given change;
    a field sent as null keeps its default (``maximum`` and ``fixed`` null mean none)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "enabled": True,
                    "percent": "15",
                    "minimum": 200,
                    "maximum": 2000,
                    "preset": "fair",
                    "mode": "hold",
                    "cancel_window_hours": 24,
                }
            ]
        }
    )

    enabled: bool | None = Field(default=None, description="Ask for deposits at all.")
    percent: Annotated[Decimal, Field(ge=0, le=100)] | None = Field(
        default=None, description="Deposit as a share of the price (0–100).", examples=["15"]
    )
    minimum: Amount | None = None
    maximum: Amount | None = None
    fixed: Amount | None = Field(default=None, description="A fixed deposit; wins over percent.")
    cancel_window_hours: Annotated[int, Field(ge=0, le=24 * 60)] | None = Field(
        default=None, description="Cancelling at least this long before the start is free."
    )
    preset: PresetName | None = Field(
        default=None,
        description="What a late cancellation / no-show costs, as a share of the price: "
        "flexible 0/10%, fair 10/30%, moderate 30/50%, strict 50/100%.",
    )
    mode: Literal["capture", "hold"] | None = Field(
        default=None, description="capture takes the deposit now; hold only authorises it."
    )
    required_for: list[TierName] | None = Field(
        default=None,
        description="Trust tiers always asked for a deposit (restricted always is); the"
        " no-show model decides for everyone else.",
    )
    ask_share: Annotated[Decimal, Field(ge=0, le=1)] | None = Field(
        default=None,
        description="The share of bookings (the riskiest) asked for a deposit; default 0.3.",
        examples=["0.3"],
    )
    loss_threshold: Amount | None = Field(
        default=None,
        description="Instead of a share: ask where the expected loss (chance of a no-show"
        " times the price, minor units) reaches this.",
    )
    hold_days: Annotated[int, Field(ge=1, le=30)] | None = None
    no_show_charge_days: Annotated[int, Field(ge=0, le=365)] | None = None
    no_shows_before_deposit: Annotated[int, Field(ge=1, le=100)] | None = None

    def overrides(self) -> dict[str, Any]:
        data = {
            name: value
            for name, value in self.model_dump(exclude_unset=True).items()
            if value is not None or name in _NULL_IS_A_VALUE
        }
        for name in ("percent", "ask_share"):
            if data.get(name) is not None:
                data[name] = str(data[name])
        return data


class MerchantPolicyIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"deposit_policy": "salon"},
                {"deposit_policy": {"enabled": True, "fixed": 500, "preset": "strict"}},
            ]
        }
    )

    deposit_policy: Literal["salon", "cafe"] | DepositPolicyIn = Field(
        description="A named default (salon: 15% between 2.00 and 20.00, fair; café: none), "
        "or a policy; fields left out take the defaults."
    )


class DepositPolicyOut(Out):
    enabled: bool
    percent: str
    minimum: int
    maximum: int | None
    fixed: int | None
    cancel_window_hours: int
    preset: str
    mode: str
    required_for: list[str]
    ask_share: str
    loss_threshold: int | None
    hold_days: int
    no_show_charge_days: int
    no_shows_before_deposit: int

    @classmethod
    def build(cls, policy: DepositPolicy) -> DepositPolicyOut:
        return cls(**policy.as_dict())


class CancelIn(Body):
    """Who calls the booking off; leaving the body out is the customer."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"by": "business"}]})

    by: Literal["customer", "business"] = Field(
        default="customer",
        description="`customer` (the default): the customer cancels, on their own or by"
        " asking staff; inside the cancellation window the policy's late-cancellation fee is"
        " kept from the deposit and counted in their history. `business`: the business calls"
        " the booking off; the whole deposit is refunded (or the whole card hold released),"
        " no fee, nothing counted against the customer.",
    )


class RescheduleIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"starts_at": "2026-12-02T15:00:00+01:00", "staff_id": "stf_8kq2m4x7c1v9b3nd"}
            ]
        }
    )

    starts_at: Moment = Field(
        description="The new start, ISO 8601 with a time zone; the length stays the same.",
        examples=["2026-12-02T15:00:00+01:00"],
    )
    staff_id: str | None = Field(
        default=None,
        max_length=40,
        pattern=r"^[^\x00]*$",
        description="Who will serve instead, a staff member's id; by default the same person"
        " (a booking made online for anyone goes to another who performs the service when its"
        " own person is taken then)."
        " An id that is no member of this business answers 404 `resource_missing`"
        " (param `staff_id`) and nothing moves.",
    )


class BookingIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "customer_id": "cus_3kx9f2qz7m4w8d1b",
                    "service_id": "svc_7hq2m9x4c1v8b3nd",
                    "starts_at": "2026-12-01T10:30:00+01:00",
                    "staff_id": "stf_8kq2m4x7c1v9b3nd",
                    "card": "4242424242424242",
                }
            ]
        }
    )

    customer_id: str = Field(max_length=40, examples=["cus_..."])
    service_id: str = Field(max_length=40, examples=["svc_..."])
    starts_at: Moment = Field(
        description="ISO 8601 with a time zone (a time without one is refused),"
        " in the years 2000 to 2100.",
        examples=["2026-12-01T10:30:00+01:00"],
    )
    staff_id: str | None = Field(
        default=None,
        max_length=40,
        pattern=r"^[^\x00]*$",
        description="Who will serve, a staff member's id (`GET /v1/staff`); their bookings"
        " never overlap. An id that is no member of this business (made up, or another"
        " business's) answers 404 `resource_missing` (param `staff_id`) and nothing is"
        " booked.",
    )
    card: str | None = Field(
        default=None,
        max_length=32,
        examples=["4242424242424242"],
        description="A sandbox test card for the deposit, when one is needed.",
    )
    payment_method: str | None = Field(
        default=None,
        max_length=255,
        examples=["pm_1PqR..."],
        description="With a merchant on Stripe: the PaymentMethod (made by Stripe.js) for"
        " the deposit, instead of `card`; a card kept on file is a Stripe Customer.",
    )


class HoldOut(Out):
    plan: str = Field(description="hold, hold_and_renew, or capture (too far ahead for a hold).")
    amount: int | None
    status: str | None = Field(description="active, captured, released, expired, replaced.")
    expires_at: datetime | None
    card_last4: str | None


class DepositOut(Out):
    required: bool
    amount: int
    status: DepositStatusName
    mode: str
    reason: str = Field(description="Why, in words: the tier, or the no-show model's top factors.")
    probability: float | None = Field(
        default=None, description="The no-show model's chance of a no-show, when it decided."
    )
    model_version: str | None = Field(
        default=None, description="The version of the no-show model that decided."
    )
    hold: HoldOut | None = Field(description="How the deposit is kept, for a hold-mode policy.")
    fee: int = Field(description="Kept as a no-show or late-cancellation fee.")
    refund: int = Field(description="Given back (or released from the hold).")
    refund_status: Literal["pending", "succeeded", "failed"] | None = Field(
        default=None,
        description="How the card processor answered the refund of a captured deposit"
        " (`refund`): `pending` on its way, `succeeded` refunded, `failed` refused (the money"
        " is still held, owed to the customer: `outcome_reason` says why; the business gives"
        " it back another way). Of several refunds, a refused one first, then one on its"
        " way. null: no refund of a captured deposit was asked (nothing to give back, or a"
        " card hold released).",
    )
    refund_failure_code: str | None = Field(
        default=None,
        description="Why a refund of the deposit still pending waits, beside"
        " `refund_status`: `processor_key_reused` while the card processor refuses its"
        " idempotency key (first used with other details): nothing refunded yet, it is asked"
        " again by itself and made within 24 hours; do not refund it again meanwhile. null"
        " when none is pending or it simply waits for the processor's answer (a refused one:"
        " `outcome_reason` says why).",
    )
    move_fee: int = Field(
        default=0,
        description="Kept by late moves before the booking ended (``amount`` is what followed"
        " it after them): with ``fee``, all the deposit's fees.",
    )


class BookingOut(Out):
    id: str
    object: Literal["booking"] = "booking"
    status: BookingStatusName
    customer_id: str
    service_id: str
    staff_id: str | None
    starts_at: datetime
    ends_at: datetime
    price: int
    currency: str
    tab_id: str | None
    token: str = Field(description="The customer's credential for their calendar file.")
    calendar_url: str
    deposit: DepositOut
    outcome_reason: str | None
    created_at: datetime
    closed_at: datetime | None

    @classmethod
    def build(cls, uow: UnitOfWork, booking: Booking, public_url: str) -> BookingOut:
        hold_out = None
        if booking.hold_plan is not None:
            hold = latest_hold(uow, booking_id=booking.booking_id)
            hold_out = HoldOut(
                plan=booking.hold_plan,
                amount=hold.amount if hold else None,
                status=hold.status if hold else None,
                expires_at=hold.expires_at if hold else None,
                card_last4=hold.card_last4 if hold else None,
            )
        refunds = refund_answers_of(uow, [booking])[booking.booking_id]
        return cls(
            id=booking.booking_id,
            status=booking.status,  # type: ignore[arg-type]
            customer_id=booking.customer_id,
            service_id=booking.service_id,
            staff_id=booking.staff_id,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            price=booking.price,
            currency=booking.currency,
            tab_id=booking.tab_id,
            token=booking.token,
            calendar_url=f"{public_url}/v1/public/bookings/{booking.token}.ics",
            deposit=DepositOut(
                required=booking.deposit_required,
                amount=booking.deposit_amount,
                status=booking.deposit_status,  # type: ignore[arg-type]
                mode=booking.deposit_mode,
                reason=booking.deposit_reason,
                probability=booking.risk_probability,
                model_version=booking.risk_model_version,
                hold=hold_out,
                fee=booking.deposit_fee,
                refund=booking.deposit_refund,
                refund_status=refunds.status,
                refund_failure_code=refunds.why_pending,
                move_fee=booking.deposit_move_fee,
            ),
            outcome_reason=booking.outcome_reason,
            created_at=booking.created_at,
            closed_at=booking.closed_at,
        )


class BookingList(Out):
    object: Literal["list"] = "list"
    data: list[BookingOut]


class HoldRenewalOut(Out):
    object: Literal["hold_renewal"] = "hold_renewal"
    changed: list[str] = Field(description="Holds renewed, or marked lapsed.")
