"""The heart of it: a walk-in is served first and pays after."""

from __future__ import annotations

from tests.conftest import Merchant


def test_walk_in_pays_after_coffee(merchant: Merchant) -> None:
    coffee = merchant.service("Flat white", price=380)
    customer = merchant.customer("Ana")
    tab = merchant.post("/v1/tabs", {"customer_id": customer["id"]}).json()
    assert tab["status"] == "open" and tab["total"] == 0
    tab = merchant.post(
        f"/v1/tabs/{tab['id']}/lines", {"service_id": coffee["id"], "quantity": 2}
    ).json()
    assert tab["total"] == 760
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").json()["status"] == "served"

    seen = merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert seen["lines"][0]["expected_results"] == ["Double shot, steamed milk"]
    assert seen["lines"][0]["limits"] == ["Latte art not guaranteed"]

    paid = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/pay",
        json={"method": "card", "card": "4242424242424242", "tip": 100},
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["tab"]["status"] == "paid"
    balances = merchant.balances()
    assert balances["card_clearing"] == 860
    assert balances["revenue"] == -760
    assert balances["tips_payable"] == -100
    assert balances["receivables"] == 0
