"""Booking online on a phone (390x844) in Chromium, without a staff member: a
new customer chooses a cut, finds the time taken meanwhile and picks the next
free one, leaves a deposit on the test card, gets the confirmation with its
calendar file, moves the booking and cancels it. Writes the README's screenshot."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Merchant, TestClock
from tests.e2e.conftest import Screenshot
from tests.integration.test_availability_api import Salon
from tests.integration.test_bookings_api import GOOD, salon

pytestmark = pytest.mark.browser


def test_a_new_customer_books_leaves_a_deposit_moves_and_cancels_on_a_phone(
    live_server: str,
    live_merchant: Merchant,
    clock: TestClock,
    phone_page: Any,
    screenshot: Screenshot,
) -> None:
    from playwright.sync_api import expect

    shop = Salon(live_merchant, clock)
    salon(live_merchant)  # new customers leave a deposit
    renamed = live_merchant.post("/v1/merchant", {"name": "Studio Lume"})
    assert renamed.status_code == 200, renamed.text
    terms = {
        "expected_results": ["Wash, cut to your shape and blow-dry", "A look at your hair first"],
        "limits": ["Colour is booked on its own", "Very long hair may need a longer slot"],
    }
    updated = live_merchant.post(f"/v1/services/{shop.cut['id']}", terms)
    assert updated.status_code == 200, updated.text
    page = phone_page
    page.goto(f"{live_server}/b/{shop.slug}")
    expect(page.get_by_role("heading", name="Choose a service")).to_be_visible()
    expect(page.get_by_text("€40.00")).to_be_visible()
    screenshot(page, "booking-online", docs=True)
    page.get_by_role("link", name="Choose Cut and blow-dry").click()

    # A day three days ahead, its first time; name, e-mail and phone.
    page.locator(f'a[href$="day={shop.day(3).isoformat()}#times"]').click()
    screenshot(page, "booking-times")
    first = page.locator('#times input[name="starts_at"]').first
    first.check()
    chosen = first.get_attribute("value")
    page.get_by_label("Your name").fill("Rita Lopes")
    page.get_by_label("Your e-mail").fill("rita@example.com")
    page.get_by_label("Phone (optional)").fill("+351 912 345 678")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="A deposit of €6.00 is needed")).to_be_visible()
    expect(page.get_by_text("New customer: a small deposit holds the slot.")).to_be_visible()
    screenshot(page, "booking-deposit", docs=True)
    # Someone else takes the time while Rita reads.
    taken = shop.book(chosen, name="Ana", email="ana@example.com", card=GOOD)
    assert taken.status_code == 201, taken.text
    page.get_by_label("Card number").fill(GOOD)
    page.get_by_role("button", name="Book and leave €6.00").click()

    expect(page.get_by_role("alert")).to_contain_text("someone booked that time a moment ago")
    expect(page.get_by_label("Your name")).to_have_value("Rita Lopes")
    page.get_by_test_id("next-slot").first.check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Card number").fill(GOOD)
    page.get_by_role("button", name="Book and leave €6.00").click()

    expect(page.get_by_role("status")).to_contain_text("You are booked")
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()
    booked_at = page.get_by_test_id("when").inner_text()
    screenshot(page, "booking-confirmed")

    # Moved to another day, free this far ahead.
    expect(page.get_by_test_id("fee")).to_contain_text("is free")
    page.locator(f'#move a[href*="day={shop.day(5).isoformat()}"]').click()
    page.locator('#move input[name="starts_at"]').first.check()
    page.get_by_role("button", name="Move it").click()
    expect(page.get_by_role("status")).to_contain_text("Your booking was moved.")
    assert page.get_by_test_id("when").inner_text() != booked_at

    page.get_by_role("link", name="Cancel the booking").click()
    page.get_by_role("button", name="Yes, cancel the booking").click()
    expect(page.get_by_role("status")).to_contain_text("Your booking was cancelled.")
    statuses = sorted(b["status"] for b in shop.booked())
    assert statuses == ["cancelled", "confirmed"]  # Rita's cancelled; Ana's stands
