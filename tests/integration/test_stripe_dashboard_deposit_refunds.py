"""A refund of a booking's deposit made in Stripe's dashboard (no key of ours
in its metadata): booked once as servefirst's own deposit refunds are (a
``DepositRefund`` and its journal entry), whatever the order of Stripe's
events and however often they come, so the books follow the money that left
the merchant's Stripe account.

Against localstripe behind the test double (tests/stripe_double.py):
``charge.refunded`` is built by the test and signed by the double, and
``refund_refused_later`` makes a Refund read ``failed`` from then on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from servefirst.bookings.models import DepositRefund
from servefirst.runtime import Runtime
from tests import stripe_double as double
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_bookings_api import at, nonzero, salon
from tests.integration.test_loyalty_disputes import in_words
from tests.integration.test_pages_staff import Staff
from tests.integration.test_pages_staff_bookings import counter as console_counter
from tests.integration.test_refunds_refused_after_they_went_through import events_of
from tests.integration.test_stripe_bookings import book
from tests.integration.test_stripe_dashboard_refunds_refused import books_agree, delivered
from tests.integration.test_stripe_deposit_refunds import deposit_intent, refunded_at_stripe
from tests.integration.test_stripe_gateway import WEBHOOK_SECRET, post_event
from tests.integration.test_stripe_refund_events import charge_refunded, refund_in_dashboard
from tests.stripe_double import StripeDouble

localstripe_port = double.localstripe_port
stripe_double = double.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe
counter = console_counter


def deposit_taken(cafe: Merchant, stripe_double: StripeDouble, clock: TestClock) -> tuple[str, str]:
    """A booking whose 6.00 deposit (15% of 40.00) Stripe took: its id and
    the deposit's PaymentIntent."""
    salon(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=5))
    assert made.status_code == 201, made.text
    booking_id = str(made.json()["id"])
    return booking_id, str(deposit_intent(stripe_double, booking_id).id)


def deposit_of(cafe: Merchant, booking_id: str) -> tuple[str, int, int, str | None]:
    deposit = cafe.get(f"/v1/bookings/{booking_id}").json()["deposit"]
    return deposit["status"], deposit["fee"], deposit["refund"], deposit["refund_status"]


def console_says(counter: Callable[[Merchant], Staff], cafe: Merchant, booking_id: str) -> str:
    """The console's day of the booking, in words: the day it starts at the
    cafe (the session's clock, moved on by earlier tests, may be near midnight)."""
    starts = datetime.fromisoformat(cafe.get(f"/v1/bookings/{booking_id}").json()["starts_at"])
    zone = ZoneInfo(cafe.get("/v1/merchant").json()["timezone"])
    day = starts.astimezone(zone).date().isoformat()
    return in_words(counter(cafe).get(f"/staff/bookings/day?date={day}").text)


def kept(runtime: Runtime, cafe: Merchant, booking_id: str) -> list[tuple[int, str, str | None]]:
    """The booking's deposit refunds, as servefirst keeps its own."""
    with runtime.uow(cafe.id, write=False) as uow:
        rows = uow.session.scalars(
            select(DepositRefund).where(
                DepositRefund.merchant_id == cafe.id, DepositRefund.booking_id == booking_id
            )
        )
        return sorted((r.amount, r.status, r.failure_code) for r in rows)


