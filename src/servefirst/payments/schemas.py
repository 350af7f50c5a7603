from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from servefirst.api.fields import Amount, Body, Out, Tip
from servefirst.payments.models import Payment
from servefirst.tabs.schemas import TabOut

# Staff's payment and the customer's take a card the same way, and a reward
# the same way: each field is said once, here, for both bodies.

#: A Stripe PaymentMethod id, as Stripe.js hands it to the payer's browser.
StripePaymentMethod = Annotated[
    str | None,
    Field(
        max_length=255,
        pattern=r"^pm_[A-Za-z0-9_]+$",
        examples=["pm_1Q0PsIJvEtkwdCNYMSaVuRz6"],
        description="With the Stripe gateway: the PaymentMethod Stripe.js made from the "
        "card (the card number never reaches servefirst). A card number sent to a Stripe "
        "merchant is refused (422).",
    ),
]
#: A reward of the tab's customer, taken off the bill as the payment is made.
RewardToTake = Annotated[
    str | None,
    Field(
        max_length=40,
        pattern=r"^rwd_[A-Za-z0-9_]+$",
        description="A loyalty or referral reward the tab's customer holds, taken off the bill"
        " before the payment (and before tax). Refused whole (nothing changes): 404"
        " reward_not_found (not this customer's), 409 reward_already_used or reward_expired,"
        " 422 reward_exceeds_due or reward_not_applicable. A reward that leaves nothing to pay"
        " answers with a payment of 0.",
    ),
]


class PaymentIn(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"method": "cash", "amount": 760, "tip": 100}]}
    )

    method: Literal["cash", "card_terminal", "card", "card_hold"] = Field(
        description="cash and card_terminal are recorded by staff; card is charged through "
        "the merchant's gateway and needs `card` (sandbox) or `payment_method` (Stripe); "
        "card_hold captures amount and tip from the "
        "card hold behind the tab (a booking's), raising it first if it is too small.",
        examples=["cash"],
    )
    amount: Amount | None = Field(
        default=None, description="Towards the bill; omitted, everything that is due."
    )
    tip: Tip = 0
    card: str | None = Field(
        default=None,
        max_length=32,
        examples=["4242424242424242"],
        description="With the sandbox gateway: a test card number.",
    )
    payment_method: StripePaymentMethod = None
    reward_id: RewardToTake = None


class PublicPaymentIn(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"method": "card", "card": "4242424242424242", "tip": 50}]}
    )

    method: Literal["card"] = "card"
    card: str | None = Field(
        default=None,
        max_length=32,
        examples=["4242424242424242"],
        description="With the sandbox gateway: a test card number; only its last four are kept.",
    )
    payment_method: StripePaymentMethod = None
    tip: Tip = 0
    reward_id: RewardToTake = None


class PaymentOut(Out):
    id: str
    object: Literal["payment"] = "payment"
    tab_id: str
    method: str
    amount: int
    tip: int
    currency: str
    status: Literal["pending", "succeeded", "failed"] = Field(
        description="A card payment is pending while the processor is asked, or while the"
        " card's holder confirms it (3-D Secure: finish it with Stripe.js and `client_secret`;"
        " the processor's event settles it); only a succeeded payment counts towards the bill."
    )
    failure_code: str | None = Field(description="Why a failed attempt failed (its decline).")
    card_last4: str | None
    client_secret: str | None = Field(
        default=None,
        description="Only on a pending Stripe payment: what Stripe.js needs to finish it.",
    )
    created_at: datetime
    tab: TabOut

    @classmethod
    def build(cls, payment: Payment, tab: TabOut) -> PaymentOut:
        return cls(
            id=payment.payment_id,
            tab_id=payment.tab_id,
            method=payment.method,
            amount=payment.amount,
            tip=payment.tip,
            currency=tab.currency,
            status=payment.status,  # type: ignore[arg-type]
            failure_code=payment.failure_code,
            card_last4=payment.card_last4,
            client_secret=payment.client_secret,
            created_at=payment.created_at,
            tab=tab,
        )


class PaymentList(Out):
    object: Literal["list"] = "list"
    data: list[PaymentOut]
