"""A customer of a merchant on Stripe types a tip larger than the bill on a
375 px phone: the page asks about it and keeps the card typed into Stripe's
card box (as the PaymentMethod id Stripe made of it, never the number), so
ticking yes pays with that card and nothing is typed again. localstripe
stands in for Stripe and Stripe.js, as in test_stripe_browser. And a reward
that pays the whole bill, with no tip, is used without a card."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests import stripe_double as double
from tests.conftest import Merchant
from tests.e2e.conftest import Screenshot
from tests.e2e.test_customer_browser import served_tab
from tests.e2e.test_stripe_browser import cafe, stripe_server, type_card
from tests.integration.test_tab_page_reward_and_tip import a_covered_flat_white
from tests.stripe_double import StripeDouble

pytestmark = pytest.mark.browser

localstripe_port = double.localstripe_port
stripe_double = double.stripe_double
__all__ = ["cafe", "stripe_server"]  # fixtures

NARROW = {"width": 375, "height": 667}
ASKS = {"en-GB": "Your tip of €680.00 is more than", "pt-PT": "A sua gorjeta de €680.00 é maior"}
KEPT = {"en-GB": "The card you typed is kept", "pt-PT": "O cartão que introduziu fica guardado"}


@pytest.fixture
def phone_in(browser: Any) -> Iterator[Any]:
    opened: list[Any] = []

    def make(language: str) -> Any:
        context = browser.new_context(viewport=NARROW, locale=language)
        context.set_default_timeout(10_000)
        opened.append(context)
        return context.new_page()

    yield make
    for context in opened:
        context.close()


@pytest.mark.parametrize("language", sorted(ASKS))
def test_the_yes_to_a_large_tip_pays_with_the_card_already_typed(
    cafe: Merchant,
    stripe_server: str,
    stripe_double: StripeDouble,
    phone_in: Any,
    screenshot: Screenshot,
    language: str,
) -> None:
    from playwright.sync_api import expect

    tab = served_tab(cafe, 680)
    page = phone_in(language)
    sent_to_us: list[str] = []
    page.on(
        "request",
        lambda r: sent_to_us.append(r.post_data or "") if r.url.startswith(stripe_server) else None,
    )
    page.goto(f"{stripe_server}/t/{tab['token']}")
    page.locator("#tip-custom").check()
    page.locator("#custom_tip").fill("680")
    type_card(page, "4242424242424242")
    page.locator("#pay-button").click()

    expect(page.locator("#tip-question")).to_contain_text(ASKS[language])
    expect(page.locator("#card-kept")).to_contain_text(KEPT[language])
    assert page.locator("#payment-method").input_value().startswith("pm_")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"the page is {width}px wide"
    screenshot(page, f"stripe-large-tip-asked-{language}")

    page.locator("#tip-confirmed").check()
    page.locator("#pay-button").click()  # nothing typed again

    expect(page).to_have_url(f"{stripe_server}/t/{tab['token']}/receipt")
    paid = cafe.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert [(p["amount"], p["tip"], p["card_last4"]) for p in paid["payments"]] == [
        (680, 68000, "4242")
    ]
    assert not any("4242424242424242" in body for body in sent_to_us)


def test_another_card_typed_after_the_question_replaces_the_kept_one(
    cafe: Merchant, stripe_server: str, stripe_double: StripeDouble, phone_in: Any
) -> None:
    from playwright.sync_api import expect

    tab = served_tab(cafe, 680)
    page = phone_in("en-GB")
    page.goto(f"{stripe_server}/t/{tab['token']}")
    page.locator("#tip-custom").check()
    page.locator("#custom_tip").fill("680")
    type_card(page, "4242424242424242")
    page.locator("#pay-button").click()
    expect(page.locator("#card-kept")).to_be_visible()

    type_card(page, "5555555555554444")

    expect(page.locator("#card-kept")).to_be_hidden()
    assert page.locator("#payment-method").input_value() == ""
    page.locator("#tip-confirmed").check()
    page.locator("#pay-button").click()
    expect(page).to_have_url(f"{stripe_server}/t/{tab['token']}/receipt")
    paid = cafe.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert [(p["tip"], p["card_last4"]) for p in paid["payments"]] == [(68000, "4444")]


def test_a_reward_that_pays_the_whole_bill_needs_no_card(
    cafe: Merchant, stripe_server: str, stripe_double: StripeDouble, phone_in: Any
) -> None:
    """Her free flat white pays the tab: no card is asked for, and none charged."""
    from playwright.sync_api import expect

    ana, tab, reward = a_covered_flat_white(cafe)
    page = phone_in("pt-PT")
    page.goto(f"{stripe_server}/t/{tab['token']}")
    page.locator(f'input[name="reward_id"][value="{reward}"]').check()
    expect(page.locator("#pay-bar-due")).to_have_text("€0.00")

    page.locator("#pay-button").click()  # no card typed

    expect(page).to_have_url(f"{stripe_server}/t/{tab['token']}/receipt")
    after = cafe.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert (after["status"], after["payments"], after["tips"]) == ("paid", [], 0)
    assert not [c for c in stripe_double.calls if "/payment_intents" in c.path]
