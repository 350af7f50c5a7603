"""Taxes over the API: rates, a service's rate, the merchant's settings, a tab's
net, tax per rate and gross, the ledger's tax payable and the tax report; bad
input refused in the contract's shape with nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Merchant


def rate(merchant: Merchant, name: str, percent: str) -> dict[str, Any]:
    response = merchant.post("/v1/tax-rates", {"name": name, "percent": percent})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def taxed_service(merchant: Merchant, price: int, rate_id: str | None) -> dict[str, Any]:
    return merchant.service(price=price, tax_rate_id=rate_id)


def add(merchant: Merchant, tab: dict[str, Any], service: dict[str, Any], qty: int = 1) -> Any:
    response = merchant.post(
        f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"], "quantity": qty}
    )
    assert response.status_code == 200, response.text
    return response.json()


def set_taxes(merchant: Merchant, **settings: Any) -> None:
    response = merchant.post("/v1/merchant", settings)
    assert response.status_code == 200, response.text


def tax_report(merchant: Merchant) -> dict[str, Any]:
    response = merchant.get("/v1/reports/tax", params={"from": "2000-01-01", "to": "2100-12-31"})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_merchant_keeps_several_rates_written_exactly(merchant: Merchant) -> None:
    standard = rate(merchant, "IVA 23%", "23")
    reduced = rate(merchant, "IVA 5.5%", "5.50")
    assert (standard["object"], standard["percent"]) == ("tax_rate", "23")
    assert reduced["percent"] == "5.5"
    listed = merchant.get("/v1/tax-rates").json()
    assert [r["id"] for r in listed["data"]] == [standard["id"], reduced["id"]]
    me = merchant.get("/v1/merchant").json()
    assert (me["prices_include_tax"], me["tax_rounding"]) == (True, "line")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "Too much", "percent": "150"}, 422, "percent_out_of_range"),
        ({"name": "Negative", "percent": "-5"}, 422, "percent_out_of_range"),
        ({"name": "Words", "percent": "abc"}, 422, "parameter_invalid"),
        ({"name": "A float", "percent": 23.0}, 422, "parameter_invalid"),
        ({"name": "Nothing"}, 422, None),
        ({"name": "", "percent": "23"}, 422, None),
    ],
)
def test_a_rate_that_cannot_be_is_refused_and_nothing_kept(
    merchant: Merchant, body: dict[str, Any], status: int, code: str | None
) -> None:
    response = merchant.post("/v1/tax-rates", body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) >= {"type", "code", "message", "param"}
    if code:
        assert (error["code"], error["param"]) == (code, "percent")
    assert merchant.get("/v1/tax-rates").json()["data"] == []


def test_two_rates_of_one_name_are_refused(merchant: Merchant) -> None:
    rate(merchant, "IVA 23%", "23")
    again = merchant.post("/v1/tax-rates", {"name": "IVA 23%", "percent": "6"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "tax_rate_exists"


def test_another_merchants_rate_is_unknown_to_a_service(
    merchant: Merchant, new_merchant: Callable[..., Merchant]
) -> None:
    theirs = rate(new_merchant("Salão Rosa"), "IVA 23%", "23")
    before = merchant.get("/v1/services").json()["data"]
    for rate_id in (theirs["id"], "txr_nonesuch"):
        response = merchant.post(
            "/v1/services",
            {
                "name": "Espresso",
                "price": 90,
                "duration_minutes": 5,
                "expected_results": "Hot",
                "limits": "None",
                "tax_rate_id": rate_id,
            },
        )
        assert response.status_code == 404, response.text
        assert response.json()["error"]["param"] == "tax_rate_id"
    assert merchant.get("/v1/services").json()["data"] == before
    mine = merchant.service()
    changed = merchant.post(f"/v1/services/{mine['id']}", {"tax_rate_id": theirs["id"]})
    assert changed.status_code == 404
    assert merchant.get(f"/v1/services/{mine['id']}").json()["tax_rate_id"] is None


@pytest.mark.parametrize(
    "body",
    [{"tax_rounding": "per-cent"}, {"prices_include_tax": "yes"}, {"prices_include_tax": 1}],
)
def test_tax_settings_that_cannot_be_are_refused(merchant: Merchant, body: dict[str, Any]) -> None:
    response = merchant.post("/v1/merchant", body)
    assert response.status_code == 422, response.text
    me = merchant.get("/v1/merchant").json()
    assert (me["prices_include_tax"], me["tax_rounding"]) == (True, "line")


def test_a_cafe_bill_with_two_rates_shows_net_tax_per_rate_and_gross(merchant: Merchant) -> None:
    standard = rate(merchant, "IVA 23%", "23")
    reduced = rate(merchant, "IVA 6%", "6")
    coffee = taxed_service(merchant, 123, standard["id"])
    cake = taxed_service(merchant, 318, reduced["id"])
    tab = merchant.tab()
    add(merchant, tab, coffee, 2)
    body = add(merchant, tab, cake)
    # Prices include tax: what the customer pays is what was entered.
    assert [line["amount"] for line in body["lines"]] == [246, 318]
    assert (body["total"], body["amount_due"], body["gross"]) == (564, 564, 564)
    assert body["tax"] == [
        {"rate_id": standard["id"], "percent": "23", "net": 200, "tax": 46},
        {"rate_id": reduced["id"], "percent": "6", "net": 300, "tax": 18},
    ] or body["tax"] == [
        {"rate_id": reduced["id"], "percent": "6", "net": 300, "tax": 18},
        {"rate_id": standard["id"], "percent": "23", "net": 200, "tax": 46},
    ]
    assert body["net"] == 500
    assert body["lines"][0]["tax_rate_id"] == standard["id"]
    balances = merchant.balances()
    assert (balances["revenue"], balances["tax_payable"], balances["receivables"]) == (
        -500,
        -64,
        564,
    )
    report = tax_report(merchant)
    assert (report["net"], report["tax"], report["gross"]) == (500, 64, 564)
    assert report["ledger_tax_payable"] == 64
    names = {row["name"] for row in report["rates"]}
    assert names == {"IVA 23%", "IVA 6%"}


def test_a_us_price_grows_by_the_sales_tax_and_the_customer_pays_it(merchant: Merchant) -> None:
    set_taxes(merchant, prices_include_tax=False, tax_rounding="receipt")
    sales_tax = rate(merchant, "Sales tax 8.875%", "8.875")
    haircut = taxed_service(merchant, 4000, sales_tax["id"])
    tab = merchant.tab()
    body = add(merchant, tab, haircut)
    assert body["lines"][0]["amount"] == 4000  # as entered
    assert (body["net"], body["gross"], body["amount_due"]) == (4000, 4355, 4355)
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 4355})
    assert paid.status_code == 201, paid.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "paid"
    balances = merchant.balances()
    assert (balances["cash"], balances["revenue"], balances["tax_payable"]) == (4355, -4000, -355)


def test_a_void_a_discount_and_a_refund_take_their_tax_back(merchant: Merchant) -> None:
    standard = rate(merchant, "IVA 23%", "23")
    meal = taxed_service(merchant, 1230, standard["id"])
    tab = merchant.tab()
    add(merchant, tab, meal)
    add(merchant, tab, meal)
    voided = merchant.post(f"/v1/tabs/{tab['id']}/lines/2/void", {"reason": "twice by mistake"})
    assert voided.status_code == 200, voided.text
    assert (voided.json()["net"], voided.json()["gross"]) == (1000, 1230)
    assert merchant.balances()["tax_payable"] == -230
    concern = merchant.post(
        f"/v1/public/tabs/{tab['token']}/concerns",
        {"reason": "cold", "remedy": "partial", "amount": 123},
    ).json()
    if concern["status"] == "pending":
        merchant.post(
            f"/v1/tabs/{tab['id']}/concerns/{concern['id']}/resolve", {"decision": "approve"}
        )
    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert after["tax"][0]["tax"] == 207 and after["gross"] == 1107
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    payment = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 1107}
    ).json()
    refund = merchant.post(
        f"/v1/payments/{payment['id']}/refunds", {"amount": 1107, "reason": "closing early"}
    )
    assert refund.status_code == 201, refund.text
    final = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert (final["net"], final["tax"][0]["tax"], final["gross"]) == (0, 0, 0)
    balances = merchant.balances()
    assert balances["tax_payable"] == 0
    assert balances["revenue"] + balances["satisfaction_adjustments"] + balances["refunds"] == 0
    report = tax_report(merchant)
    assert (report["tax"], report["ledger_tax_payable"]) == (0, 0)


def test_a_later_change_of_rate_leaves_a_tab_already_charged_alone(merchant: Merchant) -> None:
    standard = rate(merchant, "IVA 23%", "23")
    reduced = rate(merchant, "IVA 13%", "13")
    lunch = taxed_service(merchant, 1230, standard["id"])
    tab = merchant.tab()
    add(merchant, tab, lunch)
    merchant.post(f"/v1/services/{lunch['id']}", {"tax_rate_id": reduced["id"]})
    again = add(merchant, tab, lunch)
    assert [line["tax_percent"] for line in again["lines"]] == ["23", "13"]
    by_rate = {part["percent"]: part["tax"] for part in again["tax"]}
    assert by_rate == {"23": 230, "13": 142}


def test_a_merchant_without_tax_rates_posts_no_tax(merchant: Merchant) -> None:
    tab = merchant.served_tab(380, 120)
    assert (tab["net"], tab["tax"], tab["gross"]) == (500, [], 500)
    assert all(line["tax_rate_id"] is None for line in tab["lines"])
    entries = merchant.get("/v1/ledger/entries").json()["data"]
    assert all(leg["account"] != "tax_payable" for e in entries for leg in e["legs"])
    assert tax_report(merchant)["rates"] == []


def test_an_open_tab_keeps_how_it_was_taxed_when_the_settings_change(merchant: Merchant) -> None:
    standard = rate(merchant, "IVA 23%", "23")
    lunch = taxed_service(merchant, 1230, standard["id"])
    tab = merchant.tab()
    add(merchant, tab, lunch)
    set_taxes(merchant, prices_include_tax=False, tax_rounding="receipt")
    body = add(merchant, tab, lunch)
    # Still tax-inclusive: the customer pays the prices as entered.
    assert (body["net"], body["gross"], body["amount_due"]) == (2000, 2460, 2460)
    later = merchant.tab()
    body = add(merchant, later, lunch)
    # A tab first taxed since takes the new settings: 23 % on top of 12.30.
    assert (body["net"], body["gross"], body["amount_due"]) == (1230, 1513, 1513)
    me = merchant.get("/v1/merchant").json()
    assert (me["prices_include_tax"], me["tax_rounding"]) == (False, "receipt")
