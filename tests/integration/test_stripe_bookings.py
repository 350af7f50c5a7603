"""Bookings of a merchant on Stripe, against localstripe behind the test double
(tests/stripe_double.py says which behaviour is the double's): a card kept on
file is a Customer with a SetupIntent, a deposit hold is a PaymentIntent with
manual capture on it, a hold that must grow or be renewed is a new off-session
PaymentIntent on the saved PaymentMethod, and every call carries a key made
from our attempt's id as its Idempotency-Key."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from servefirst.runtime import Runtime
from tests import stripe_double as double
from tests.conftest import Merchant, TestClock
from tests.integration import test_stripe_gateway as on_stripe
from tests.integration.test_bookings_api import at, cut, nonzero, salon
from tests.integration.test_bookings_holds import hold_policy
from tests.stripe_double import StripeDouble

localstripe_port = double.localstripe_port
stripe_double = double.stripe_double
stripe_runtime = on_stripe.stripe_runtime
stripe_client = on_stripe.stripe_client
cafe = on_stripe.cafe

#: localstripe declines this card when it is attached to a customer.
DECLINED_ON_FILE = "4000000000000002"


def book(cafe: Merchant, clock: TestClock, pm: str | None, **body: Any) -> Any:
    body.setdefault("customer_id", cafe.customer()["id"])
    body.setdefault("service_id", cut(cafe)["id"])
    body.setdefault("starts_at", at(clock, days=2))
    if pm is not None:
        body["payment_method"] = pm
    return cafe.post("/v1/bookings", body, headers={"Idempotency-Key": str(uuid.uuid4())})


def hold_ref(runtime: Runtime, cafe: Merchant, booking_id: str) -> list[Any]:
    from sqlalchemy import select

    from servefirst.bookings.models import CardHold

    with runtime.uow(cafe.id, write=False) as uow:
        query = select(CardHold).where(
            CardHold.merchant_id == cafe.id, CardHold.booking_id == booking_id
        )
        return list(uow.session.scalars(query.order_by(CardHold.created_at)))


def captured_at(stripe_double: StripeDouble, intent: Any) -> int:
    """What Stripe kept of a captured PaymentIntent. localstripe records a
    capture for less than the hold as a whole capture and a refund of the
    rest (Stripe itself releases the rest): the charge's amount less its refunds."""
    ref = intent.latest_charge
    charge = stripe_double.client().v1.charges.retrieve(ref) if isinstance(ref, str) else ref
    return int(charge.amount) - int(charge.amount_refunded or 0)


