"""A reward chosen in the tab page's payment form, and the tip beside it.

The heading and the sticky pay bar say what is left to pay once the reward
chosen is off, as the payment charges it (the server's own sum: the live poll
carries the choice). A suggested tip is a share of the bill before any reward
(``payments.tip_rules``), whichever reward is chosen: the page without
JavaScript, which cannot know the choice before it is sent, shows the amount
it charges, and a reward that pays the whole bill leaves the suggested tips
what they were. A tip is weighed against the same bill, and asked about in
words that say the reward paid it. A reward that may pay the whole bill lets
the form be sent without a card; the server asks for one, beside the card
field, when the payment still charges something.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

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


def test_the_pay_bar_follows_the_reward_and_the_suggested_tips_stay_on_the_bill(
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
    assert tips == ["€0.60", "€0.90", "€1.20"]  # of 6.00, as the page drew them at first
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


def test_a_suggested_tip_is_charged_as_the_page_without_javascript_showed_it(
    merchant: Merchant,
) -> None:
    ana, tab, reward = with_reward(merchant)
    # Without JavaScript the page is drawn before any reward is chosen.
    page = merchant.client.get(f"/t/{tab['token']}").text
    assert shown(page, "tip-amount-10") == "€0.60"
    sent = {"card": CARD, "tip": "10", "reward_id": reward["id"], "expected_due": "600"}

    paid = pay(merchant, tab["token"], sent)

    assert paid.status_code == 303, paid.text
    [payment] = public(merchant, tab["token"])["payments"]
    assert (payment["amount"], payment["tip"]) == (220, 60)  # 10 % of 6.00, as the page said


def test_the_page_asking_about_a_tip_keeps_the_reward_chosen(
    merchant: Merchant,
) -> None:
    ana, tab, reward = with_reward(merchant)
    sent = {"card": CARD, "tip": "custom", "custom_tip": "30", "reward_id": reward["id"]}

    asked = pay(merchant, tab["token"], sent)

    assert asked.status_code == 409
    assert (shown(asked.text, "pay-bar-due"), shown(asked.text, "pay-due")) == ("€2.20", "€2.20")
    assert shown(asked.text, "tip-amount-20") == "€1.20"
    assert (
        question_of(asked.text)
        == "Your tip of €30.00 is more than the bill (€6.00). Pay it anyway?"
    )


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


def card_field(page: str) -> str:
    """The card number field as drawn."""
    return page[page.index('id="card"') :].split(">")[0]


def test_a_reward_that_may_pay_the_whole_bill_does_not_make_the_card_required(
    merchant: Merchant,
) -> None:
    ana, tab, reward = a_covered_flat_white(merchant)

    page = merchant.client.get(f"/t/{tab['token']}").text

    # The browser would refuse to send the form without a card: nothing to charge.
    assert "required" not in card_field(page)
    assert 'id="tip-base"' in page  # the suggested tips say what they are a share of


def test_a_tab_with_no_reward_to_spend_still_requires_the_card(merchant: Merchant) -> None:
    tab = merchant.served_tab(380)

    page = merchant.client.get(f"/t/{tab['token']}").text

    assert "required" in card_field(page)
    assert 'id="tip-base"' not in page


def test_a_reward_that_pays_the_whole_bill_is_used_without_a_card(merchant: Merchant) -> None:
    ana, tab, reward = a_covered_flat_white(merchant)

    paid = pay(merchant, tab["token"], {"card": "", "tip": "0", "reward_id": reward})

    assert paid.status_code == 303, paid.text
    assert public(merchant, tab["token"])["status"] == "paid"
    assert loyalty_card(merchant, ana["id"])["rewards"][0]["status"] == "redeemed"


def test_suggested_tips_on_a_bill_the_reward_pays_whole_are_a_share_of_that_bill(
    merchant: Merchant,
) -> None:
    ana, tab, reward = a_covered_flat_white(merchant)
    chosen = merchant.client.get(f"/t/{tab['token']}/live", params={"reward_id": reward}).text
    assert shown(chosen, "pay-bar-due") == "€0.00"
    assert [shown(chosen, f"tip-amount-{p}") for p in (10, 15, 20)] == ["€0.38", "€0.57", "€0.76"]

    paid = pay(merchant, tab["token"], {"card": CARD, "tip": "15", "reward_id": reward})

    assert paid.status_code == 303, paid.text
    assert [(p["amount"], p["tip"]) for p in public(merchant, tab["token"])["payments"]] == [
        (0, 57)
    ]


def test_a_suggested_tip_on_a_bill_the_reward_pays_asks_for_the_card_beside_it(
    merchant: Merchant,
) -> None:
    ana, tab, reward = a_covered_flat_white(merchant)

    refused = pay(merchant, tab["token"], {"card": "", "tip": "10", "reward_id": reward})

    assert refused.status_code == 422
    said = re.search(
        r'<p class="field-error" role="alert" id="pay-error"[^>]*>([^<]*)</p>', refused.text
    )
    assert said and said.group(1) == "Enter the card number."
    assert 'aria-invalid="true"' in card_field(refused.text)
    # What was chosen is kept; nothing was spent.
    assert f'name="reward_id" value="{reward}" checked' in refused.text
    assert 'name="tip" value="10" checked' in refused.text
    assert public(merchant, tab["token"])["payments"] == []
    assert loyalty_card(merchant, ana["id"])["rewards"][0]["status"] == "available"


def test_the_card_is_asked_for_in_portuguese_when_the_tip_is_left_to_charge(
    merchant: Merchant,
) -> None:
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    ana, tab, reward = a_covered_flat_white(merchant)
    sent = {"card": "", "tip": "custom", "custom_tip": "0,50", "reward_id": reward}

    refused = pay(merchant, tab["token"], sent, headers=PT)

    assert refused.status_code == 422
    said = re.search(r'id="pay-error"[^>]*>([^<]*)</p>', refused.text)
    assert said and said.group(1) == "Escreva o número do cartão."
    assert 'value="0,50"' in refused.text


def test_a_reward_too_small_to_pay_the_bill_leaves_the_card_required(merchant: Merchant) -> None:
    # A free flat white (3.80) off a flat white and a croissant (6.00): 2.20
    # is left whichever choice is made, so the browser asks for the card itself.
    ana, tab, reward = with_reward(merchant)

    page = merchant.client.get(f"/t/{tab['token']}").text

    assert f'value="{reward["id"]}"' in page
    assert "required" in card_field(page)


@pytest.mark.parametrize(
    ("headers", "asked"),
    [({}, "Enter the card number."), (PT, "Escreva o número do cartão.")],
    ids=["en", "pt"],
)
def test_no_reward_chosen_and_no_card_is_asked_for_beside_the_card_keeping_the_tip(
    merchant: Merchant, headers: dict[str, str], asked: str
) -> None:
    """Without JavaScript, a reward that may pay the whole bill lets the form go
    without a card; a customer who chose no reward is told beside the field."""
    ana, tab, reward = a_covered_flat_white(merchant)
    sent = {"card": "", "tip": "15", "custom_tip": "", "reward_id": ""}

    refused = pay(merchant, tab["token"], sent, headers=headers)

    assert refused.status_code == 422
    said = re.search(r'id="pay-error"[^>]*>([^<]*)</p>', refused.text)
    assert said and said.group(1) == asked
    field = card_field(refused.text)
    assert 'aria-invalid="true"' in field and "pay-error" in field
    assert 'name="reward_id" value="" checked' in refused.text
    assert 'name="tip" value="15" checked' in refused.text
    assert public(merchant, tab["token"])["payments"] == []
    assert loyalty_card(merchant, ana["id"])["rewards"][0]["status"] == "available"
