"""A deposit Stripe took (a PaymentIntent charged at booking) is refunded at
Stripe when the booking is cancelled: against localstripe behind the double."""

from __future__ import annotations

from typing import Any

from servefirst.runtime import Runtime
from tests import stripe_double as double
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_bookings_api import at, nonzero, salon
from tests.integration.test_stripe_bookings import book
from tests.stripe_double import StripeDouble

localstripe_port = double.localstripe_port
stripe_double = double.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


def deposit_intent(stripe_double: StripeDouble, booking_id: str) -> Any:
    """The PaymentIntent that took the booking's deposit (keyed by its id)."""
    listed = stripe_double.client().v1.payment_intents.list(params={"limit": 100})
    [intent] = [
        i
        for i in listed.auto_paging_iter()
        if i.to_dict().get("metadata", {}).get("servefirst_attempt") == booking_id
    ]
    return intent


def refunded_at_stripe(stripe_double: StripeDouble, intent: Any) -> int:
    ref = intent.latest_charge
    charge = stripe_double.client().v1.charges.retrieve(ref) if isinstance(ref, str) else ref
    return int(charge.amount_refunded or 0)


def test_a_cancelled_captured_deposit_is_refunded_at_stripe(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    salon(cafe)  # a captured deposit: 15% of 40.00
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=5))
    assert made.status_code == 201, made.text
    intent = deposit_intent(stripe_double, made.json()["id"])
    assert (intent.status, intent.amount) == ("succeeded", 600)

    cancelled = cafe.post(f"/v1/bookings/{made.json()['id']}/cancel", {"by": "business"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["deposit"]["refund"] == 600
    assert (
        refunded_at_stripe(stripe_double, deposit_intent(stripe_double, made.json()["id"])) == 600
    )
    assert nonzero(cafe.balances()) == {}


def test_a_late_cancellation_refunds_the_rest_at_stripe_and_keeps_the_fee(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    salon(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=5))
    assert made.status_code == 201, made.text
    cancelled = cafe.post(f"/v1/bookings/{made.json()['id']}/cancel")
    assert (cancelled.json()["deposit"]["fee"], cancelled.json()["deposit"]["refund"]) == (400, 200)
    assert (
        refunded_at_stripe(stripe_double, deposit_intent(stripe_double, made.json()["id"])) == 200
    )
    assert nonzero(cafe.balances()) == {"card_clearing": 400, "no_show_fees": -400}
