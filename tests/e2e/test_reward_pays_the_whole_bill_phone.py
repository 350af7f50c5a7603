"""A regular whose free flat white pays the whole bill, on a 375 px phone in
English and in Portuguese.

With no tip there is nothing to charge, and the form is sent without a card
(the card field stops being required as soon as the reward is chosen: the
server's sum, fetched by htmx). A suggested tip is a share of the bill before
the reward (payments.tip_rules), so 10/15/20 % still add a tip, and then the
card is asked for again. Wrong input (a declined card, a negative tip, a tip
in words) is refused beside its field, with what was chosen kept and nothing
spent. The receipt names its Payments part once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Merchant
from tests.e2e.conftest import Screenshot
from tests.e2e.test_accessibility import violations
from tests.integration.test_loyalty_api import card as loyalty_card
from tests.integration.test_tab_page_reward_and_tip import a_covered_flat_white

pytestmark = pytest.mark.browser

NARROW = {"width": 375, "height": 667}
GOOD_CARD = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
#: By language: nothing left to pay, 10 % and 15 % of the flat white (3.80), the receipt's heading.
SAYS = {
    "en-GB": ("€0.00", "€0.38", "€0.57", "Payments"),
    "pt-PT": ("0,00 €", "0,38 €", "0,57 €", "Pagamentos"),
}
CARD_REQUIRED = "() => document.getElementById('card').required"
CARD_NOT_REQUIRED = "() => !document.getElementById('card').required"


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


def text_of(page: Any, selector: str) -> str:
    return str(page.locator(selector).inner_text()).replace("\xa0", " ")


def fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"the page is {width}px wide"


def in_place(merchant: Merchant, language: str) -> None:
    if language == "pt-PT":
        assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200


def choose_the_reward(page: Any, reward: str, nothing: str) -> None:
    from playwright.sync_api import expect

    page.locator(f'input[name="reward_id"][value="{reward}"]').check()
    expect(page.locator("#pay-bar-due")).to_have_text(nothing.replace(" ", "\xa0"))


@pytest.mark.parametrize("language", sorted(SAYS))
def test_a_reward_that_pays_the_whole_bill_needs_no_card_on_a_phone(
    phone_in: Any,
    live_server: str,
    live_merchant: Merchant,
    screenshot: Screenshot,
    language: str,
) -> None:
    from playwright.sync_api import expect

    nothing, tenth, _fifteenth, _heading = SAYS[language]
    in_place(live_merchant, language)
    ana, tab, reward = a_covered_flat_white(live_merchant)
    token = tab["token"]
    page = phone_in(language)
    page.goto(f"{live_server}/t/{token}")
    # "Not this time" is chosen: the flat white is to pay, by card.
    page.wait_for_function(CARD_REQUIRED)
    # A declined card first: refused by the card, in words, nothing spent.
    page.locator("#card").fill(DECLINED)
    page.locator("#pay-button").click()
    expect(page.locator("#pay-error")).to_be_visible()
    assert page.locator("#card").get_attribute("aria-invalid") == "true"
    fits(page)
    assert live_merchant.client.get(f"/v1/public/tabs/{token}").json()["payments"] == []

    choose_the_reward(page, reward, nothing)

    page.wait_for_function(CARD_NOT_REQUIRED)
    assert text_of(page, "#tip-amount-10") == tenth  # of the bill before the reward
    fits(page)
    screenshot(page, f"reward-pays-all-{language}")

    # A suggested tip is something to charge: the browser asks for the card.
    page.locator('input[name="tip"][value="10"]').check()
    page.wait_for_function(CARD_REQUIRED)
    at = page.url
    page.locator("#pay-button").click()
    assert page.evaluate("document.getElementById('card').validity.valueMissing")
    assert page.url == at  # not sent

    # A negative tip, then a tip in words: refused beside the tip, the reward kept.
    for typed in ("-1", "two euros"):
        page.locator("#tip-custom").check()
        page.locator("#custom_tip").fill(typed)
        page.locator("#card").fill(GOOD_CARD)
        page.locator("#pay-button").click()
        expect(page.locator("#custom-tip-error")).to_be_visible()
        assert page.locator("#custom_tip").input_value() == typed
        assert page.locator("#custom_tip").get_attribute("aria-invalid") == "true"
        assert page.locator(f'input[name="reward_id"][value="{reward}"]').is_checked()
        assert page.locator("#card").input_value() == ""  # a card number is never drawn back
        fits(page)
    assert violations(page) == []
    screenshot(page, f"reward-pays-all-tip-refused-{language}")

    # No tip: nothing to charge, and the form goes without a card.
    page.locator('input[name="tip"][value="0"]').check()
    page.wait_for_function(CARD_NOT_REQUIRED)
    page.locator("#pay-button").click()
    page.wait_for_url(f"{live_server}/t/{token}/receipt")
    after = live_merchant.client.get(f"/v1/public/tabs/{token}").json()
    assert (after["status"], after["payments"], after["tips"]) == ("paid", [], 0)
    assert loyalty_card(live_merchant, ana["id"])["rewards"][0]["status"] == "redeemed"
    fits(page)


@pytest.mark.parametrize("language", sorted(SAYS))
def test_a_suggested_tip_on_a_bill_the_reward_pays_is_charged_as_shown_on_a_phone(
    phone_in: Any,
    live_server: str,
    live_merchant: Merchant,
    screenshot: Screenshot,
    language: str,
) -> None:
    nothing, _tenth, fifteenth, heading = SAYS[language]
    in_place(live_merchant, language)
    ana, tab, reward = a_covered_flat_white(live_merchant)
    token = tab["token"]
    page = phone_in(language)
    page.goto(f"{live_server}/t/{token}")
    choose_the_reward(page, reward, nothing)
    assert text_of(page, "#tip-amount-15") == fifteenth

    page.locator('input[name="tip"][value="15"]').check()
    page.locator("#card").fill(GOOD_CARD)
    page.locator("#pay-button").click()

    page.wait_for_url(f"{live_server}/t/{token}/receipt")
    paid = live_merchant.client.get(f"/v1/public/tabs/{token}").json()
    assert [(p["amount"], p["tip"]) for p in paid["payments"]] == [(0, 57)]
    # The receipt: its Payments part named once, by a heading that follows the h1.
    assert page.get_by_role("heading", name=heading, exact=True).count() == 1
    assert page.get_by_role("table", name=heading, exact=True).count() == 1
    assert page.get_by_text(heading, exact=True).count() == 1
    levels = page.eval_on_selector_all("h1, h2, h3, h4, h5, h6", "hs => hs.map(h => h.tagName)")
    assert levels[0] == "H1" and all(level in ("H1", "H2") for level in levels), levels
    fits(page)
    assert violations(page) == []
    screenshot(page, f"reward-pays-all-tip-receipt-{language}")
