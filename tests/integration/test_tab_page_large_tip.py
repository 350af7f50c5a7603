"""A customer who types 680 for a 6,80 tip is asked before the card is charged.

On the tab page a tip more than what is due (before any reward spent with the
payment: the suggested tips' yardstick, ``payments.tip_rules``) is not charged
at once: the page comes back with what was typed (the card too, when it is a
sandbox test card: a real number never is), asks beside the tip in the
reader's language, and charges only once the customer says yes to that very
amount. Nothing is written while the page asks.
The public JSON API does not ask (its callers decide for themselves).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Merchant
from tests.integration.test_loyalty_api import card as loyalty_card
from tests.integration.test_loyalty_api import paid_tab
from tests.integration.test_loyalty_pages import with_reward
from tests.integration.test_pages_customer import public, tab_with

CARD = "4242424242424242"
#: None of the sandbox's test cards: it may be someone's real card, never drawn into a page.
OWN_CARD = "4000 0566 5566 5556"
PT = {"Accept-Language": "pt-PT,pt;q=0.9"}


def pay(merchant: Merchant, token: str, data: dict[str, str], **kw: Any) -> Any:
    return merchant.client.post(f"/t/{token}/pay", data=data, follow_redirects=False, **kw)


def question_of(page: str) -> str:
    asking = r'<p class="field-error" role="alert" id="tip-question"[^>]*>([^<]*)</p>'
    found = re.search(asking, page)
    assert found, page[:300]
    return found.group(1)


def card_kept(page: str) -> str | None:
    """The value the card field is drawn with, if any."""
    field = page[page.index('id="card"') :].split(">")[0]
    found = re.search(r'value="([^"]*)"', field)
    return found.group(1) if found else None


def test_a_tip_more_than_the_bill_is_asked_about_and_nothing_is_written(
    merchant: Merchant,
) -> None:
    tab = tab_with(merchant, merchant.service(price=680), serve=True)
    balances = merchant.balances()
    sent = {"card": OWN_CARD, "tip": "custom", "custom_tip": "680", "expected_due": "680"}

    asked = pay(merchant, tab["token"], sent)

    assert asked.status_code == 409
    assert asked.headers["content-type"].startswith("text/html")
    page = asked.text
    said = "Your tip of €680.00 is more than the bill (€6.80). Pay it anyway?"
    assert question_of(page) == said
    # Beside the tip, before the card; what was typed is kept to change or confirm.
    assert page.index('id="custom_tip"') < page.index('id="tip-question"') < page.index('id="card"')
    assert 'value="680"' in page
    assert re.search(r'name="tip" value="custom" id="tip-custom" checked', page)
    assert 'name="tip_confirmed" id="tip-confirmed" value="68000"' in page
    assert "Yes, tip €680.00" in page and "Nothing was charged." in page
    field = page[page.index('id="custom_tip"') :].split(">")[0]
    assert "tip-question" in field  # the field points at the question
    assert 'id="error"' not in page and 'id="pay-error"' not in page
    # The card number is never drawn into the page, asked or refused.
    assert OWN_CARD not in page and OWN_CARD.replace(" ", "") not in page
    assert card_kept(page) is None

    after = public(merchant, tab["token"])
    assert (after["status"], after["payments"], after["tips"]) == ("served", [], 0)
    assert merchant.balances() == balances


def test_the_question_is_in_european_portuguese(merchant: Merchant) -> None:
    # A Lisbon café: amounts written its way (680,00 €), words in the reader's language.
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    tab = tab_with(merchant, merchant.service(price=680), serve=True)
    sent = {"card": OWN_CARD, "tip": "custom", "custom_tip": "680,00"}

    page = pay(merchant, tab["token"], sent, headers=PT).text

    said = question_of(page).replace("\xa0", " ")
    assert said == "A sua gorjeta de 680,00 € é maior do que a conta (6,80 €). Pagar mesmo assim?"
    assert "Sim, dar 680,00" in page and "Nada foi cobrado." in page
    assert OWN_CARD not in page and OWN_CARD.replace(" ", "") not in page
    assert public(merchant, tab["token"])["payments"] == []


def test_a_confirmed_large_tip_is_paid_once(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=680), serve=True)
    sent = {"card": CARD, "tip": "custom", "custom_tip": "680", "expected_due": "680"}
    assert pay(merchant, tab["token"], sent).status_code == 409

    paid = pay(merchant, tab["token"], {**sent, "tip_confirmed": "68000"})

    assert paid.status_code == 303
    assert paid.headers["location"] == f"/t/{tab['token']}/receipt"
    after = public(merchant, tab["token"])
    [payment] = after["payments"]
    assert (payment["amount"], payment["tip"]) == (680, 68000)
    assert (after["status"], after["tips"]) == ("paid", 68000)
    # The same form sent again (a double tap) is not a second charge.
    again = pay(merchant, tab["token"], {**sent, "tip_confirmed": "68000"})
    assert again.status_code == 303
    assert len(public(merchant, tab["token"])["payments"]) == 1


def test_a_yes_for_another_amount_is_asked_again(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=680), serve=True)
    # Said yes to 680,00, then typed 6800 before paying: that is asked about anew.
    sent = {"card": CARD, "tip": "custom", "custom_tip": "6800", "tip_confirmed": "68000"}

    asked = pay(merchant, tab["token"], sent)

    assert asked.status_code == 409
    assert question_of(asked.text).startswith("Your tip of €6,800.00 is more")
    assert 'value="680000"' in asked.text
    for forged in ("yes", "on", "", "-1"):
        answer = pay(merchant, tab["token"], {**sent, "tip_confirmed": forged})
        assert answer.status_code == 409, forged
    assert public(merchant, tab["token"])["payments"] == []


def test_a_tip_up_to_the_bill_pays_at_once(merchant: Merchant) -> None:
    for typed, tip in (("6.80", 680), ("6,79", 679)):
        tab = tab_with(merchant, merchant.service(price=680), serve=True)
        sent = {"card": CARD, "tip": "custom", "custom_tip": typed}
        paid = pay(merchant, tab["token"], sent)
        assert paid.status_code == 303, typed
        [payment] = public(merchant, tab["token"])["payments"]
        assert (payment["amount"], payment["tip"]) == (680, tip)


def test_a_changed_amount_below_the_bill_pays_without_the_yes(merchant: Merchant) -> None:
    tab = tab_with(merchant, merchant.service(price=680), serve=True)
    asked = pay(merchant, tab["token"], {"card": CARD, "tip": "custom", "custom_tip": "680"})
    assert asked.status_code == 409
    paid = pay(merchant, tab["token"], {"card": CARD, "tip": "custom", "custom_tip": "6.80"})
    assert paid.status_code == 303
    [payment] = public(merchant, tab["token"])["payments"]
    assert payment["tip"] == 680


def test_the_public_api_still_takes_a_tip_more_than_the_bill(merchant: Merchant) -> None:
    tab = merchant.served_tab(680)
    response = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/pay",
        json={"method": "card", "card": CARD, "tip": 68000},
    )
    assert response.status_code == 201, response.text
    assert (response.json()["amount"], response.json()["tip"]) == (680, 68000)


@pytest.mark.parametrize("typed", ["4242 4242 4242 4242", "4000000000000002"])
def test_a_sandbox_test_card_is_kept_so_the_yes_needs_no_typing(
    merchant: Merchant, typed: str
) -> None:
    tab = tab_with(merchant, merchant.service(price=680), serve=True)
    sent = {"card": typed, "tip": "custom", "custom_tip": "680", "expected_due": "680"}

    asked = pay(merchant, tab["token"], sent)

    assert asked.status_code == 409
    # A public test number, printed in the contract: kept as typed, so ticking yes pays.
    assert card_kept(asked.text) == typed
    if typed.startswith("4242"):
        # The form as the page holds it, the yes ticked: paid, once.
        kept = {**sent, "card": card_kept(asked.text) or "", "tip_confirmed": "68000"}
        assert pay(merchant, tab["token"], kept).status_code == 303
        [payment] = public(merchant, tab["token"])["payments"]
        assert (payment["amount"], payment["tip"]) == (680, 68000)


@pytest.mark.parametrize(
    ("headers", "typed", "said"),
    [
        ({}, "7", "Your tip of €7.00 is more than the bill (€6.00). Pay it anyway?"),
        (
            PT,
            "7,00",
            "A sua gorjeta de 7,00 € é maior do que a conta (6,00 €). Pagar mesmo assim?",
        ),
    ],
    ids=["en", "pt"],
)
def test_a_tip_is_weighed_against_the_bill_before_the_reward(
    merchant: Merchant, headers: dict[str, str], typed: str, said: str
) -> None:
    if headers:
        assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    # A flat white and a croissant (6.00); the free flat white leaves 2.20 to
    # pay, and the tip is weighed against the bill the customer was served.
    ana, tab, reward = with_reward(merchant)
    sent = {
        "card": CARD,
        "tip": "custom",
        "custom_tip": typed,
        "reward_id": reward["id"],
        "expected_due": "600",
    }

    asked = pay(merchant, tab["token"], sent, headers=headers)

    assert asked.status_code == 409
    assert question_of(asked.text).replace("\xa0", " ") == said
    assert f'name="reward_id" value="{reward["id"]}" checked' in asked.text
    assert public(merchant, tab["token"])["payments"] == []
    assert loyalty_card(merchant, ana["id"])["rewards"][0]["status"] == "available"

    paid = pay(merchant, tab["token"], {**sent, "tip_confirmed": "700"}, headers=headers)

    assert paid.status_code == 303, paid.text
    [payment] = public(merchant, tab["token"])["payments"]
    assert (payment["amount"], payment["tip"]) == (220, 700)


def test_a_tip_more_than_what_is_left_after_the_reward_but_within_the_bill_pays_at_once(
    merchant: Merchant,
) -> None:
    # 3.00 on a 6.00 bill the reward brings to 2.20: a generous tip, not a slipped mark.
    ana, tab, reward = with_reward(merchant)
    sent = {"card": CARD, "tip": "custom", "custom_tip": "3", "reward_id": reward["id"]}

    paid = pay(merchant, tab["token"], sent)

    assert paid.status_code == 303, paid.text
    [payment] = public(merchant, tab["token"])["payments"]
    assert (payment["amount"], payment["tip"]) == (220, 300)


def test_a_reward_spent_meanwhile_is_refused_before_any_tip_question(
    merchant: Merchant,
) -> None:
    ana, tab, reward = with_reward(merchant)
    # Spent at the counter on another visit while this page stood open.
    flat_white = merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"][0]["service_id"]
    spent = paid_tab(merchant, ana["id"], flat_white, reward_id=reward["id"])
    assert spent.status_code == 201, spent.text
    # More than the whole bill: the reward is refused first, the tip not asked about.
    sent = {"card": CARD, "tip": "custom", "custom_tip": "7", "reward_id": reward["id"]}

    refused = pay(merchant, tab["token"], sent)

    assert refused.status_code == 409
    # No longer offered, so said above the tab (not beside a reward no longer drawn).
    assert 'id="tip-question"' not in refused.text
    assert "This reward was already used." in refused.text
    assert public(merchant, tab["token"])["payments"] == []
