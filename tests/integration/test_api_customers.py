"""Customers over HTTP: registered at the counter, with a trust that follows them."""

from __future__ import annotations

from tests.conftest import Merchant


def test_a_new_customer_starts_at_the_prior(merchant: Merchant) -> None:
    response = merchant.post(
        "/v1/customers", {"name": "Ana Costa", "email": "ana@example.com", "phone": "+351 912"}
    )
    assert response.status_code == 201, response.text
    ana = response.json()
    assert ana["id"].startswith("cus_")
    assert ana["object"] == "customer"
    assert (ana["name"], ana["email"], ana["phone"]) == ("Ana Costa", "ana@example.com", "+351 912")
    assert ana["trust"] == {
        "score": 0.75,
        "tier": "new",
        "factors": ["New customer: no history here yet"],
    }
    assert len(ana["referral_code"]) == 8
    assert ana["referred_by"] is None
    assert merchant.get(f"/v1/customers/{ana['id']}").json() == ana


def test_a_friends_referral_code_links_them(merchant: Merchant) -> None:
    friend = merchant.customer("Bea")
    newcomer = merchant.customer("Carla", referral_code=friend["referral_code"].lower())
    assert newcomer["referred_by"] == friend["id"]
    assert newcomer["referral_code"] != friend["referral_code"]


def test_an_unknown_referral_code_is_refused(merchant: Merchant) -> None:
    response = merchant.post("/v1/customers", {"name": "Dora", "referral_code": "NOPE2345"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "referral_code_invalid"
    assert response.json()["error"]["param"] == "referral_code"


def test_trust_follows_a_paid_visit(merchant: Merchant) -> None:
    ana = merchant.customer("Ana")
    svc = merchant.service(price=380)
    tab = merchant.tab(ana["id"])
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"})
    assert paid.status_code == 201, paid.text
    trust = merchant.get(f"/v1/customers/{ana['id']}").json()["trust"]
    # Beta(3 + 1 paid, 1): 4 / 5.
    assert trust == {"score": 0.8, "tier": "standard", "factors": ["1 visit paid on time"]}


def test_search_by_name_email_or_phone(merchant: Merchant) -> None:
    ana = merchant.customer("Ana Costa", email="ana@example.com", phone="+351 912 000")
    bea = merchant.customer("Beatriz Lima", email="bea@example.org")

    def found(q: str) -> list[str]:
        response = merchant.get("/v1/customers", params={"q": q})
        assert response.status_code == 200
        return [c["id"] for c in response.json()["data"]]

    assert found("costa") == [ana["id"]]
    assert found("EXAMPLE.ORG") == [bea["id"]]
    assert found("912") == [ana["id"]]
    assert found("") == [ana["id"], bea["id"]]  # by name
    assert len(merchant.get("/v1/customers", params={"limit": 1}).json()["data"]) == 1
    assert merchant.get("/v1/customers", params={"limit": 0}).status_code == 422


def test_malformed_contact_details_are_refused(merchant: Merchant) -> None:
    bad_email = merchant.post("/v1/customers", {"name": "Eva", "email": "not-an-email"})
    assert bad_email.status_code == 422
    assert bad_email.json()["error"]["param"] == "email"
    for phone in ("call me", "---", "()", "+"):
        bad_phone = merchant.post("/v1/customers", {"name": "Eva", "phone": phone})
        assert bad_phone.status_code == 422, phone
        assert bad_phone.json()["error"]["param"] == "phone"
    missing = merchant.post("/v1/customers", {"email": "eva@example.com"})
    assert missing.status_code == 422
    assert missing.json()["error"] == {
        "type": "invalid_request_error",
        "code": "parameter_missing",
        "message": "Missing required parameter: name.",
        "param": "name",
    }


def test_unknown_customer_is_404(merchant: Merchant) -> None:
    response = merchant.get("/v1/customers/cus_nope")
    assert response.status_code == 404
    assert response.json()["error"]["param"] == "customer_id"
