"""A tip larger than the bill, typed on a 375 px phone in English and in
Portuguese: the page comes back asking beside the tip, on screen above the
sticky pay bar, the tip and the sandbox test card as typed (a real card number
never is); ticking yes and paying, with nothing typed again, charges it once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Merchant
from tests.e2e.conftest import Screenshot
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.browser

#: The narrowest phone in common use (an iPhone SE, a Galaxy S9).
NARROW = {"width": 375, "height": 667}
#: The question's first words, by the browser's language.
ASKS = {"en-GB": "Your tip of €680.00 is more than", "pt-PT": "A sua gorjeta de €680.00 é maior"}


@pytest.fixture
def phone_in(browser: Any) -> Iterator[Any]:
    opened: list[Any] = []

    def make(language: str) -> Any:
        # bypass_csp: the accessibility check injects axe into the page.
        context = browser.new_context(viewport=NARROW, locale=language, bypass_csp=True)
        context.set_default_timeout(10_000)
        opened.append(context)
        return context.new_page()

    yield make
    for context in opened:
        context.close()


@pytest.mark.parametrize("language", sorted(ASKS))
def test_a_tip_larger_than_the_bill_is_asked_about_on_a_phone(
    phone_in: Any,
    live_server: str,
    live_merchant: Merchant,
    screenshot: Screenshot,
    language: str,
) -> None:
    from playwright.sync_api import expect

    page = phone_in(language)
    tab = live_merchant.served_tab(680)
    page.goto(f"{live_server}/t/{tab['token']}")
    page.locator("#tip-custom").check()
    page.locator("#custom_tip").fill("680")
    page.locator("#card").fill("4242 4242 4242 4242")
    page.locator("#pay-button").click()
    page.wait_for_url(f"{live_server}/t/{tab['token']}/pay")
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

    question = page.locator("#tip-question")
    expect(question).to_contain_text(ASKS[language])
    top, bottom = question.evaluate(
        "e => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom]"
    )
    bar_top = page.locator(".pay-bar").evaluate("e => e.getBoundingClientRect().top")
    assert top >= 0 and bottom <= bar_top, (top, bottom, bar_top)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"the page is {width}px wide"
    yes = page.locator("label:has(#tip-confirmed)")
    box = yes.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= NARROW["width"], box
    assert page.locator("#custom_tip").input_value() == "680"
    # A sandbox test card is a public number: kept, so the yes needs no typing.
    assert page.locator("#card").input_value() == "4242 4242 4242 4242"
    assert violations(page) == []
    screenshot(page, f"large-tip-asked-{language}")
    assert live_merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "served"

    page.locator("#tip-confirmed").check()
    page.locator("#pay-button").click()
    page.wait_for_url(f"{live_server}/t/{tab['token']}/receipt")
    paid = live_merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert [(p["amount"], p["tip"]) for p in paid["payments"]] == [(680, 68000)]
