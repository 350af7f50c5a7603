"""A reward that pays the whole bill, and a tip the card then declines.

The reward is taken off the bill with the payment's attempt (phase 1), before
the card is asked for the tip alone. The card's decline takes nothing back
from the bill: the reward paid it. So the tab is paid, with its receipt
number, the tip not taken, rather than left served with nothing due and no
way to pay it.
"""

from __future__ import annotations

from tests.conftest import Merchant
from tests.integration.test_loyalty_api import card as loyalty_card
from tests.integration.test_loyalty_pages import with_reward
from tests.integration.test_tab_page_large_tip import PT, pay
from tests.integration.test_tab_page_reward_and_tip import a_covered_flat_white

DECLINED = "4000000000000002"


def test_a_declined_tip_on_a_bill_the_reward_paid_leaves_the_tab_paid(merchant: Merchant) -> None:
    ana, tab, reward = a_covered_flat_white(merchant)
    answer = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/pay",
        json={"method": "card", "card": DECLINED, "tip": 200, "reward_id": reward},
    )
    assert answer.status_code == 402, answer.text
    assert answer.json()["error"]["code"] == "card_declined"

    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert after["status"] == "paid"
    assert after.get("tips", 0) == 0
    public = merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert public["status"] == "paid"
    # The reward was spent on this bill, once; the books balance.
    assert reward not in [r["id"] for r in loyalty_card(merchant, ana["id"])["rewards_available"]]
    assert merchant.get("/v1/ledger/balances").json()["total"] == 0


def test_a_declined_card_on_a_bill_the_reward_only_lowered_leaves_the_rest_to_pay(
    merchant: Merchant,
) -> None:
    # Nothing changes where something is still owed: the tab waits for
    # another card, with the reward off (a flat white and a croissant, 6.00).
    ana, tab, reward = with_reward(merchant)
    answer = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/pay",
        json={"method": "card", "card": DECLINED, "tip": 100, "reward_id": reward["id"]},
    )
    assert answer.status_code == 402, answer.text
    after = merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert after["status"] == "served"
    assert after["amount_due"] == 220


def test_the_tab_page_says_the_reward_paid_and_the_tip_was_not_taken(merchant: Merchant) -> None:
    ana, tab, reward = a_covered_flat_white(merchant)
    form = {"card": DECLINED, "tip": "custom", "custom_tip": "2", "reward_id": reward}
    sent = pay(merchant, tab["token"], {**form, "expected_due": "380"}, headers=PT)
    assert sent.status_code == 303, sent.text[:300]
    assert sent.headers["location"] == f"/t/{tab['token']}?flash=tip_not_taken"
    page = merchant.client.get(sent.headers["location"], headers=PT).text
    assert "A sua recompensa pagou a conta. O cartão foi recusado" in page
    english = merchant.client.get(sent.headers["location"]).text
    assert "Your reward paid the bill. The card was declined, so no tip was taken." in english
