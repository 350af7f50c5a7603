"""The catalog over HTTP: a café adds what it sells, with what each promises."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Merchant


def test_adding_a_service_returns_it_with_its_terms(merchant: Merchant) -> None:
    response = merchant.post(
        "/v1/services",
        {
            "name": "  Flat white  ",
            "price": 380,
            "duration_minutes": 10,
            "expected_results": ["Double shot, steamed milk"],
            "limits": "Latte art not guaranteed",
        },
    )
    assert response.status_code == 201, response.text
    svc = response.json()
    assert svc["id"].startswith("svc_")
    assert svc["object"] == "service"
    assert svc["name"] == "Flat white"  # surrounding spaces are trimmed
    assert svc["price"] == 380
    assert svc["currency"] == "EUR"
    assert svc["duration_minutes"] == 10
    assert svc["expected_results"] == ["Double shot, steamed milk"]
    assert svc["limits"] == "Latte art not guaranteed"  # a sentence stays a sentence
    assert svc["terms_version"] == 1
    assert svc["active"] is True
    assert merchant.get(f"/v1/services/{svc['id']}").json() == svc


def test_the_currency_is_the_merchants(new_merchant: Callable[..., Merchant]) -> None:
    salon = new_merchant("Salão Lisboa", currency="GBP")
    assert salon.service(price=2500)["currency"] == "GBP"


def test_listing_shows_the_merchants_services_in_the_order_added(
    new_merchant: Callable[..., Merchant],
) -> None:
    cafe, other = new_merchant(), new_merchant()
    first = cafe.service("Espresso", price=150)
    second = cafe.service("Cappuccino", price=320)
    other.service("Not ours", price=999)
    listed = cafe.get("/v1/services").json()
    assert listed["object"] == "list"
    assert [s["id"] for s in listed["data"]] == [first["id"], second["id"]]


def test_a_price_change_keeps_the_terms_version(merchant: Merchant) -> None:
    svc = merchant.service(price=380)
    updated = merchant.post(f"/v1/services/{svc['id']}", {"price": 400})
    assert updated.status_code == 200, updated.text
    assert updated.json()["price"] == 400
    assert updated.json()["terms_version"] == 1
    assert updated.json()["limits"] == svc["limits"]


def test_new_terms_make_a_new_version_and_tabs_keep_what_was_shown(merchant: Merchant) -> None:
    svc = merchant.service(price=380)
    tab = merchant.tab()
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    updated = merchant.post(
        f"/v1/services/{svc['id']}", {"limits": ["Oat milk costs extra"]}
    ).json()
    assert updated["terms_version"] == 2
    assert updated["limits"] == ["Oat milk costs extra"]
    assert updated["expected_results"] == svc["expected_results"]
    line = merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"][0]
    assert line["terms_version"] == 1
    assert line["limits"] == ["Latte art not guaranteed"]
    # Sending the same terms again is not a new version.
    again = merchant.post(f"/v1/services/{svc['id']}", {"limits": ["Oat milk costs extra"]})
    assert again.json()["terms_version"] == 2


def test_a_retired_service_leaves_the_list_and_cannot_be_added(merchant: Merchant) -> None:
    svc = merchant.service()
    retired = merchant.post(f"/v1/services/{svc['id']}", {"active": False}).json()
    assert retired["active"] is False
    assert svc["id"] not in [s["id"] for s in merchant.get("/v1/services").json()["data"]]
    with_inactive = merchant.get("/v1/services", params={"include_inactive": "true"}).json()
    assert svc["id"] in [s["id"] for s in with_inactive["data"]]
    tab = merchant.tab()
    refused = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "service_inactive"
    assert refused.json()["error"]["param"] == "service_id"


def test_a_free_service_is_allowed_but_a_blank_name_is_not(merchant: Merchant) -> None:
    assert merchant.service("Glass of water", price=0)["price"] == 0
    blank = merchant.post(
        "/v1/services",
        {"name": "   ", "price": 1, "duration_minutes": 1, "expected_results": [], "limits": []},
    )
    assert blank.status_code == 422
    assert blank.json()["error"]["param"] == "name"


def test_unknown_service_is_404(merchant: Merchant) -> None:
    response = merchant.get("/v1/services/svc_nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "resource_missing"
    assert merchant.post("/v1/services/svc_nope", {"price": 1}).status_code == 404