def test_a_hold_keeps_the_card_on_file_as_a_customer_with_a_setup_intent(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    hold_policy(cafe)
    made = book(cafe, clock, stripe_double.payment_method())
    assert made.status_code == 201, made.text
    deposit = made.json()["deposit"]
    assert (deposit["status"], deposit["hold"]["status"], deposit["hold"]["card_last4"]) == (
        "held",
        "active",
        "4242",
    )
    (hold,) = hold_ref(stripe_runtime, cafe, made.json()["id"])
    assert hold.customer_reference and hold.customer_reference.startswith("cus_")
    intent = stripe_double.intent(hold.reference)
    assert (intent.status, intent.capture_method, intent.amount) == (
        "requires_capture",
        "manual",
        600,
    )
    assert intent.customer == hold.customer_reference
    booking_id = made.json()["id"]
    made_by_us = [c for c in stripe_double.calls if not c.path.startswith("/v1/payment_methods")]
    assert [c.idempotency_key for c in made_by_us if c.method == "POST"] == [
        f"{booking_id}_customer",
        f"{booking_id}_setup",
        f"{booking_id}_setup_confirm",
        booking_id,
    ]
    setups = stripe_double.client().v1.setup_intents.list(params={"limit": 100}).data
    [setup] = [s for s in setups if s.customer == hold.customer_reference]
    assert (setup.status, setup.usage) == ("succeeded", "off_session")
    assert nonzero(cafe.balances()) == {}


def test_a_captured_deposit_is_a_payment_intent_keyed_by_the_booking(
    cafe: Merchant, stripe_double: StripeDouble, clock: TestClock
) -> None:
    salon(cafe)
    made = book(cafe, clock, stripe_double.payment_method())
    assert made.status_code == 201, made.text
    assert made.json()["deposit"]["status"] == "held"
    assert stripe_double.keys_sent() == [made.json()["id"]]
    assert nonzero(cafe.balances()) == {"card_clearing": 600, "deposits_held": -600}


def test_a_card_number_for_a_stripe_deposit_is_refused_and_nothing_is_kept(
    cafe: Merchant, stripe_double: StripeDouble, clock: TestClock
) -> None:
    hold_policy(cafe)
    refused = cafe.post(
        "/v1/bookings",
        {
            "customer_id": cafe.customer()["id"],
            "service_id": cut(cafe)["id"],
            "starts_at": at(clock, days=2),
            "card": "4242424242424242",
        },
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["param"] == "card"
    assert cafe.get("/v1/bookings").json()["data"] == []
    assert stripe_double.calls == []


def test_a_card_stripe_declines_on_file_answers_402_and_books_nothing(
    cafe: Merchant, stripe_double: StripeDouble, clock: TestClock
) -> None:
    hold_policy(cafe)
    declined = book(cafe, clock, stripe_double.payment_method(DECLINED_ON_FILE))
    assert declined.status_code == 402, declined.text
    assert declined.json()["error"]["code"] == "card_declined"
    assert cafe.get("/v1/bookings").json()["data"] == []


def test_a_no_show_captures_the_fee_from_the_payment_intent(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    hold_policy(cafe, fixed=1500)  # fair: a no-show costs 30% = 1200 of the 1500 held
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=2))
    assert made.status_code == 201, made.text
    clock.advance(hours=3)
    missed = cafe.post(f"/v1/bookings/{made.json()['id']}/no-show")
    assert missed.status_code == 200, missed.text
    deposit = missed.json()["deposit"]
    assert (deposit["status"], deposit["fee"], deposit["hold"]["status"]) == (
        "forfeited",
        1200,
        "captured",
    )
    (hold,) = hold_ref(stripe_runtime, cafe, made.json()["id"])
    intent = stripe_double.intent(hold.reference)
    assert (intent.status, captured_at(stripe_double, intent)) == ("succeeded", 1200)
    assert nonzero(cafe.balances()) == {"card_clearing": 1200, "no_show_fees": -1200}


def test_a_renewal_is_a_new_off_session_payment_intent_on_the_saved_card(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    hold_policy(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, days=10))
    assert made.status_code == 201, made.text
    clock.advance(days=6, hours=12)
    renewed = cafe.post("/v1/holds/renew")
    assert renewed.status_code == 200, renewed.text
    assert len(renewed.json()["changed"]) == 1
    first, second = hold_ref(stripe_runtime, cafe, made.json()["id"])
    assert (first.status, second.status) == ("replaced", "active")
    assert second.customer_reference == first.customer_reference
    intent = stripe_double.intent(second.reference)
    assert (intent.status, intent.customer, intent.payment_method) == (
        "requires_capture",
        first.customer_reference,
        first.payment_method,
    )
    renewal = [c for c in stripe_double.calls if c.path == "/v1/payment_intents"][-1]
    assert renewal.idempotency_key and renewal.idempotency_key.startswith("renew_")
    # The old hold is let go at Stripe by recovery's release round.
    from servefirst.payments.recovery import recover

    recover(stripe_runtime)
    assert stripe_double.intent(first.reference).status == "canceled"


def test_a_checked_in_hold_grows_off_session_and_pays_the_tab(
    cafe: Merchant, stripe_double: StripeDouble, stripe_runtime: Runtime, clock: TestClock
) -> None:
    hold_policy(cafe)
    made = book(cafe, clock, stripe_double.payment_method(), starts_at=at(clock, hours=1))
    assert made.status_code == 201, made.text
    checked = cafe.post(f"/v1/bookings/{made.json()['id']}/check-in")
    assert checked.status_code == 200, checked.text
    tab_id = checked.json()["tab_id"]
    tab = cafe.get(f"/v1/tabs/{tab_id}").json()
    assert tab["hold"]["covers_due"] is True  # raised at check-in to the bill and the tip
    assert cafe.post(f"/v1/tabs/{tab_id}/serve").status_code == 200
    paid = cafe.post(f"/v1/tabs/{tab_id}/payments", {"method": "card_hold", "tip": 200})
    assert paid.status_code == 201, paid.text
    assert paid.json()["tab"]["status"] == "paid"
    captured = [h for h in hold_ref(stripe_runtime, cafe, made.json()["id"]) if h.tab_id]
    assert captured[-1].status == "captured"
    intent = stripe_double.intent(captured[-1].reference)
    assert intent.status == "succeeded"
    assert captured_at(stripe_double, intent) == tab["total"] + 200


def test_the_public_route_books_with_a_payment_method(
    cafe: Merchant, stripe_double: StripeDouble, clock: TestClock
) -> None:
    hold_policy(cafe)
    slug = "cafe-" + uuid.uuid4().hex[:8]
    assert cafe.post("/v1/merchant", {"slug": slug}).status_code == 200
    service = cut(cafe)
    week = {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    maria = cafe.post("/v1/staff", {"name": "Maria"}).json()["id"]
    hours = cafe.post(
        f"/v1/staff/{maria}/hours", {"weekly": week, "exceptions": [], "services": [service["id"]]}
    )
    assert hours.status_code == 200, hours.text
    slots = cafe.client.get(
        f"/v1/public/merchants/{slug}/availability",
        params={"service_id": service["id"], "from": (clock.now() + timedelta(days=2)).date()},
    ).json()["slots"]
    made = cafe.client.post(
        f"/v1/public/merchants/{slug}/bookings",
        json={
            "service_id": service["id"],
            "starts_at": slots[0]["starts_at"],
            "name": "Rita Lopes",
            "email": "rita@example.com",
            "payment_method": stripe_double.payment_method(),
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["deposit"]["hold"]["status"] == "active"


def test_the_booking_page_on_stripe_asks_stripe_js_for_the_deposit_card(
    cafe: Merchant, stripe_double: StripeDouble, clock: TestClock, tmp_path: Any
) -> None:
    from tests.integration.test_availability_api import Salon
    from tests.integration.test_html_valid import install_vnu, vnu_errors
    from tests.integration.test_pages_booking import MANAGE, details, post

    shop = Salon(cafe, clock)
    salon(cafe)  # new customers leave a deposit
    when = shop.at(shop.day(3), "10:00")
    review = post(shop, f"/b/{shop.slug}/book", details(shop, when))
    assert review.status_code == 200, review.text
    page = review.text
    assert 'id="card-element"' in page and 'name="card"' not in page
    assert f'data-setup-url="/b/{shop.slug}/card-setup"' in page
    assert 'data-words-not-accepted="The card was not accepted. Try again."' in page
    assert '<script src="/static/stripe-card.js" defer></script>' in page
    assert "Test mode" not in page
    assert "script-src 'self' https://js.stripe.com" in review.headers["content-security-policy"]
    install_vnu()
    assert vnu_errors({"booking-stripe": page}, tmp_path) == []
    setup = cafe.client.post(f"/b/{shop.slug}/card-setup")
    assert setup.status_code == 200 and setup.json()["client_secret"].startswith("seti_")
    assert cafe.client.post("/b/nobody-here/card-setup").status_code == 404

    # What stripe-card.js posts once Stripe.js made the PaymentMethod.
    done = post(
        shop,
        f"/b/{shop.slug}/book",
        details(shop, when, confirm="1", payment_method=stripe_double.payment_method()),
    )
    assert done.status_code == 303, done.text
    assert MANAGE.search(done.headers["location"])
    [booking] = cafe.get("/v1/bookings").json()["data"]
    assert booking["deposit"]["status"] == "held"
    assert nonzero(cafe.balances()) == {"card_clearing": 600, "deposits_held": -600}


def test_the_booking_page_on_the_sandbox_keeps_its_card_field(
    merchant: Merchant, clock: TestClock
) -> None:
    from tests.integration.test_availability_api import Salon
    from tests.integration.test_pages_booking import details, post

    shop = Salon(merchant, clock)
    salon(merchant)
    review = post(shop, f"/b/{shop.slug}/book", details(shop, shop.at(shop.day(3), "10:00")))
    assert 'name="card"' in review.text and "card-element" not in review.text
    assert "js.stripe.com" not in review.headers.get("content-security-policy", "")
    assert merchant.client.post(f"/b/{shop.slug}/card-setup").status_code == 404
