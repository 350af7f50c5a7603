"""A salon's referral scheme: the friend's welcome at sign-up, the referrer's
thanks only once the friend's first tab is paid (a waived tab or a no-show
earns nothing), no self-referral, a monthly cap, rewards that lapse."""

from __future__ import annotations

from typing import Any

from tests.conftest import Merchant, TestClock
from tests.integration.test_loyalty_api import card, paid_tab

SCHEME = {
    "friend_reward": {"type": "amount_off", "amount": 500},
    "referrer_reward": {"type": "percent_off", "percent": "20"},
    "monthly_cap": 2,
}


def scheme(merchant: Merchant, **extra: Any) -> dict[str, Any]:
    response = merchant.post("/v1/merchant/referral-program", {**SCHEME, **extra})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def sources(merchant: Merchant, customer_id: str) -> list[str]:
    return [r["source"] for r in card(merchant, customer_id)["rewards_available"]]


def test_the_programme_reads_back_with_its_defaults(merchant: Merchant) -> None:
    assert merchant.get("/v1/merchant/referral-program").json()["active"] is False
    kept = scheme(merchant, monthly_cap=None)
    assert (kept["monthly_cap"], kept["expires_after_days"]) == (5, 30)
    assert kept["referrer_reward"] == {
        "type": "percent_off",
        "percent": "20",
        "amount": None,
        "service_id": None,
    }
    bad = merchant.post("/v1/merchant/referral-program", {**SCHEME, "monthly_cap": -1})
    assert bad.status_code == 422 and bad.json()["error"]["param"] == "monthly_cap"
    assert merchant.get("/v1/merchant/referral-program").json() == kept


def test_the_friend_is_welcomed_and_the_referrer_thanked_after_the_first_paid_tab(
    merchant: Merchant,
) -> None:
    scheme(merchant)
    cut = merchant.service("Cut", price=3000)
    rita = merchant.customer("Rita", email="rita@example.com")
    joana = merchant.customer("Joana", referral_code=rita["referral_code"])
    assert sources(merchant, joana["id"]) == ["referral_friend"]
    assert sources(merchant, rita["id"]) == []
    welcome = card(merchant, joana["id"])["rewards_available"][0]["id"]
    paid = paid_tab(merchant, joana["id"], cut["id"], reward_id=welcome)
    assert paid.status_code == 201 and paid.json()["amount"] == 2500
    assert sources(merchant, rita["id"]) == ["referral_referrer"]
    # A second visit thanks nobody again.
    paid_tab(merchant, joana["id"], cut["id"])
    assert sources(merchant, rita["id"]) == ["referral_referrer"]
    assert merchant.balances()["loyalty_rewards"] == 500


def test_a_waived_first_tab_earns_the_referrer_nothing(merchant: Merchant) -> None:
    scheme(merchant)
    cut = merchant.service("Cut", price=3000)
    rita = merchant.customer("Rita")
    joana = merchant.customer("Joana", referral_code=rita["referral_code"])
    tab = merchant.tab(joana["id"])
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": cut["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    concern = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/concerns", json={"reason": "Bad", "remedy": "waive"}
    )
    assert concern.status_code == 201, concern.text
    resolved = merchant.post(
        f"/v1/tabs/{tab['id']}/concerns/{concern.json()['id']}/resolve", {"decision": "approve"}
    )
    assert resolved.status_code == 200, resolved.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "paid"
    assert sources(merchant, rita["id"]) == []
    paid_tab(merchant, joana["id"], cut["id"])  # the first paid tab has passed
    assert sources(merchant, rita["id"]) == []


def test_no_one_refers_themselves(merchant: Merchant) -> None:
    scheme(merchant)
    rita = merchant.customer("Rita", email="Rita@Example.com", phone="912 345 678")
    for contact in ({"email": "rita@example.com"}, {"phone": "912345678"}):
        refused = merchant.post(
            "/v1/customers", {"name": "R.", "referral_code": rita["referral_code"], **contact}
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "self_referral"
    names = [c["name"] for c in merchant.get("/v1/customers?q=R").json()["data"]]
    assert "R." not in names and "Rita" in names


def test_a_referrer_is_thanked_at_most_the_monthly_cap(merchant: Merchant) -> None:
    scheme(merchant)  # cap 2
    cut = merchant.service("Cut", price=3000)
    rita = merchant.customer("Rita")
    for n in range(3):
        friend = merchant.customer(f"Friend {n}", referral_code=rita["referral_code"])
        paid_tab(merchant, friend["id"], cut["id"])
    assert sources(merchant, rita["id"]) == ["referral_referrer"] * 2


def test_referral_rewards_lapse_after_their_days(merchant: Merchant, clock: TestClock) -> None:
    scheme(merchant, expires_after_days=30)
    rita = merchant.customer("Rita")
    joana = merchant.customer("Joana", referral_code=rita["referral_code"])
    assert sources(merchant, joana["id"]) == ["referral_friend"]
    clock.advance(days=30)
    assert sources(merchant, joana["id"]) == []
    assert card(merchant, joana["id"])["rewards"][0]["status"] == "expired"
