"""The customer's side, by tab token: see the tab with its promises, accept the
terms, rate the service, raise a concern."""

from __future__ import annotations

from typing import Any

from tests.conftest import Merchant


def public(merchant: Merchant, token: str, action: str = "", body: Any = None) -> Any:
    path = f"/v1/public/tabs/{token}" + (f"/{action}" if action else "")
    if action:
        return merchant.client.post(path, json=body)
    return merchant.client.get(path)


def test_the_customer_sees_each_line_with_its_promises_and_limits(merchant: Merchant) -> None:
    cut = merchant.service(
        "Haircut",
        price=2500,
        expected_results=["Wash, cut and blow-dry", "Style agreed before cutting"],
        limits="Colour is not included",
    )
    coffee = merchant.service("Espresso", price=150)
    tab = merchant.tab()
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": cut["id"]})
    merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": coffee["id"], "quantity": 2})
    # No API key: the token is the credential.
    response = merchant.client.get(f"/v1/public/tabs/{tab['token']}")
    assert response.status_code == 200, response.text
    seen = response.json()
    assert seen["object"] == "public_tab"
    assert seen["id"] == tab["id"]
    assert seen["merchant_name"] == "Café Azul"
    assert seen["status"] == "open"
    assert seen["short_code"] == tab["short_code"]
    assert [(ln["name"], ln["expected_results"], ln["limits"]) for ln in seen["lines"]] == [
        (
            "Haircut",
            ["Wash, cut and blow-dry", "Style agreed before cutting"],
            "Colour is not included",
        ),
        ("Espresso", ["Double shot, steamed milk"], ["Latte art not guaranteed"]),
    ]
    assert (seen["total"], seen["amount_due"]) == (2800, 2800)
    assert seen["terms_accepted"] is False
    assert (seen["review"], seen["concerns"], seen["payments"]) == (None, [], [])
    # The customer's view does not expose staff-side identifiers.
    assert "customer_id" not in seen and "token" not in seen


def test_accepting_the_terms_is_recorded_once(merchant: Merchant, clock: Any) -> None:
    tab = merchant.served_tab(380)
    accepted = public(merchant, tab["token"], "accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["terms_accepted"] is True
    first = merchant.get(f"/v1/tabs/{tab['id']}").json()["terms_accepted_at"]
    assert first is not None
    clock.advance(seconds=5)
    assert public(merchant, tab["token"], "accept").status_code == 200
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["terms_accepted_at"] == first


def test_a_review_can_be_replaced_until_the_tab_is_paid(merchant: Merchant) -> None:
    tab = merchant.served_tab(380)
    first = public(merchant, tab["token"], "review", {"rating": 3, "comment": "Bit slow"})
    assert first.status_code == 201, first.text
    review = first.json()
    assert review["id"].startswith("rev_")
    assert (review["object"], review["tab_id"]) == ("review", tab["id"])
    assert (review["rating"], review["comment"]) == (3, "Bit slow")
    second = public(merchant, tab["token"], "review", {"rating": 5}).json()
    assert second["id"] == review["id"]
    assert (second["rating"], second["comment"]) == (5, "")
    seen = public(merchant, tab["token"]).json()
    assert (seen["review"]["rating"], seen["review"]["id"]) == (5, review["id"])
    merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"})
    locked = public(merchant, tab["token"], "review", {"rating": 1})
    assert locked.status_code == 409
    assert locked.json()["error"]["code"] == "review_locked"
    assert public(merchant, tab["token"]).json()["review"]["rating"] == 5


def test_ratings_are_whole_numbers_from_one_to_five(merchant: Merchant) -> None:
    tab = merchant.served_tab(380)
    for rating in (1, 5):
        assert public(merchant, tab["token"], "review", {"rating": rating}).status_code == 201
    for bad in (0, 6, -1, 4.5, "5", True, None):
        response = public(merchant, tab["token"], "review", {"rating": bad})
        assert response.status_code == 422, bad
        assert response.json()["error"]["param"] == "rating"
    assert public(merchant, tab["token"]).json()["review"]["rating"] == 5


def test_a_comment_past_2000_characters_is_refused_whole(merchant: Merchant) -> None:
    """As the customer's page refuses it: never kept cut short."""
    tab = merchant.served_tab(380)
    too_long = public(merchant, tab["token"], "review", {"rating": 4, "comment": "x" * 2001})
    assert too_long.status_code == 422
    error = too_long.json()["error"]
    assert (error["code"], error["param"]) == ("parameter_invalid", "comment")
    assert public(merchant, tab["token"]).json()["review"] is None
    fits = public(merchant, tab["token"], "review", {"rating": 4, "comment": "x" * 2000})
    assert fits.status_code == 201, fits.text
    assert fits.json()["comment"] == "x" * 2000


def test_a_voided_tab_takes_no_review(merchant: Merchant) -> None:
    tab = merchant.tab()
    merchant.post(f"/v1/tabs/{tab['id']}/void")
    refused = public(merchant, tab["token"], "review", {"rating": 4})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "tab_state_invalid"


def test_a_small_concern_is_approved_at_once_and_shown(merchant: Merchant) -> None:
    tab = merchant.served_tab(1000)
    response = public(
        merchant,
        tab["token"],
        "concerns",
        {"reason": "Cold milk", "remedy": "partial", "amount": 200},
    )
    assert response.status_code == 201, response.text
    concern = response.json()
    assert concern["id"].startswith("con_")
    assert (concern["status"], concern["approved_amount"], concern["amount_due"]) == (
        "approved",
        200,
        800,
    )
    seen = public(merchant, tab["token"]).json()
    assert (seen["adjustments"], seen["total"], seen["amount_due"]) == (200, 800, 800)
    assert [(c["id"], c["status"], c["approved_amount"]) for c in seen["concerns"]] == [
        (concern["id"], "approved", 200)
    ]


def test_unknown_or_malformed_tokens_are_404(merchant: Merchant) -> None:
    tab = merchant.tab()
    merchant_part = tab["token"].split(".", 1)[0]
    for token in (
        "nonsense",
        f"{merchant_part}.not-the-secret",
        f"{merchant_part}.{tab['token'].split('.', 1)[1][:-1]}",
        "mer_aaaaaaaa." + tab["token"].split(".", 1)[1],
    ):
        for action, body in (("", None), ("review", {"rating": 5}), ("accept", None)):
            response = public(merchant, token, action, body)
            assert response.status_code == 404, (token, action)
            assert response.json()["error"]["code"] == "tab_not_found"
