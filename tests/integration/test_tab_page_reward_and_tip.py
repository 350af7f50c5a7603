"""A reward chosen in the tab page's payment form, and the tip beside it.

The heading, the sticky pay bar and the suggested tips say what is left to pay
once the reward chosen is off, as the payment charges it (the server's own
sum: the live poll carries the choice); a suggested tip is charged as the
share of that. A reward that pays the whole bill leaves the tip a plain tip:
weighed against the bill the reward paid, and asked about in words that say so.
"""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Merchant
from tests.integration.test_loyalty_api import card as loyalty_card
from tests.integration.test_loyalty_api import paid_tab, stamp_card
from tests.integration.test_loyalty_pages import with_reward
from tests.integration.test_pages_customer import public
from tests.integration.test_tab_page_large_tip import PT, pay, question_of

CARD = "4242424242424242"


def shown(page: str, span_id: str) -> str:
    """The text of the form's number with this id (non-breaking spaces as spaces)."""
    found = re.search(rf'<span id="{span_id}"[^>]*>([^<]*)</span>', page)
    assert found, span_id
    return found.group(1).replace("\xa0", " ")


def a_covered_flat_white(merchant: Merchant) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A regular holding a free flat white, and a tab with just a flat white (3.80)."""
    flat_white = stamp_card(merchant, visits_per_reward=2)
    ana = merchant.customer()
    paid_tab(merchant, ana["id"], flat_white["id"])
    paid_tab(merchant, ana["id"], flat_white["id"])
    tab = merchant.tab(ana["id"])
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": flat_white["id"]})
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    reward = loyalty_card(merchant, ana["id"])["rewards_available"][0]["id"]
    return ana, tab, reward


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


def test_a_tip_on_a_bill_the_reward_pays_whole_is_a_plain_tip(merchant: Merchant) -> None:
    ana, tab, reward = a_covered_flat_white(merchant)
    sent = {"card": CARD, "tip": "custom", "custom_tip": "2", "reward_id": reward}

    paid = pay(merchant, tab["token"], sent)

    assert paid.status_code == 303, paid.text
    after = public(merchant, tab["token"])
    assert after["status"] == "paid"
    assert [(p["amount"], p["tip"]) for p in after["payments"]] == [(0, 200)]


def test_a_tip_above_the_bill_the_reward_paid_is_asked_in_words_that_say_so(
    merchant: Merchant,
) -> None:
    ana, tab, reward = a_covered_flat_white(merchant)
    sent = {"card": CARD, "tip": "custom", "custom_tip": "380", "reward_id": reward}

    asked = pay(merchant, tab["token"], sent)

    assert asked.status_code == 409
    assert question_of(asked.text) == (
        "Your reward pays the whole bill (€3.80). Your tip of €380.00 is more than that bill. "
        "Pay the tip anyway?"
    )
    assert "(€0.00)" not in asked.text
    assert shown(asked.text, "pay-bar-due") == "€0.00"
    assert public(merchant, tab["token"])["payments"] == []
    assert loyalty_card(merchant, ana["id"])["rewards"][0]["status"] == "available"

    paid = pay(merchant, tab["token"], {**sent, "tip_confirmed": "38000"})

    assert paid.status_code == 303, paid.text
    assert [(p["amount"], p["tip"]) for p in public(merchant, tab["token"])["payments"]] == [
        (0, 38000)
    ]


def test_the_covered_bill_question_is_in_european_portuguese(merchant: Merchant) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    ana, tab, reward = a_covered_flat_white(merchant)
    sent = {"card": CARD, "tip": "custom", "custom_tip": "380,00", "reward_id": reward}

    asked = pay(merchant, tab["token"], sent, headers=PT)

    assert asked.status_code == 409
    assert question_of(asked.text).replace("\xa0", " ") == (
        "A sua recompensa paga a conta toda (3,80 €). A sua gorjeta de 380,00 € é maior do que "
        "essa conta. Pagar a gorjeta mesmo assim?"
    )


def test_the_public_api_takes_a_tip_on_a_bill_the_reward_pays_whole(merchant: Merchant) -> None:
    ana, tab, reward = a_covered_flat_white(merchant)
    before = merchant.balances()

    paid = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/pay",
        json={"method": "card", "card": CARD, "tip": 150, "reward_id": reward},
    )

    assert paid.status_code == 201, paid.text
    assert (paid.json()["amount"], paid.json()["tip"]) == (0, 150)
    assert public(merchant, tab["token"])["status"] == "paid"
    after = merchant.balances()  # balanced: the card took the tip alone
    assert after["card_clearing"] - before.get("card_clearing", 0) == 150
    assert after["tips_payable"] - before.get("tips_payable", 0) == -150
    assert loyalty_card(merchant, ana["id"])["rewards"][0]["status"] == "redeemed"
