"""A booking's deposit refund held up because the processor refused its key
(first used with other parameters), on a 375 px phone in English and
Portuguese: the console's booking row says the tab page's sentence beside
"on its way back to the card", and the customer's booking page says only that
the refund is delayed and sent within a day. Nothing wider than the screen,
no serious accessibility violation. (Stripe's refusal itself is driven
through the test double in
tests/integration/test_stripe_deposit_refunds_sent_again.py; here the
sandbox answers the refund as Stripe answers it then.)"""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.e2e.test_accessibility import context_at, login, sign_in
from tests.e2e.test_deposit_refund_held_up_phone import key_refused
from tests.e2e.test_refund_held_up_phone import SAID
from tests.e2e.test_refund_refused_later_phone import NARROW, fits
from tests.integration.test_availability_api import Salon
from tests.integration.test_booking_cancelled_emails import staff_booking
from tests.integration.test_bookings_api import salon
from tests.integration.test_deposit_refund_held_up_on_the_booking import DELAYED

pytestmark = pytest.mark.browser
__all__ = ["context_at"]  # a fixture, used by name


@pytest.mark.parametrize(("locale", "accept"), [("en", "en-GB"), ("pt_PT", "pt-PT")])
def test_a_deposit_refund_held_up_by_the_processor_is_said_on_the_booking_on_a_phone(
    context_at: Any,  # noqa: F811
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
    locale: str,
    accept: str,
) -> None:
    shop = Salon(live_merchant, clock)
    salon(live_merchant)
    booking = staff_booking(shop, f"lia.retida.{locale.lower()}@example.com", "Lia Matos")
    monkeypatch.setattr(runtime.gateways.sandbox, "refund", key_refused)
    cancelled = live_merchant.post(f"/v1/bookings/{booking['id']}/cancel", {"by": "business"})
    deposit = cancelled.json()["deposit"]
    assert deposit["refund_failure_code"] == "processor_key_reused", cancelled.text
    if locale != "en":
        assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200

    page = context_at(NARROW)
    sign_in(page, live_server, login(runtime, live_merchant, "owner"))
    page.goto(f"{live_server}/staff")
    row = page.locator(f"#booking-{booking['id']}")
    assert row.locator('[data-refund="pending"]').is_visible()
    said = row.locator("[data-deposit-held-up]")
    assert said.inner_text() == SAID[locale]
    assert said.is_visible()
    fits(page)

    customer = context_at(NARROW)
    customer.set_extra_http_headers({"Accept-Language": accept})
    customer.goto(f"{live_server}/b/{shop.slug}/bookings/{booking['token']}")
    assert customer.get_by_test_id("deposit-on-its-way").is_visible()
    delayed = customer.get_by_test_id("deposit-delayed")
    assert delayed.inner_text() == DELAYED["en" if locale == "en" else "pt"]
    assert delayed.is_visible()
    fits(customer)
