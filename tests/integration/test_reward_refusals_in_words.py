"""A reward the customer's tab page cannot take off the bill (not for this tab,
used up on another tab meanwhile, unknown) is refused in the reader's
language, by the rewards when the page still offers them; nothing is paid."""

from __future__ import annotations

import re

from tests.conftest import Merchant
from tests.integration.test_loyalty_api import card, stamp_card
from tests.integration.test_loyalty_pages import GOOD_CARD, with_reward
from tests.integration.test_pages_customer import public

PT = {"Accept-Language": "pt-PT,pt;q=0.9"}


def pay_with(merchant: Merchant, token: str, reward_id: str) -> tuple[int, str]:
    sent = {"card": GOOD_CARD, "tip": "0", "reward_id": reward_id}
    response = merchant.client.post(
        f"/t/{token}/pay", data=sent, headers=PT, follow_redirects=False
    )
    assert response.status_code == 303 or response.headers["content-type"].startswith("text/html")
    return response.status_code, response.text


def beside_rewards(page: str) -> str:
    found = re.search(r'id="reward-error"[^>]*>([^<]*)</p>', page)
    assert found, "not said by the rewards"
    assert page.index("Usar uma recompensa?") < found.start() < page.index('name="reward_id"')
    return found.group(1)


def test_a_free_service_not_on_the_tab_is_refused_by_the_rewards(merchant: Merchant) -> None:
    ana, _, reward = with_reward(merchant)
    croissant = merchant.service("Croissant", price=220)
    tab = merchant.tab(ana["id"])  # a croissant alone: no flat white to take off
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": croissant["id"]})
    status, page = pay_with(merchant, tab["token"], reward["id"])
    assert status == 422
    said = "Esta recompensa é um serviço grátis que não está nesta conta."
    assert beside_rewards(page) == said
    assert 'id="error"' not in page
    assert public(merchant, tab["token"])["payments"] == []


def test_a_reward_used_on_another_tab_meanwhile_is_refused_in_words(merchant: Merchant) -> None:
    ana, first, reward = with_reward(merchant)
    flat_white = next(s for s in merchant.get("/v1/services").json()["data"] if s["price"] != 220)
    second = merchant.tab(ana["id"])
    merchant.post(f"/v1/tabs/{second['id']}/lines", {"service_id": flat_white["id"]})
    status, _ = pay_with(merchant, first["token"], reward["id"])
    assert status == 303  # taken off the first tab
    status, page = pay_with(merchant, second["token"], reward["id"])
    assert status == 409
    # No reward is offered any more: said above the tab.
    assert "Esta recompensa já foi usada." in page and 'id="error"' in page
    assert public(merchant, second["token"])["payments"] == []


def test_an_unknown_reward_is_refused_in_words(merchant: Merchant) -> None:
    flat_white = stamp_card(merchant)
    tab = merchant.tab(merchant.customer()["id"])
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": flat_white["id"]})
    status, page = pay_with(merchant, tab["token"], "rwd_nope")
    assert status == 404
    assert "Este cliente não tem essa recompensa." in page
    assert "This customer holds no such reward." not in page
    assert card(merchant, tab["customer_id"])["rewards"] == []
