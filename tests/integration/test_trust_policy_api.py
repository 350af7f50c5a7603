"""An owner reads and sets the trust policy through the API: presets, single
changes, refusals that keep nothing, and a retried request answered once."""

from __future__ import annotations

from tests.conftest import Merchant


def test_a_new_merchant_reads_the_balanced_defaults(merchant: Merchant) -> None:
    response = merchant.get("/v1/merchant/trust-policy")
    assert response.status_code == 200, response.text
    policy = response.json()
    assert policy["object"] == "trust_policy"
    assert policy["half_life_days"] == 180
    assert policy["thresholds"] == {
        "trusted_min_score": 0.85,
        "trusted_min_paid_visits": 5,
        "restricted_below": 0.5,
    }
    assert policy["tiers"]["new"]["tab_limit"] == {"base": 10000, "step": 0, "cap": 10000}
    assert policy["tiers"]["restricted"]["pay_after"] is False


def test_raising_the_new_tier_limit_lets_a_larger_first_tab_through(
    merchant: Merchant,
) -> None:
    """The tab-limit refusal tells owners they can raise the limit: now they can."""
    customer = merchant.customer()
    tab = merchant.tab(customer["id"])
    big = merchant.service(price=15000)
    refused = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": big["id"]})
    assert refused.status_code == 402, refused.text

    raised = merchant.post(
        "/v1/merchant/trust-policy",
        {"tiers": {"new": {"tab_limit": {"base": 20000, "cap": 20000}}}},
    )
    assert raised.status_code == 200, raised.text
    assert raised.json()["tiers"]["new"]["tab_limit"] == {"base": 20000, "step": 0, "cap": 20000}
    # Everything else is kept.
    assert raised.json()["thresholds"]["trusted_min_paid_visits"] == 5
    added = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": big["id"]})
    assert added.status_code == 200, added.text


def test_a_preset_sets_the_whole_policy_and_changes_lie_over_it(merchant: Merchant) -> None:
    response = merchant.post(
        "/v1/merchant/trust-policy",
        {"preset": "cautious", "thresholds": {"trusted_min_paid_visits": 10}},
    )
    assert response.status_code == 200, response.text
    policy = response.json()
    assert policy["half_life_days"] == 365
    assert policy["thresholds"]["trusted_min_paid_visits"] == 10
    assert policy["tiers"]["new"]["tab_limit"]["base"] == 4000
    assert merchant.get("/v1/merchant/trust-policy").json() == policy


def test_bad_policies_are_refused_whole_with_the_field_named(merchant: Merchant) -> None:
    before = merchant.get("/v1/merchant/trust-policy").json()
    cases = [
        ({"half_life_days": 0}, "half_life_days"),
        ({"half_life_days": -3}, "half_life_days"),
        ({"thresholds": {"restricted_below": 0.9}}, "thresholds.restricted_below"),
        ({"prior": {"bad": 0}}, "prior.bad"),
        (
            {"tiers": {"standard": {"tab_limit": {"base": 50000, "cap": 100}}}},
            "tiers.standard.tab_limit.cap",
        ),
        ({"tiers": {"new": {"tab_limit": {"base": -1}}}}, "tiers.new.tab_limit.base"),
    ]
    for body, param in cases:
        response = merchant.post(
            "/v1/merchant/trust-policy", {**body, "half_life_days": body.get("half_life_days", 90)}
        )
        assert response.status_code == 422, (body, response.text)
        error = response.json()["error"]
        assert error["param"] == param, (body, error)
        assert error["message"]
    for body in (
        {"preset": "reckless"},
        {"half_life_days": "abc"},
        {"tiers": {"gold": {}}},
    ):
        response = merchant.post("/v1/merchant/trust-policy", body)
        assert response.status_code == 422, (body, response.text)
    # Python's JSON reader takes NaN and Infinity, which pass every range check.
    for raw in (
        '{"half_life_days": NaN}',
        '{"thresholds": {"trusted_min_score": NaN}}',
        '{"prior": {"good": Infinity}}',
    ):
        response = merchant.client.post(
            "/v1/merchant/trust-policy",
            content=raw,
            headers={**merchant.headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, (raw, response.text)
    assert merchant.get("/v1/merchant/trust-policy").json() == before


def test_a_retried_change_answers_as_the_first(merchant: Merchant) -> None:
    headers = {"Idempotency-Key": "trust-policy-1"}
    body = {"preset": "generous"}
    first = merchant.post("/v1/merchant/trust-policy", body, headers=headers)
    again = merchant.post("/v1/merchant/trust-policy", body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    other = merchant.post("/v1/merchant/trust-policy", {"preset": "cautious"}, headers=headers)
    assert other.status_code == 422
