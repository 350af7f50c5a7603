"""The guarantee policy over HTTP: the claim limit over time, the tie to trust
tiers, rejections and trust, and adjustments by remedy in the cash-flow report."""

from __future__ import annotations

from typing import Any

from tests.conftest import Merchant, TestClock

POLICY = "/v1/merchant/guarantee-policy"


def concern(merchant: Merchant, tab: dict[str, Any], **body: Any) -> Any:
    return merchant.client.post(f"/v1/public/tabs/{tab['token']}/concerns", json=body)


def served_tab_for(merchant: Merchant, customer_id: str, price: int = 1000) -> dict[str, Any]:
    tab = merchant.tab(customer_id)
    svc = merchant.service(price=price)
    assert (
        merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]}).status_code == 200
    )
    served = merchant.post(f"/v1/tabs/{tab['id']}/serve")
    assert served.status_code == 200, served.text
    return served.json()  # type: ignore[no-any-return]


def set_policy(merchant: Merchant, **body: Any) -> dict[str, Any]:
    response = merchant.post(POLICY, body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_the_policy_is_read_and_changed_field_by_field(merchant: Merchant) -> None:
    default = merchant.get(POLICY).json()
    assert default == {
        "object": "guarantee_policy",
        "auto_approve_percent": "20",
        "waive_needs_review": True,
        "claim_limit": None,
        "claim_period_days": 90,
        "over_limit": "review",
        "review_tiers": [],
    }
    changed = set_policy(merchant, claim_limit=2, review_tiers=["restricted", "new"])
    assert (changed["claim_limit"], changed["review_tiers"]) == (2, ["new", "restricted"])
    assert changed["auto_approve_percent"] == "20"  # not sent, unchanged
    again = set_policy(merchant, auto_approve_percent="12.5")
    assert (again["auto_approve_percent"], again["claim_limit"]) == ("12.5", 2)
    assert set_policy(merchant, claim_limit=None)["claim_limit"] is None
    assert merchant.get(POLICY).json()["auto_approve_percent"] == "12.5"


def test_a_bad_policy_is_refused_and_changes_nothing(merchant: Merchant) -> None:
    for body, param in (
        ({"auto_approve_percent": "150"}, "auto_approve_percent"),
        ({"auto_approve_percent": 20}, "auto_approve_percent"),  # a string, never a float
        ({"claim_limit": -1}, "claim_limit"),
        ({"over_limit": "shrug"}, "over_limit"),
        ({"review_tiers": ["vip"]}, "review_tiers"),
    ):
        refused = merchant.post(POLICY, body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["error"]["param"].startswith(param), refused.json()
    assert merchant.get(POLICY).json()["auto_approve_percent"] == "20"


def test_the_ceiling_follows_the_policy(merchant: Merchant) -> None:
    set_policy(merchant, auto_approve_percent="10")
    tab = merchant.served_tab(1000)
    over = concern(merchant, tab, reason="Cold", remedy="partial", amount=101).json()
    assert over["status"] == "pending"
    assert "10%" in over["decision"]
    within = concern(merchant, tab, reason="Cold", remedy="partial", amount=100).json()
    assert (within["status"], within["amount_due"]) == ("approved", 900)


def test_the_claim_limit_counts_approved_claims_in_the_period(
    merchant: Merchant, clock: TestClock
) -> None:
    set_policy(merchant, claim_limit=2, claim_period_days=90)
    customer = merchant.customer()["id"]
    first = concern(merchant, served_tab_for(merchant, customer), reason="Bitter", remedy="redo")
    second_tab = served_tab_for(merchant, customer)
    second = concern(merchant, second_tab, reason="Cold", remedy="partial", amount=100)
    assert [first.json()["status"], second.json()["status"]] == ["approved", "approved"]
    # A pending concern is not an approved claim: it does not use up the limit.
    pending = concern(merchant, second_tab, reason="Awful", remedy="waive").json()
    assert pending["status"] == "pending"

    third_tab = served_tab_for(merchant, customer)
    third = concern(merchant, third_tab, reason="Cold", remedy="partial", amount=100).json()
    assert (third["status"], third["approved_amount"], third["amount_due"]) == ("pending", 0, 1000)
    assert "2 approved claims in the last 90 days" in third["decision"]

    set_policy(merchant, over_limit="reject")
    refused = concern(merchant, third_tab, reason="Cold", remedy="redo").json()
    assert (refused["status"], refused["unfounded"]) == ("rejected", False)
    assert "the bill stays as it is" in refused["decision"]
    # Refused by the rule, not by staff: nothing counts against the customer's trust.
    trust = merchant.get(f"/v1/customers/{customer}").json()["trust"]
    assert not any("unfounded" in f for f in trust["factors"])

    # Another customer has their own limit.
    other = concern(merchant, merchant.served_tab(1000), reason="Cold", remedy="redo").json()
    assert other["status"] == "approved"

    clock.advance(days=91)  # the two approved claims are now older than the period
    later = concern(merchant, third_tab, reason="Cold", remedy="partial", amount=100).json()
    assert (later["status"], later["amount_due"]) == ("approved", 900)


def test_staff_approvals_count_towards_the_claim_limit(merchant: Merchant) -> None:
    set_policy(merchant, claim_limit=1, over_limit="reject")
    customer = merchant.customer()["id"]
    tab = served_tab_for(merchant, customer)
    pending = concern(merchant, tab, reason="Wrong", remedy="partial", amount=500).json()
    assert pending["status"] == "pending"
    resolved = merchant.post(
        f"/v1/tabs/{tab['id']}/concerns/{pending['id']}/resolve", {"decision": "approve"}
    )
    assert resolved.json()["status"] == "approved"
    next_one = concern(merchant, served_tab_for(merchant, customer), reason="Cold", remedy="redo")
    assert next_one.json()["status"] == "rejected"


def test_auto_approval_depends_on_the_trust_tier(merchant: Merchant) -> None:
    customer = merchant.customer()
    tier = merchant.get(f"/v1/customers/{customer['id']}").json()["trust"]["tier"]
    others = [t for t in ("trusted", "standard", "new", "restricted") if t != tier]
    set_policy(merchant, review_tiers=[tier])
    tab = served_tab_for(merchant, customer["id"])
    for remedy, amount in (("redo", None), ("partial", 10)):
        held = concern(merchant, tab, reason="Cold", remedy=remedy, amount=amount).json()
        assert (held["status"], held["approved_amount"]) == ("pending", 0), held
        assert "staff decides" in held["decision"]
    set_policy(merchant, review_tiers=others)
    passed = concern(merchant, tab, reason="Cold", remedy="partial", amount=10).json()
    assert (passed["status"], passed["approved_amount"]) == ("approved", 10)


def test_only_an_unfounded_rejection_counts_against_trust(merchant: Merchant) -> None:
    tab = merchant.served_tab(1000)
    customer_url = f"/v1/customers/{tab['customer_id']}"
    before = merchant.get(customer_url).json()["trust"]
    fair = concern(merchant, tab, reason="Meh", remedy="waive").json()
    merchant.post(f"/v1/tabs/{tab['id']}/concerns/{fair['id']}/resolve", {"decision": "reject"})
    assert merchant.get(customer_url).json()["trust"] == before
    unfounded = concern(merchant, tab, reason="Meh", remedy="waive").json()
    rejected = merchant.post(
        f"/v1/tabs/{tab['id']}/concerns/{unfounded['id']}/resolve",
        {"decision": "reject", "reason": "The photo shows it was done", "unfounded": True},
    ).json()
    assert (rejected["status"], rejected["unfounded"], rejected["amount_due"]) == (
        "rejected",
        True,
        1000,
    )
    after = merchant.get(customer_url).json()["trust"]
    assert after["score"] < before["score"]
    assert any("unfounded" in f for f in after["factors"])
    assert merchant.balances()["satisfaction_adjustments"] == 0


def test_cash_flow_shows_adjustments_by_remedy(merchant: Merchant) -> None:
    one = merchant.served_tab(1000)
    assert concern(merchant, one, reason="Again", remedy="redo").json()["status"] == "approved"
    assert (
        concern(merchant, one, reason="Cold", remedy="partial", amount=150).json()["status"]
        == "approved"
    )
    two = merchant.served_tab(450, 380)
    waive = concern(merchant, two, reason="Wrong order", remedy="waive").json()
    merchant.post(f"/v1/tabs/{two['id']}/concerns/{waive['id']}/resolve", {"decision": "approve"})
    rejected = concern(merchant, one, reason="Still cold", remedy="waive").json()
    merchant.post(f"/v1/tabs/{one['id']}/concerns/{rejected['id']}/resolve", {"decision": "reject"})
    adjustments = merchant.get("/v1/reports/cash-flow").json()["adjustments"]
    assert adjustments == {
        "total": 150 + 830,
        "by_remedy": {
            "redo": {"concerns": 1, "amount": 0},
            "partial": {"concerns": 1, "amount": 150},
            "waive": {"concerns": 1, "amount": 830},
        },
    }
    assert merchant.balances()["satisfaction_adjustments"] == 980
