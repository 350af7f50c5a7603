"""A customer of a merchant on Stripe pays on their page in Debian's Chromium,
with localstripe's stand-in for Stripe.js (served by localstripe at
/js.stripe.com/v3/, through the test double): the card number goes from the
browser to the fake Stripe, and servefirst only ever sees a PaymentMethod id."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from servefirst.app import create_app
from servefirst.merchants.service import create_merchant
from servefirst.payments.gateways import default_gateways
from servefirst.runtime import Runtime
from tests import stripe_double as double
from tests.conftest import Merchant
from tests.e2e.test_customer_browser import served_tab
from tests.patience import SERVER_START_SECONDS
from tests.ports import free_port
from tests.stripe_double import TEST_SECRET_KEY, StripeDouble

pytestmark = pytest.mark.browser

localstripe_port = double.localstripe_port  # localstripe, for the session (a fixture)
stripe_double = double.stripe_double  # the proxy in front of it, per test (a fixture)


@pytest.fixture
def stripe_server(runtime: Runtime, stripe_double: StripeDouble) -> Iterator[str]:
    """A live server whose merchants' Stripe calls and Stripe.js go to the double."""
    settings = runtime.settings.model_copy(
        update={"stripe_js_url": f"{stripe_double.api_base}/js.stripe.com/v3/"}
    )
    gateways = default_gateways(
        secret_key="a-server-secret", stripe_api_base=stripe_double.api_base
    )
    app = create_app(dataclasses.replace(runtime, settings=settings, gateways=gateways))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


WEBHOOK_SECRET = "whsec_browser"


@pytest.fixture
def cafe(runtime: Runtime, stripe_server: str) -> Iterator[Merchant]:
    """A merchant on Stripe whose helper talks to the live server."""
    with runtime.uow() as uow:
        created = create_merchant(uow, name="Café Azul", currency="EUR")
        uow.commit()
    with httpx.Client(base_url=stripe_server, timeout=10) as http:
        cafe = Merchant(created.merchant.merchant_id, created.api_key, http)  # type: ignore[arg-type]
        keys = {
            "gateway": "stripe",
            "secret_key": TEST_SECRET_KEY,
            "publishable_key": "pk_test_servefirst",
            "webhook_secret": WEBHOOK_SECRET,
        }
        assert cafe.post("/v1/merchant/gateway", keys).status_code == 200
        yield cafe


def type_card(page: Any, number: str) -> None:
    """localstripe's Card Element: one input per part of the card."""
    page.get_by_placeholder("number").fill(number)
    page.get_by_placeholder("exp_month").fill("12")
    page.get_by_placeholder("exp_year").fill("34")
    page.get_by_placeholder("cvc").fill("123")
    page.get_by_placeholder("postal_code").fill("1000")


def test_the_customer_pays_with_the_card_element_and_the_number_never_reaches_us(
    cafe: Merchant, stripe_server: str, stripe_double: StripeDouble, phone_page: Any
) -> None:
    from playwright.sync_api import expect

    http = cafe.client
    tab = served_tab(cafe, 2000)

    page = phone_page
    sent_to_us: list[str] = []
    page.on(
        "request",
        lambda r: sent_to_us.append(r.post_data or "") if r.url.startswith(stripe_server) else None,
    )
    answer = page.goto(f"{stripe_server}/t/{tab['token']}")
    policy = answer.headers["content-security-policy"]
    assert f"script-src 'self' {stripe_double.api_base}" in policy
    expect(page.get_by_text("Test mode: no real money")).to_have_count(0)
    type_card(page, "4242424242424242")
    page.get_by_role("button", name="Pay now").click()

    expect(page).to_have_url(f"{stripe_server}/t/{tab['token']}/receipt")
    expect(page.get_by_text("•••• 4242")).to_be_visible()
    after = http.get(f"/v1/public/tabs/{tab['token']}").json()
    assert after["status"] == "paid"
    assert [(p["amount"], p["tip"]) for p in after["payments"]] == [(2000, 0)]
    assert not any("4242424242424242" in body for body in sent_to_us)
    assert any("payment_method=pm_" in body for body in sent_to_us)