def test_a_held_deposit_refunded_in_the_dashboard_is_booked_once_and_not_refunded_again(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    booking_id, intent_id = deposit_taken(cafe, stripe_double, clock)
    refund_id = refund_in_dashboard(stripe_double, intent_id, 600)

    event = charge_refunded(stripe_double, intent_id, 600, [refund_id])
    assert post_event(cafe, *event).json()["outcome"] == "handled"
    assert post_event(cafe, *event).json()["outcome"] == "seen"
    delivered(cafe, charge_refunded(stripe_double, intent_id, 600, [refund_id]))

    assert kept(stripe_runtime, cafe, booking_id) == [(600, "succeeded", None)]
    assert deposit_of(cafe, booking_id) == ("refunded", 0, 600, "succeeded")
    assert nonzero(cafe.balances()) == {}  # out of deposits_held, out of card_clearing
    books_agree(stripe_runtime, cafe)
    # Cancelled afterwards: nothing is left to give back, nothing asked of Stripe.
    cancelled = cafe.post(f"/v1/bookings/{booking_id}/cancel", {"by": "business"})
    assert cancelled.status_code == 200, cancelled.text
    assert refunded_at_stripe(stripe_double, deposit_intent(stripe_double, booking_id)) == 600
    assert kept(stripe_runtime, cafe, booking_id) == [(600, "succeeded", None)]
    assert nonzero(cafe.balances()) == {}


def test_a_partial_dashboard_refund_books_that_part_and_the_rest_follows_the_booking(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    counter: Callable[[Merchant], Staff],
) -> None:
    booking_id, intent_id = deposit_taken(cafe, stripe_double, clock)
    refund_id = refund_in_dashboard(stripe_double, intent_id, 200)
    delivered(cafe, charge_refunded(stripe_double, intent_id, 200, [refund_id]))

    assert deposit_of(cafe, booking_id) == ("held", 0, 200, "succeeded")
    page = console_says(counter, cafe, booking_id)
    assert "Deposit €4.00 held, €2.00 refunded" in page  # the console's day of bookings
    assert nonzero(cafe.balances()) == {"card_clearing": 400, "deposits_held": -400}
    books_agree(stripe_runtime, cafe)
    # The 4.00 still held is all a cancellation gives back.
    cancelled = cafe.post(f"/v1/bookings/{booking_id}/cancel", {"by": "business"})
    assert cancelled.status_code == 200, cancelled.text
    assert deposit_of(cafe, booking_id) == ("refunded", 0, 600, "succeeded")
    assert refunded_at_stripe(stripe_double, deposit_intent(stripe_double, booking_id)) == 600
    assert kept(stripe_runtime, cafe, booking_id) == [
        (200, "succeeded", None),
        (400, "succeeded", None),
    ]
    assert nonzero(cafe.balances()) == {}
    books_agree(stripe_runtime, cafe)


@pytest.mark.parametrize(
    "order",
    [
        "refusal first",  # charge.refunded delivered late (a retry after an outage)
        "charge.refunded first, Stripe already said failed",
        "charge.refunded first, while it had not failed yet",
    ],
)
def test_a_dashboard_deposit_refund_the_bank_refused_leaves_the_deposit_held_and_owed(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    order: str,
) -> None:
    """Refused as servefirst's own deposit refunds are: the money is still in
    deposits_held, the customer's, and staff are told to give it back."""
    booking_id, intent_id = deposit_taken(cafe, stripe_double, clock)
    refund_id = refund_in_dashboard(stripe_double, intent_id, 600)
    made = charge_refunded(stripe_double, intent_id, 600, [refund_id])

    if order == "charge.refunded first, while it had not failed yet":
        delivered(cafe, made)
        assert nonzero(cafe.balances()) == {}
    refusal = stripe_double.refund_refused_later(refund_id, WEBHOOK_SECRET)
    if order == "refusal first":
        delivered(cafe, refusal)
        delivered(cafe, made)
        delivered(cafe, charge_refunded(stripe_double, intent_id, 600, [refund_id]))
    else:
        delivered(cafe, made)
        delivered(cafe, refusal)
        delivered(cafe, stripe_double.refund_refused_later(refund_id, WEBHOOK_SECRET))

    assert kept(stripe_runtime, cafe, booking_id) == [(600, "failed", "expired_or_canceled_card")]
    assert deposit_of(cafe, booking_id) == ("refunded", 0, 600, "failed")
    assert nonzero(cafe.balances()) == {"card_clearing": 600, "deposits_held": -600}
    books_agree(stripe_runtime, cafe)
    told = events_of(stripe_runtime, cafe, "booking.deposit_refund_failed")
    assert [(e.object_id, e.data["amount"]) for e in told] == [(booking_id, 600)]


def test_an_applied_deposit_refunded_in_the_dashboard_is_a_refund_of_what_it_paid(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    """The deposit paid part of the bill (revenue): giving it back is booked
    against the refunds contra-revenue, as a refund of a payment's bill is."""
    booking_id, intent_id = deposit_taken(cafe, stripe_double, clock)
    checked = cafe.post(f"/v1/bookings/{booking_id}/check-in")
    assert checked.status_code == 200, checked.text
    before = nonzero(cafe.balances())
    assert "deposits_held" not in before
    refund_id = refund_in_dashboard(stripe_double, intent_id, 600)
    delivered(cafe, charge_refunded(stripe_double, intent_id, 600, [refund_id]))

    assert kept(stripe_runtime, cafe, booking_id) == [(600, "succeeded", None)]
    assert deposit_of(cafe, booking_id) == ("refunded", 0, 600, "succeeded")
    after = nonzero(cafe.balances())
    assert after.pop("refunds") == 600
    assert after == nonzero({**before, "card_clearing": before["card_clearing"] - 600})
    books_agree(stripe_runtime, cafe)


def test_a_kept_fee_refunded_in_the_dashboard_is_a_refund_beside_servefirst_s_own_booked_once(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    """A late cancellation keeps 4.00 and servefirst refunds 2.00 itself (its
    key in the Refund's metadata): that one is not booked again when
    ``charge.refunded`` lists it; the 4.00 the owner then gives back in the
    dashboard is booked once, against the refunds contra-revenue."""
    booking_id, intent_id = deposit_taken(cafe, stripe_double, clock)
    cancelled = cafe.post(f"/v1/bookings/{booking_id}/cancel")
    assert deposit_of(cafe, booking_id) == ("forfeited", 400, 200, "succeeded")
    ours = [
        str(r.id)
        for r in stripe_double.client().v1.refunds.list(params={"payment_intent": intent_id}).data
    ]
    assert cancelled.status_code == 200 and len(ours) == 1
    delivered(cafe, charge_refunded(stripe_double, intent_id, 200, ours))
    assert kept(stripe_runtime, cafe, booking_id) == [(200, "succeeded", None)]
    assert nonzero(cafe.balances()) == {"card_clearing": 400, "no_show_fees": -400}

    theirs = refund_in_dashboard(stripe_double, intent_id, 400)
    delivered(cafe, charge_refunded(stripe_double, intent_id, 600, [*ours, theirs]))

    assert kept(stripe_runtime, cafe, booking_id) == [
        (200, "succeeded", None),
        (400, "succeeded", None),
    ]
    assert deposit_of(cafe, booking_id) == ("refunded", 0, 600, "succeeded")
    assert nonzero(cafe.balances()) == {"no_show_fees": -400, "refunds": 400}
    books_agree(stripe_runtime, cafe)


def test_a_deposit_refund_servefirst_made_is_not_booked_again(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    booking_id, intent_id = deposit_taken(cafe, stripe_double, clock)
    cancelled = cafe.post(f"/v1/bookings/{booking_id}/cancel", {"by": "business"})
    assert cancelled.status_code == 200, cancelled.text
    ours = [
        str(r.id)
        for r in stripe_double.client().v1.refunds.list(params={"payment_intent": intent_id}).data
    ]

    delivered(cafe, charge_refunded(stripe_double, intent_id, 600, ours))
    delivered(cafe, charge_refunded(stripe_double, intent_id, 600, ours))

    assert kept(stripe_runtime, cafe, booking_id) == [(600, "succeeded", None)]
    assert deposit_of(cafe, booking_id) == ("refunded", 0, 600, "succeeded")
    assert nonzero(cafe.balances()) == {}
    books_agree(stripe_runtime, cafe)
