"""A reward chosen in the tab page's payment form, and the tip beside it.

The heading, the sticky pay bar and the suggested tips say what is left to pay
once the reward chosen is off, as the payment charges it (the server's own
sum: the live poll carries the choice); a suggested tip is charged as the
share of that.
"""

from __future__ import annotations

import re

from tests.conftest import Merchant
from tests.integration.test_loyalty_pages import with_reward
from tests.integration.test_pages_customer import public
from tests.integration.test_tab_page_large_tip import pay

CARD = "4242424242424242"


def shown(page: str, span_id: str) -> str:
    """The text of the form's number with this id (non-breaking spaces as spaces)."""
    found = re.search(rf'<span id="{span_id}"[^>]*>([^<]*)</span>', page)
    assert found, span_id
    return found.group(1).replace("\xa0", " ")


def test_the_pay_bar_and_suggested_tips_follow_the_bill_left_after_the_chosen_reward(
    merchant: Merchant,
) -> None:
    # A flat white and a croissant (6.00); the free flat white leaves 2.20 to pay.
    ana, tab, reward = with_reward(merchant)
    page = merchant.client.get(f"/t/{tab['token']}").text
    # The live poll carries the reward chosen, and polls at once when it changes.
    assert 'change from:#rewards" data-hx-include="#rewards"' in page
    assert (shown(page, "pay-bar-due"), shown(page, "tip-amount-10")) == ("€6.00", "€0.60")

    chosen = merchant.client.get(f"/t/{tab['token']}/live", params={"reward_id": reward["id"]}).text

    assert shown(chosen, "pay-bar-due") == "€2.20"
    assert shown(chosen, "pay-due") == "€2.20"
    tips = [shown(chosen, f"tip-amount-{p}") for p in (10, 15, 20)]
    assert tips == ["€0.22", "€0.33", "€0.44"]
    # The tab's totals say the reward, and what is left.
    assert '<td data-testid="reward-off">−€3.80</td>' in chosen
    assert '<td data-testid="amount-due">€2.20</td>' in chosen
    # What the payment checks the bill against stays the bill itself.
    assert 'id="expected-due" name="expected_due" value="600"' in chosen
    # Not this time: the whole bill again.
    plain = merchant.client.get(f"/t/{tab['token']}/live", params={"reward_id": ""}).text
    assert (shown(plain, "pay-bar-due"), shown(plain, "tip-amount-10")) == ("€6.00", "€0.60")
    assert 'data-testid="reward-off"' not in plain


def test_a_reward_no_longer_held_leaves_the_numbers_at_the_whole_bill(merchant: Merchant) -> None:
    ana, tab, reward = with_reward(merchant)
    for forged in ("rwd_nothing", reward["id"] + "x", "'\"<"):
        page = merchant.client.get(f"/t/{tab['token']}/live", params={"reward_id": forged})
        assert page.status_code == 200
        assert shown(page.text, "pay-bar-due") == "€6.00", forged


def test_a_suggested_tip_is_charged_as_a_share_of_what_is_left_after_the_reward(
    merchant: Merchant,
) -> None:
    ana, tab, reward = with_reward(merchant)
    sent = {"card": CARD, "tip": "10", "reward_id": reward["id"], "expected_due": "600"}

    paid = pay(merchant, tab["token"], sent)

    assert paid.status_code == 303, paid.text
    [payment] = public(merchant, tab["token"])["payments"]
    assert (payment["amount"], payment["tip"]) == (220, 22)  # 10 % of 2.20, as the page said


def test_the_page_asking_about_a_tip_shows_the_bill_left_after_the_reward(
    merchant: Merchant,
) -> None:
    ana, tab, reward = with_reward(merchant)
    sent = {"card": CARD, "tip": "custom", "custom_tip": "30", "reward_id": reward["id"]}

    asked = pay(merchant, tab["token"], sent)

    assert asked.status_code == 409
    assert (shown(asked.text, "pay-bar-due"), shown(asked.text, "pay-due")) == ("€2.20", "€2.20")
    assert shown(asked.text, "tip-amount-20") == "€0.44"
