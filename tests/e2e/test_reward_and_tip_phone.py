"""A regular picks her free flat white in the payment form on a 375 px phone,
in English and in Portuguese: the sticky pay bar and the heading follow what
is left to pay at once (the server's sum, fetched by htmx), the suggested tips
stay a share of the bill before the reward (payments.tip_rules) and are
charged as the page said, and a custom tip more than the bill is asked about
with that bill."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Merchant
from tests.e2e.conftest import Screenshot
from tests.e2e.test_accessibility import violations
from tests.integration.test_loyalty_pages import with_reward

pytestmark = pytest.mark.browser

NARROW = {"width": 375, "height": 667}
#: What the page says, by language: the whole bill, what is left, 10 % of the
#: bill before the reward, the question about a tip more than the bill.
SAYS = {
    "en-GB": ("€6.00", "€2.20", "€0.60", "Your tip of €7.00 is more than the bill (€6.00)."),
    "pt-PT": (
        "6,00 €",
        "2,20 €",
        "0,60 €",
        "A sua gorjeta de 7,00 € é maior do que a conta (6,00 €).",
    ),
}


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


@pytest.mark.parametrize("language", sorted(SAYS))
def test_the_pay_bar_and_tips_follow_the_reward_chosen_on_a_phone(
    phone_in: Any,
    live_server: str,
    live_merchant: Merchant,
    screenshot: Screenshot,
    language: str,
) -> None:
    from playwright.sync_api import expect

    whole, left, tenth, asked = SAYS[language]
    if language == "pt-PT":
        assert live_merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    ana, tab, reward = with_reward(live_merchant)
    page = phone_in(language)
    page.goto(f"{live_server}/t/{tab['token']}")
    bar = page.locator("#pay-bar-due")
    expect(bar).to_have_text(whole.replace(" ", "\xa0"))

    page.locator(f'input[name="reward_id"][value="{reward["id"]}"]').check()

    expect(bar).to_have_text(left.replace(" ", "\xa0"))
    assert text_of(page, "#pay-due") == left
    assert text_of(page, "#tip-amount-10") == tenth
    assert text_of(page, "[data-testid=amount-due]") == left
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"the page is {width}px wide"
    screenshot(page, f"reward-chosen-{language}")
    # Back to "not this time": the whole bill again.
    page.locator('input[name="reward_id"][value=""]').check()
    expect(bar).to_have_text(whole.replace(" ", "\xa0"))
    page.locator(f'input[name="reward_id"][value="{reward["id"]}"]').check()
    expect(bar).to_have_text(left.replace(" ", "\xa0"))

    # Wrong input first: a tip more than the bill is asked about, with that bill.
    page.locator("#tip-custom").check()
    page.locator("#custom_tip").fill("7")
    page.locator("#card").fill("4242 4242 4242 4242")
    page.locator("#pay-button").click()
    question = page.locator("#tip-question")
    expect(question).to_contain_text(asked.replace(" ", "\xa0"))
    assert text_of(page, "#pay-bar-due") == left  # the reward still chosen, the bar as it was
    assert violations(page) == []
    screenshot(page, f"reward-tip-asked-{language}")

    # Then a suggested tip instead: 10 % of the bill, as the page said.
    page.locator('input[name="tip"][value="10"]').check()
    page.locator("#pay-button").click()
    page.wait_for_url(f"{live_server}/t/{tab['token']}/receipt")
    paid = live_merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert [(p["amount"], p["tip"]) for p in paid["payments"]] == [(220, 60)]