def test_a_card_asking_for_3d_secure_is_confirmed_on_the_page_and_booked_by_the_event(
    cafe: Merchant, stripe_server: str, stripe_double: StripeDouble, phone_page: Any
) -> None:
    from playwright.sync_api import expect

    tab = served_tab(cafe, 1500)
    page = phone_page
    page.goto(f"{stripe_server}/t/{tab['token']}")
    type_card(page, "4000002760003184")  # localstripe's card that asks for 3-D Secure
    page.get_by_role("button", name="Pay now").click()
    # localstripe's stand-in for the bank's check: once when the card is set
    # up in the browser, once more for the payment our server asked for.
    page.get_by_role("button", name="Complete authentication").click()
    expect(page).to_have_url(f"{stripe_server}/t/{tab['token']}/pay")
    page.get_by_role("button", name="Complete authentication").click()
    expect(page).to_have_url(f"{stripe_server}/t/{tab['token']}?flash=confirming")
    # Confirmed at Stripe, but not booked here until Stripe's event says so.
    assert cafe.client.get(f"/v1/public/tabs/{tab['token']}").json()["status"] == "served"
    [intent_id] = [
        c.path.split("/")[3] for c in stripe_double.calls if "/payment_intents/" in c.path
    ]
    intent = stripe_double.intent(intent_id)
    assert intent.status == "succeeded"
    # Stripe's event (the double signs and posts it: localstripe would post it to a URL).
    payload, signature = stripe_double.signed_event(
        "payment_intent.succeeded", intent.to_dict(), WEBHOOK_SECRET
    )
    answer = cafe.client.post(
        f"/v1/webhooks/stripe/{cafe.id}",
        content=payload,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    assert cafe.client.get(f"/v1/public/tabs/{tab['token']}").json()["status"] == "paid"


def test_a_deposit_on_the_booking_page_is_left_through_the_card_element(
    cafe: Merchant,
    stripe_server: str,
    stripe_double: StripeDouble,
    phone_page: Any,
    clock: Any,
) -> None:
    """The online booking page of a merchant on Stripe: the card goes to Stripe,
    servefirst keeps it on file as a Stripe Customer and holds the deposit."""
    from playwright.sync_api import expect

    from tests.integration.test_availability_api import Salon
    from tests.integration.test_bookings_holds import hold_policy

    shop = Salon(cafe, clock)
    hold_policy(cafe)  # new customers leave a deposit, held on their card

    def stripe_customers() -> int:
        listed = stripe_double.client().v1.customers.list(params={"limit": 100})
        return sum(1 for _ in listed.auto_paging_iter())

    before = stripe_customers()
    page = phone_page
    sent_to_us: list[str] = []
    page.on(
        "request",
        lambda r: sent_to_us.append(r.post_data or "") if r.url.startswith(stripe_server) else None,
    )
    page.goto(f"{stripe_server}/b/{shop.slug}?service={shop.cut['id']}")
    page.locator(f'a[href$="day={shop.day(3).isoformat()}#times"]').click()
    page.locator('#times input[name="starts_at"]').first.check()
    page.get_by_label("Your name").fill("Rita Lopes")
    page.get_by_label("Your e-mail").fill("rita@example.com")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Test mode: no real money")).to_have_count(0)
    type_card(page, "4242424242424242")
    page.get_by_role("button", name="Book and leave €6.00").click()

    expect(page.get_by_role("status")).to_contain_text("You are booked")
    [booking] = cafe.get("/v1/bookings").json()["data"]
    assert (booking["deposit"]["status"], booking["deposit"]["hold"]["status"]) == (
        "held",
        "active",
    )
    assert not any("4242424242424242" in body for body in sent_to_us)
    assert any("payment_method=pm_" in body for body in sent_to_us)
    assert stripe_customers() == before + 1  # the card kept on file for the booking
