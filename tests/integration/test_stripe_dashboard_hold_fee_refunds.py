"""A refund made in Stripe's dashboard (no key of ours in its metadata) of a
fee a booking's card hold paid: a no-show or a late cancellation captured
from the hold, or charged on the card kept on file once the hold lapsed. It
is booked once as a dashboard refund of a kept deposit is (a ``DepositRefund``
and its journal entries, against the ``refunds`` contra-revenue), whatever
the order of Stripe's events and however often they come; the uncaptured
rest Stripe let go of the hold when it took the fee is no refund of it.

Against localstripe behind the test double (tests/stripe_double.py), which
keeps the rest of a hold captured for less as a Refund of its charge, as
Stripe does: ``charge.refunded`` is built by the test and signed by the
double, and ``refund_refused_later`` makes a Refund read ``failed`` from then on."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from servefirst.payments.stripe_refunds import REFUND_KEY
from servefirst.runtime import Runtime
from tests import stripe_double as double
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_booking_disputes import booked, fee_charged_on_file, missed
from tests.integration.test_bookings_api import at, nonzero
from tests.integration.test_bookings_holds import hold_policy
from tests.integration.test_pages_staff import Staff
from tests.integration.test_pages_staff_bookings import counter as console_counter
from tests.integration.test_refunds_refused_after_they_went_through import events_of
from tests.integration.test_stripe_bookings import hold_ref
from tests.integration.test_stripe_dashboard_deposit_refunds import (
    console_says,
    deposit_of,
    kept,
)
from tests.integration.test_stripe_dashboard_refunds_refused import books_agree, delivered
from tests.integration.test_stripe_gateway import WEBHOOK_SECRET, post_event
from tests.integration.test_stripe_refund_events import charge_refunded, refund_in_dashboard
from tests.stripe_double import StripeDouble

localstripe_port = double.localstripe_port
stripe_double = double.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe
counter = console_counter


def fee_from_the_hold(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> tuple[str, str]:
    """A no-show keeps 12.00 of Beatriz's 15.00 hold, captured from it (Stripe
    lets the 3.00 rest go): the booking's id and the hold's PaymentIntent."""
    hold_policy(cafe, fixed=1500)  # fair: a no-show costs 30% = 1200 of the 1500 held
    booking = booked(cafe, stripe_double, clock, hours=2)
    clock.advance(hours=3)
    assert missed(cafe, booking["id"])["deposit"]["fee"] == 1200
    (hold,) = hold_ref(stripe_runtime, cafe, booking["id"])
    assert hold.fee_reference == hold.reference
    return str(booking["id"]), str(hold.reference)


def refunds_at_stripe(stripe_double: StripeDouble, intent_id: str) -> list[str]:
    """Every Refund of the charge, oldest first (the hold's rest let go among them)."""
    listed = stripe_double.client().v1.refunds.list(params={"payment_intent": intent_id}).data
    return [str(r.id) for r in sorted(listed, key=lambda r: r.created)]


def test_a_no_show_fee_from_the_hold_refunded_in_the_dashboard_is_booked_once_as_a_refund(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    counter: Callable[[Merchant], Staff],
) -> None:
    booking_id, intent_id = fee_from_the_hold(cafe, stripe_double, stripe_runtime, clock)
    assert nonzero(cafe.balances()) == {"card_clearing": 1200, "no_show_fees": -1200}
    let_go = refunds_at_stripe(stripe_double, intent_id)
    # Stripe's word for the hold's uncaptured rest: nothing of the fee went back.
    delivered(cafe, charge_refunded(stripe_double, intent_id, 300, let_go))
    assert kept(stripe_runtime, cafe, booking_id) == []
    assert nonzero(cafe.balances()) == {"card_clearing": 1200, "no_show_fees": -1200}
    assert "Deposit: €12.00 kept, €3.00 refunded" in console_says(counter, cafe, booking_id)

    theirs = refund_in_dashboard(stripe_double, intent_id, 1200)
    event = charge_refunded(stripe_double, intent_id, 1500, [*let_go, theirs])
    assert post_event(cafe, *event).json()["outcome"] == "handled"
    assert post_event(cafe, *event).json()["outcome"] == "seen"
    delivered(cafe, charge_refunded(stripe_double, intent_id, 1500, [*let_go, theirs]))

    assert kept(stripe_runtime, cafe, booking_id) == [(1200, "succeeded", None)]
    assert deposit_of(cafe, booking_id) == ("forfeited", 0, 1500, "succeeded")
    # The fee stays earned; the refunds contra-revenue says what went back.
    assert nonzero(cafe.balances()) == {"no_show_fees": -1200, "refunds": 1200}
    # The console counts the hold's rest let go back with the customer, as before.
    assert "Deposit: €0.00 kept, €15.00 refunded" in console_says(counter, cafe, booking_id)
    books_agree(stripe_runtime, cafe)


def test_a_fee_charged_on_the_saved_card_refunded_in_parts_books_each_part_once(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    counter: Callable[[Merchant], Staff],
) -> None:
    hold_policy(cafe)  # a 600 hold, a no-show keeps all of it
    booking = booked(cafe, stripe_double, clock, days=1)
    clock.advance(days=8)  # the hold lapsed on day 7: the fee is charged on the card on file
    assert missed(cafe, booking["id"])["deposit"]["fee"] == 600
    (hold,) = hold_ref(stripe_runtime, cafe, booking["id"])
    intent_id = fee_charged_on_file(stripe_double, hold.reference)

    first = refund_in_dashboard(stripe_double, intent_id, 200)
    delivered(cafe, charge_refunded(stripe_double, intent_id, 200, [first]))
    assert deposit_of(cafe, booking["id"]) == ("forfeited", 400, 200, "succeeded")
    assert nonzero(cafe.balances()) == {"card_clearing": 400, "no_show_fees": -600, "refunds": 200}
    assert "Deposit: €4.00 kept, €2.00 refunded" in console_says(counter, cafe, booking["id"])
    books_agree(stripe_runtime, cafe)

    second = refund_in_dashboard(stripe_double, intent_id, 400)
    delivered(cafe, charge_refunded(stripe_double, intent_id, 600, [first, second]))
    delivered(cafe, charge_refunded(stripe_double, intent_id, 600, [first, second]))

    assert kept(stripe_runtime, cafe, booking["id"]) == [
        (200, "succeeded", None),
        (400, "succeeded", None),
    ]
    assert deposit_of(cafe, booking["id"]) == ("forfeited", 0, 600, "succeeded")
    assert nonzero(cafe.balances()) == {"no_show_fees": -600, "refunds": 600}
    books_agree(stripe_runtime, cafe)


@pytest.mark.parametrize(
    "order",
    [
        "refusal first",  # charge.refunded delivered late (a retry after an outage)
        "charge.refunded first, Stripe already said failed",
        "charge.refunded first, while it had not failed yet",
    ],
)
def test_a_dashboard_fee_refund_the_bank_refused_leaves_the_fee_owed_to_the_customer(
    cafe: Merchant,
    stripe_double: StripeDouble,
    stripe_runtime: Runtime,
    clock: TestClock,
    order: str,
) -> None:
    """Refused as a dashboard refund of a kept deposit is: the owner meant to
    give it back, so it is owed to the customer (``deposits_held``) and staff
    are told to give it back another way."""
    booking_id, intent_id = fee_from_the_hold(cafe, stripe_double, stripe_runtime, clock)
    let_go = refunds_at_stripe(stripe_double, intent_id)
    theirs = refund_in_dashboard(stripe_double, intent_id, 1200)
    made = charge_refunded(stripe_double, intent_id, 1500, [*let_go, theirs])

    if order == "charge.refunded first, while it had not failed yet":
        delivered(cafe, made)
        assert nonzero(cafe.balances()) == {"no_show_fees": -1200, "refunds": 1200}
    refusal = stripe_double.refund_refused_later(theirs, WEBHOOK_SECRET)
    if order == "refusal first":
        delivered(cafe, refusal)
        delivered(cafe, made)
        delivered(cafe, charge_refunded(stripe_double, intent_id, 1500, [*let_go, theirs]))
    else:
        delivered(cafe, made)
        delivered(cafe, refusal)
        delivered(cafe, stripe_double.refund_refused_later(theirs, WEBHOOK_SECRET))

    assert kept(stripe_runtime, cafe, booking_id) == [(1200, "failed", "expired_or_canceled_card")]
    assert deposit_of(cafe, booking_id) == ("forfeited", 0, 1500, "failed")
    assert nonzero(cafe.balances()) == {
        "card_clearing": 1200,
        "deposits_held": -1200,
        "no_show_fees": -1200,
        "refunds": 1200,
    }
    books_agree(stripe_runtime, cafe)
    told = events_of(stripe_runtime, cafe, "booking.deposit_refund_failed")
    assert [(e.object_id, e.data["amount"]) for e in told] == [(booking_id, 1200)]


def test_a_fee_refund_servefirst_made_is_not_booked_again(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    """A Refund carrying servefirst's key is servefirst's own to book (or
    already booked), never a dashboard refund of the fee."""
    booking_id, intent_id = fee_from_the_hold(cafe, stripe_double, stripe_runtime, clock)
    let_go = refunds_at_stripe(stripe_double, intent_id)
    ours = stripe_double.client().v1.refunds.create(
        params={"payment_intent": intent_id, "amount": 500, "metadata": {REFUND_KEY: "dre_ours"}}
    )

    for _ in range(2):
        delivered(cafe, charge_refunded(stripe_double, intent_id, 800, [*let_go, str(ours.id)]))

    assert kept(stripe_runtime, cafe, booking_id) == []
    assert deposit_of(cafe, booking_id) == ("forfeited", 1200, 300, None)
    assert nonzero(cafe.balances()) == {"card_clearing": 1200, "no_show_fees": -1200}
    books_agree(stripe_runtime, cafe)


def test_a_late_move_s_fee_refunded_in_the_dashboard_takes_nothing_from_the_no_show_fee(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    """A late move took a fee from the first hold and held the rest anew; the
    no-show then took its fee from the second. A refund of the move's charge
    is no refund of the no-show's fee: nothing of it is booked against it
    (a move's fee is not booked here, as for a captured deposit's)."""
    hold_policy(cafe, fixed=1500)
    booking = booked(cafe, stripe_double, clock, hours=2)
    moved = cafe.post(f"/v1/bookings/{booking['id']}/reschedule", {"starts_at": at(clock, hours=3)})
    assert moved.status_code == 200, moved.text
    move_fee = moved.json()["deposit"]["move_fee"]
    clock.advance(hours=4)
    fee = missed(cafe, booking["id"])["deposit"]["fee"]
    first, second = hold_ref(stripe_runtime, cafe, booking["id"])
    assert (first.fee_reference, second.fee_reference) == (first.reference, second.reference)
    before = nonzero(cafe.balances())
    assert before == {"card_clearing": move_fee + fee, "no_show_fees": -(move_fee + fee)}
    let_go = refunds_at_stripe(stripe_double, first.reference)

    theirs = refund_in_dashboard(stripe_double, first.reference, move_fee)
    delivered(cafe, charge_refunded(stripe_double, first.reference, 1500, [*let_go, theirs]))

    assert kept(stripe_runtime, cafe, booking["id"]) == []
    assert deposit_of(cafe, booking["id"])[:2] == ("forfeited", fee)
    assert nonzero(cafe.balances()) == before
    books_agree(stripe_runtime, cafe)
