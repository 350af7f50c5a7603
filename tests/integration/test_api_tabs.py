"""Tabs over HTTP: opened for a walk-in, filled as the service is given, served."""

from __future__ import annotations

import re

import pytest

from servefirst.tabs import repository as tabs_repository
from tests.conftest import PUBLIC_URL, Merchant


def test_opening_a_tab(merchant: Merchant) -> None:
    ana = merchant.customer()
    response = merchant.post("/v1/tabs", {"customer_id": ana["id"]})
    assert response.status_code == 201, response.text
    tab = response.json()
    assert tab["id"].startswith("tab_")
    assert tab["object"] == "tab"
    assert tab["customer_id"] == ana["id"]
    assert tab["status"] == "open"
    assert tab["lines"] == []
    assert (tab["subtotal"], tab["total"], tab["amount_due"], tab["paid"]) == (0, 0, 0, 0)
    assert tab["currency"] == "EUR"
    # The token routes to the merchant and carries >= 128 secret bits.
    merchant_part, secret = tab["token"].split(".", 1)
    assert merchant_part == merchant.id
    assert len(secret) >= 22
    assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}", tab["short_code"])
    assert tab["customer_url"] == f"{PUBLIC_URL}/t/{tab['token']}"
    assert tab["qr_url"] == f"{PUBLIC_URL}/t/{tab['token']}/qr.svg"
    assert tab["served_at"] is None and tab["closed_at"] is None
    assert merchant.get(f"/v1/tabs/{tab['id']}").json() == tab


def test_a_short_code_another_tab_has_is_drawn_again(
    merchant: Merchant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The unique constraint decides (ON CONFLICT DO NOTHING), not a look
    # first: a taken code inserts nothing and the next draw is tried.
    first = merchant.tab()
    draws = iter([first["short_code"], first["short_code"], "ZZ22ZZ"])
    monkeypatch.setattr(tabs_repository, "new_short_code", lambda: next(draws))
    response = merchant.post("/v1/tabs", {"customer_id": first["customer_id"]})
    assert response.status_code == 201, response.text
    second = response.json()
    assert second["short_code"] == "ZZ22ZZ"
    assert second["id"] != first["id"]
    assert merchant.get(f"/v1/tabs/{second['id']}").json() == second
    found = merchant.get("/v1/tabs", params={"short_code": first["short_code"]}).json()
    assert [t["id"] for t in found["data"]] == [first["id"]]


def test_when_no_free_short_code_is_drawn_no_tab_is_opened(
    merchant: Merchant, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = merchant.tab()
    monkeypatch.setattr(tabs_repository, "new_short_code", lambda: first["short_code"])
    response = merchant.post("/v1/tabs", {"customer_id": first["customer_id"]})
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "short_code_taken"
    assert "try again" in error["message"]
    assert [t["id"] for t in merchant.get("/v1/tabs").json()["data"]] == [first["id"]]


def test_adding_lines_adds_up(merchant: Merchant) -> None:
    coffee = merchant.service("Flat white", price=380)
    cake = merchant.service("Pastel de nata", price=150)
    tab = merchant.tab()
    one = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": coffee["id"], "quantity": 2})
    assert one.status_code == 200, one.text
    two = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": cake["id"]}).json()
    assert [(ln["line_no"], ln["name"], ln["quantity"], ln["amount"]) for ln in two["lines"]] == [
        (1, "Flat white", 2, 760),
        (2, "Pastel de nata", 1, 150),
    ]
    assert two["lines"][0]["unit_price"] == 380
    assert two["lines"][0]["service_id"] == coffee["id"]
    assert two["lines"][0]["expected_results"] == ["Double shot, steamed milk"]
    assert (two["subtotal"], two["total"], two["amount_due"]) == (910, 910, 910)


def test_serving_closes_the_tab_to_new_lines(merchant: Merchant) -> None:
    svc = merchant.service()
    tab = merchant.tab()
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    served = merchant.post(f"/v1/tabs/{tab['id']}/serve")
    assert served.status_code == 200
    assert served.json()["status"] == "served"
    assert served.json()["served_at"] is not None
    late = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "tab_not_open"
    again = merchant.post(f"/v1/tabs/{tab['id']}/serve")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "tab_state_invalid"


def test_an_empty_tab_cannot_be_served_but_can_be_voided(merchant: Merchant) -> None:
    tab = merchant.tab()
    empty = merchant.post(f"/v1/tabs/{tab['id']}/serve")
    assert empty.status_code == 409
    assert empty.json()["error"]["code"] == "tab_empty"
    voided = merchant.post(f"/v1/tabs/{tab['id']}/void")
    assert voided.status_code == 200
    assert voided.json()["status"] == "void"
    assert voided.json()["closed_at"] is not None


def test_a_tab_with_something_on_it_cannot_be_voided(merchant: Merchant) -> None:
    svc = merchant.service()
    tab = merchant.tab()
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    refused = merchant.post(f"/v1/tabs/{tab['id']}/void")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "tab_not_empty"
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "open"


def test_overdue_then_written_off(merchant: Merchant) -> None:
    tab = merchant.served_tab(380)
    overdue = merchant.post(f"/v1/tabs/{tab['id']}/overdue")
    assert overdue.status_code == 200
    assert overdue.json()["status"] == "overdue"
    written = merchant.post(f"/v1/tabs/{tab['id']}/write-off")
    assert written.status_code == 200
    assert written.json()["status"] == "written_off"
    assert merchant.balances()["write_offs"] == 380
    assert merchant.balances()["receivables"] == 0
    trust = merchant.get(f"/v1/customers/{tab['customer_id']}").json()["trust"]
    assert "1 unpaid tab written off" in trust["factors"]


def test_an_open_tab_cannot_be_overdue_or_written_off(merchant: Merchant) -> None:
    tab = merchant.tab()
    for action in ("overdue", "write-off"):
        refused = merchant.post(f"/v1/tabs/{tab['id']}/{action}")
        assert refused.status_code == 409, action
        assert refused.json()["error"]["code"] == "tab_state_invalid"


def test_listing_and_finding_tabs(merchant: Merchant) -> None:
    ana, bea = merchant.customer("Ana"), merchant.customer("Bea")
    first = merchant.tab(ana["id"])
    second = merchant.tab(bea["id"])
    served = merchant.served_tab(200)

    def ids(**params: str) -> list[str]:
        response = merchant.get("/v1/tabs", params=params)
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()["data"]]

    assert set(ids()) == {first["id"], second["id"], served["id"]}
    assert ids(status="served") == [served["id"]]
    assert ids(customer_id=ana["id"]) == [first["id"]]
    assert ids(short_code=second["short_code"].lower()) == [second["id"]]
    assert len(ids(limit="1")) == 1
    missing = merchant.get("/v1/tabs", params={"short_code": "ZZZZZZZ"})
    assert missing.status_code == 404
    assert missing.json()["error"]["param"] == "short_code"


def test_unknown_tab_is_404(merchant: Merchant) -> None:
    response = merchant.get("/v1/tabs/tab_nope")
    assert response.status_code == 404
    assert response.json()["error"]["param"] == "tab_id"


def test_opening_for_an_unknown_customer_is_404(merchant: Merchant) -> None:
    response = merchant.post("/v1/tabs", {"customer_id": "cus_nope"})
    assert response.status_code == 404
    assert response.json()["error"]["param"] == "customer_id"
