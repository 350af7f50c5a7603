"""A name pasted longer than a booking keeps, on a phone (390x844) in
Chromium, in English and in Portuguese: the browser keeps all of it (no
maxlength cuts it short), the page says why beside the name with the field
focused, and once shortened the booking is made with the name as typed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Merchant, TestClock
from tests.e2e.conftest import PHONE, Screenshot
from tests.integration.test_availability_api import Salon

pytestmark = pytest.mark.browser

WORDS = {
    "en-GB": ("Please give your name in at most 200 characters; this has 230.", "Book"),
    "pt-PT": ("Indique o seu nome em no máximo 200 caracteres; este tem 230.", "Marcar"),
}


@pytest.mark.parametrize("language", sorted(WORDS))
def test_a_name_too_long_is_refused_beside_it_on_a_phone_then_booked_whole(
    live_server: str,
    live_merchant: Merchant,
    clock: TestClock,
    browser: Any,
    screenshot: Screenshot,
    language: str,
) -> None:
    from playwright.sync_api import expect

    refusal, book = WORDS[language]
    shop = Salon(live_merchant, clock)  # no deposit asked: one tap books
    context = browser.new_context(viewport=PHONE, locale=language)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        day = shop.day(3).isoformat()
        page.goto(f"{live_server}/b/{shop.slug}?service={shop.cut['id']}&day={day}#times")
        page.locator('#times input[name="starts_at"]').first.check()
        name = page.locator("#name")
        name.fill("Rita " + "L" * 225)
        page.locator("#email").fill("rita@example.com")
        page.locator('#times button[type="submit"]').click()

        beside = page.locator("#name-error")
        expect(beside).to_have_text(refusal)
        expect(name).to_be_focused()
        expect(name).to_have_value("Rita " + "L" * 225)
        assert page.locator(".flash-error").count() == 0
        screenshot(page, f"booking-name-too-long-{language}")

        name.fill("Rita " + "L" * 195)
        page.locator('#times button[type="submit"]').click()
        page.get_by_role("button", name=book, exact=True).click()
        expect(page.get_by_role("status")).to_be_visible()
    finally:
        context.close()
    (booking,) = shop.booked()
    customer = live_merchant.get(f"/v1/customers/{booking['customer_id']}").json()
    assert customer["name"] == "Rita " + "L" * 195
