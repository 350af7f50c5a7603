"""A customer in a real Chromium: open the tab, accept, rate, tip, pay, receipt."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Merchant
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.browser


def served_tab(merchant: Merchant, *prices: int) -> dict[str, Any]:
    tab = merchant.tab()
    for n, price in enumerate(prices):
        svc = merchant.service(
            f"Service {n + 1}",
            price=price,
            expected_results=["Wash, cut and blow-dry"],
            limits=["Colouring is not included"],
        )
        added = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
        assert added.status_code == 200, added.text
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    return tab


def record_requests(page: Any) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def test_customer_accepts_rates_tips_pays_and_sees_receipt(
    live_server: str, live_merchant: Merchant, phone_page: Any, screenshot: Any
) -> None:
    from playwright.sync_api import expect

    tab = served_tab(live_merchant, 2000, 450)
    page = phone_page
    requests = record_requests(page)

    page.goto(f"{live_server}/t/{tab['token']}")
    expect(page.get_by_role("heading", name="Café Azul")).to_be_visible()
    expect(page.get_by_text("Wash, cut and blow-dry").first).to_be_visible()
    expect(page.get_by_test_id("total")).to_have_text("€24.50")
    # Nothing overflows a phone sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "customer-tab-phone")

    page.get_by_role("button", name="I accept these terms").click()
    expect(page.get_by_role("status")).to_contain_text("accepted the terms")

    page.get_by_label("5 stars").check()
    page.get_by_label("Comment (optional)").fill("Lovely, thank you")
    page.get_by_role("button", name="Send rating").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you for your rating")

    # 15 % of 24.50 is 3.675: half-up to 3.68.
    expect(page.locator("#tip-amount-15")).to_have_text("€3.68")
    page.get_by_role("radio", name=re.compile(r"^15 ?%")).check()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Pay now").click()

    expect(page).to_have_url(f"{live_server}/t/{tab['token']}/receipt")
    expect(page.get_by_role("heading", name="Receipt")).to_be_visible()
    expect(page.get_by_test_id("charged")).to_have_text("€28.18")
    expect(page.get_by_text("•••• 4242")).to_be_visible()
    screenshot(page, "customer-receipt-phone")

    after = live_merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert after["status"] == "paid"
    assert after["review"]["rating"] == 5
    assert after["terms_accepted"] is True
    assert [(p["amount"], p["tip"]) for p in after["payments"]] == [(2450, 368)]
    # No CDN: every request the page made went to our own server.
    assert requests and all(url.startswith(live_server) for url in requests), requests


def test_declined_card_is_shown_and_can_be_retried(
    live_server: str, live_merchant: Merchant, phone_page: Any
) -> None:
    from playwright.sync_api import expect

    tab = served_tab(live_merchant, 1000)
    page = phone_page
    page.goto(f"{live_server}/t/{tab['token']}")
    page.get_by_label("Card number").fill("4000000000009995")
    page.get_by_role("button", name="Pay now").click()

    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Your card has insufficient funds.")
    expect(page.get_by_label("Card number")).to_have_value("")
    # Said by the card field, on the screen the customer lands on.
    expect(alert).to_be_in_viewport()
    expect(page.get_by_label("Card number")).to_be_in_viewport()

    page.get_by_label("Card number").fill("4242424242424242")
    page.get_by_role("button", name="Pay now").click()
    expect(page.get_by_test_id("charged")).to_have_text("€10.00")


def test_page_refreshes_when_staff_add_a_line(
    live_server: str, live_merchant: Merchant, tablet_page: Any, screenshot: Any
) -> None:
    from playwright.sync_api import expect

    tab = live_merchant.tab()
    first = live_merchant.service("Flat white", price=380)
    live_merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": first["id"]})
    page = tablet_page
    page.goto(f"{live_server}/t/{tab['token']}")
    expect(page.get_by_test_id("total")).to_have_text("€3.80")
    page.get_by_label("Card number").fill("4242")  # typed text survives the refresh

    cake = live_merchant.service("Carrot cake", price=420)
    added = live_merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": cake["id"]})
    assert added.status_code == 200

    # No reload by the test: htmx polls every 3 s.
    expect(page.get_by_text("Carrot cake")).to_be_visible(timeout=10_000)
    expect(page.get_by_test_id("total")).to_have_text("€8.00")
    expect(page.locator("#pay-due")).to_have_text("€8.00")
    expect(page.locator("#expected-due")).to_have_value("800")
    expect(page.get_by_label("Card number")).to_have_value("4242")
    screenshot(page, "customer-tab-tablet")


def test_every_field_has_a_label_and_the_keyboard_reaches_pay(
    live_server: str, live_merchant: Merchant, phone_page: Any
) -> None:
    tab = served_tab(live_merchant, 500)
    page = phone_page
    page.goto(f"{live_server}/t/{tab['token']}")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), textarea, select')]
              .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label'))
              .map(el => el.name)"""
    )
    assert unlabelled == []
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.textContent.trim()"))
        if "Pay now" in reached:
            break
    assert "Pay now" in reached


def test_qr_page_shows_the_code(
    live_server: str, live_merchant: Merchant, tablet_page: Any, screenshot: Any
) -> None:
    from playwright.sync_api import expect

    tab = live_merchant.tab()
    page = tablet_page
    page.goto(f"{live_server}/t/{tab['token']}/qr")
    image = page.get_by_role("img", name=re.compile("QR code"))
    expect(image).to_be_visible()
    # The SVG loaded and was drawn at a scannable size.
    assert page.evaluate("document.querySelector('img').naturalWidth") > 0
    assert image.bounding_box()["width"] >= 200
    expect(page.get_by_text(tab["short_code"])).to_be_visible()
    screenshot(page, "customer-qr-tablet")
