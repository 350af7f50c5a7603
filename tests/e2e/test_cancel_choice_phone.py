"""The console's cancel at phone width: both choices (the customer's, with the
fee the policy keeps; the business's, no fee) fit a 390 px screen, in English
and Portuguese, with no serious accessibility violation, and the business's
choice gives the whole deposit back."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.e2e.conftest import PHONE
from tests.e2e.test_accessibility import context_at, login, sign_in, violations
from tests.integration.test_bookings_api import ALWAYS_ASKED, SALON
from tests.integration.test_pages_staff_bookings import later_today

pytestmark = pytest.mark.browser
__all__ = ["context_at"]  # a fixture, used by name


@pytest.mark.parametrize("locale", ["en", "pt_PT"])
def test_both_cancellations_fit_a_phone_and_the_business_s_costs_nothing(
    context_at: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    clock: TestClock,
    locale: str,
) -> None:
    if locale != "en":
        assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    policy = {"deposit_policy": ALWAYS_ASKED | SALON}
    assert live_merchant.post("/v1/merchant/deposit-policy", policy).status_code == 200
    cut = live_merchant.service("Cut and blow-dry", price=4000, duration_minutes=45)
    customer = live_merchant.customer("Leonor Batista")
    booked = live_merchant.post(
        "/v1/bookings",
        {
            "customer_id": customer["id"],
            "service_id": cut["id"],
            # Today's list shows it: later today, whatever the hour the test runs at.
            "starts_at": later_today(clock, minutes=120).isoformat(),
            "card": "4242424242424242",
        },
    )
    assert booked.status_code == 201, booked.text
    page = context_at(PHONE)
    sign_in(page, live_server, login(runtime, live_merchant, "manager"))
    page.goto(f"{live_server}/staff")
    row = page.locator(f"#booking-{booked.json()['id']}")
    row.locator("summary").click()
    customer_says, we_say = {
        "en": ("The customer cancelled", "We cancel: no fee"),
        "pt_PT": ("O cliente cancelou", "Cancelamos nós: sem taxa"),
    }[locale]
    assert row.get_by_role("button", name=customer_says).is_visible()
    assert row.get_by_text("4.00").is_visible() or row.get_by_text("4,00").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert violations(page) == []
    row.get_by_role("button", name=we_say).click()
    page.wait_for_url("**/staff?done=cancelled")
    after = live_merchant.get(f"/v1/bookings/{booked.json()['id']}").json()
    assert (after["deposit"]["status"], after["deposit"]["fee"]) == ("refunded", 0)
