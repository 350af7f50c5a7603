"""Payments over HTTP: cash at the counter, the terminal, a card from the tab page."""

from __future__ import annotations

from tests.conftest import Merchant


def test_cash_for_everything_due_closes_the_tab(merchant: Merchant) -> None:
    tab = merchant.served_tab(450, 380)
    response = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 830, "tip": 100}
    )
    assert response.status_code == 201, response.text
    payment = response.json()
    assert payment["id"].startswith("pay_")
    assert payment["object"] == "payment"
    assert (payment["method"], payment["amount"], payment["tip"]) == ("cash", 830, 100)
    assert payment["currency"] == "EUR"
    assert payment["status"] == "succeeded"
    assert payment["card_last4"] is None
    assert payment["tab_id"] == tab["id"]
    assert payment["tab"]["status"] == "paid"
    assert payment["tab"]["amount_due"] == 0
    assert (payment["tab"]["paid"], payment["tab"]["tips"]) == (830, 100)
    assert payment["tab"]["closed_at"] is not None
    listed = merchant.get(f"/v1/tabs/{tab['id']}/payments").json()
    assert [p["id"] for p in listed["data"]] == [payment["id"]]


def test_amount_omitted_pays_everything_due(merchant: Merchant) -> None:
    tab = merchant.served_tab(500)
    payment = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).json()
    assert payment["amount"] == 500
    assert payment["tab"]["status"] == "paid"


def test_a_partial_payment_leaves_the_rest_due(merchant: Merchant) -> None:
    tab = merchant.served_tab(1000)
    first = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 300})
    assert first.status_code == 201
    assert first.json()["tab"]["status"] == "served"
    assert first.json()["tab"]["amount_due"] == 700
    second = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "card_terminal"}).json()
    assert second["amount"] == 700
    assert second["tab"]["status"] == "paid"
    balances = merchant.balances()
    assert (balances["cash"], balances["card_terminal"], balances["receivables"]) == (300, 700, 0)


def test_paying_before_serving_settles_when_served(merchant: Merchant) -> None:
    svc = merchant.service(price=380)
    tab = merchant.tab()
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).json()
    assert paid["tab"]["status"] == "open"  # still being served
    assert paid["tab"]["amount_due"] == 0
    served = merchant.post(f"/v1/tabs/{tab['id']}/serve").json()
    assert served["status"] == "paid"


def test_staff_charge_a_sandbox_card(merchant: Merchant) -> None:
    tab = merchant.served_tab(380)
    response = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "card", "card": "4242 4242 4242 4242"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["card_last4"] == "4242"
    assert response.json()["tab"]["status"] == "paid"
    assert merchant.balances()["card_clearing"] == 380
    no_card = merchant.post(
        f"/v1/tabs/{merchant.served_tab(100)['id']}/payments", {"method": "card"}
    )
    assert no_card.status_code == 422
    assert no_card.json()["error"]["param"] == "card"


def test_the_customer_pays_by_card_with_a_tip(merchant: Merchant) -> None:
    tab = merchant.served_tab(760)
    response = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/pay",
        json={"method": "card", "card": "4242-4242-4242-4242", "tip": 100},
    )
    assert response.status_code == 201, response.text
    payment = response.json()
    assert (payment["method"], payment["amount"], payment["tip"]) == ("card", 760, 100)
    assert payment["card_last4"] == "4242"
    assert payment["tab"]["status"] == "paid"
    seen = merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert seen["status"] == "paid"
    assert [(p["amount"], p["tip"], p["card_last4"]) for p in seen["payments"]] == [
        (760, 100, "4242")
    ]
    # Only the last four digits are ever given back.
    assert "4242424242424242" not in str(merchant.get(f"/v1/tabs/{tab['id']}/payments").json())


def test_more_than_is_due_is_refused_with_what_is_due(merchant: Merchant) -> None:
    tab = merchant.served_tab(500)
    response = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 501})
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["param"], error["amount_due"]) == (
        "amount_exceeds_due",
        "amount",
        500,
    )
    zero = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 0})
    assert zero.status_code == 422
    assert zero.json()["error"]["param"] == "amount"
    assert merchant.get(f"/v1/tabs/{tab['id']}/payments").json()["data"] == []


def test_a_paid_visit_counts_for_trust(merchant: Merchant) -> None:
    tab = merchant.served_tab(200)
    merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"})
    customer = merchant.get(f"/v1/customers/{tab['customer_id']}").json()
    assert customer["trust"]["factors"] == ["1 visit paid on time"]


def test_a_late_payment_counts_as_late(merchant: Merchant) -> None:
    tab = merchant.served_tab(200)
    merchant.post(f"/v1/tabs/{tab['id']}/overdue")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).json()
    assert paid["tab"]["status"] == "paid"
    factors = merchant.get(f"/v1/customers/{tab['customer_id']}").json()["trust"]["factors"]
    assert factors == ["1 payment made late"]
