"""A tab paid from the booking's card hold, captured for less than it held:
Stripe lets the rest go, and localstripe (tests/stripe_double.py) keeps that
rest as a Refund of the charge with no key of ours, as Stripe's older API
versions do. It gave nothing of the payment back, so when the owner later
refunds part of the payment in Stripe's dashboard, only the owner's refund
is booked."""

from __future__ import annotations

from servefirst.runtime import Runtime
from tests import stripe_double as double
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_bookings_api import at, cut, nonzero
from tests.integration.test_bookings_holds import hold_policy
from tests.integration.test_stripe_bookings import book, hold_ref
from tests.integration.test_stripe_dashboard_hold_fee_refunds import refunds_at_stripe
from tests.integration.test_stripe_dashboard_refunds_refused import books_agree, delivered
from tests.integration.test_stripe_refund_events import charge_refunded, refund_in_dashboard
from tests.stripe_double import StripeDouble

localstripe_port = double.localstripe_port
stripe_double = double.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe


def test_the_rest_of_a_hold_let_go_when_it_paid_the_tab_is_no_refund_of_the_payment(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    hold_policy(cafe, fixed=1500)
    service = cut(cafe, price=1000)
    made = book(
        cafe,
        clock,
        stripe_double.payment_method(),
        service_id=service["id"],
        starts_at=at(clock, hours=1),
    )
    assert made.status_code == 201, made.text
    tab_id = cafe.post(f"/v1/bookings/{made.json()['id']}/check-in").json()["tab_id"]
    # A line the hold grows for, then taken off: the hold stays above the bill.
    extra = cafe.service("Hair mask", price=500, duration_minutes=10)
    added = cafe.post(f"/v1/tabs/{tab_id}/lines", {"service_id": extra["id"]})
    assert added.status_code in (200, 201), added.text
    line_no = added.json()["lines"][-1]["line_no"]
    voided = cafe.post(f"/v1/tabs/{tab_id}/lines/{line_no}/void", {"reason": "Not done"})
    assert voided.status_code == 200, voided.text
    assert cafe.post(f"/v1/tabs/{tab_id}/serve").status_code == 200
    paid = cafe.post(f"/v1/tabs/{tab_id}/payments", {"method": "card_hold", "tip": 0})
    assert paid.status_code == 201, paid.text
    payment_id = paid.json()["id"]
    hold = [h for h in hold_ref(stripe_runtime, cafe, made.json()["id"]) if h.tab_id][-1]
    assert hold.amount > hold.captured == 1000  # Stripe let the rest go
    let_go = refunds_at_stripe(stripe_double, hold.reference)
    assert len(let_go) == 1

    theirs = refund_in_dashboard(stripe_double, hold.reference, 300)
    rest = hold.amount - hold.captured
    for _ in range(2):
        delivered(
            cafe, charge_refunded(stripe_double, hold.reference, rest + 300, [*let_go, theirs])
        )

    refunds = cafe.get(f"/v1/payments/{payment_id}/refunds").json()["data"]
    assert [(r["amount"], r["status"]) for r in refunds] == [(300, "succeeded")]
    assert nonzero(cafe.balances()).get("refunds") == 300
    books_agree(stripe_runtime, cafe)
