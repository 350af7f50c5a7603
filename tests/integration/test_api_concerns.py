"""The satisfaction guarantee over HTTP: the customer raises a concern, staff
approve or reject it, the bill and the ledger follow."""

from __future__ import annotations

from typing import Any

from tests.conftest import Merchant


def raise_concern(merchant: Merchant, tab: dict[str, Any], **body: Any) -> Any:
    return merchant.client.post(f"/v1/public/tabs/{tab['token']}/concerns", json=body)


def resolve(merchant: Merchant, tab: dict[str, Any], concern_id: str, **body: Any) -> Any:
    return merchant.post(f"/v1/tabs/{tab['id']}/concerns/{concern_id}/resolve", body)


def test_a_redo_keeps_the_price(merchant: Merchant) -> None:
    tab = merchant.served_tab(1000)
    concern = raise_concern(merchant, tab, reason="Too bitter", remedy="redo").json()
    assert (concern["status"], concern["remedy"], concern["approved_amount"]) == (
        "approved",
        "redo",
        0,
    )
    assert concern["requested_amount"] is None
    assert concern["amount_due"] == 1000
    assert concern["resolved_at"] is not None
    assert merchant.balances()["satisfaction_adjustments"] == 0


def test_a_large_discount_waits_for_staff_who_approve_what_was_asked(merchant: Merchant) -> None:
    tab = merchant.served_tab(1000)
    asked = raise_concern(merchant, tab, reason="Wrong order", remedy="partial", amount=500)
    assert asked.status_code == 201, asked.text
    pending = asked.json()
    assert (pending["status"], pending["requested_amount"], pending["approved_amount"]) == (
        "pending",
        500,
        0,
    )
    assert pending["resolved_at"] is None
    assert pending["amount_due"] == 1000
    approved = resolve(merchant, tab, pending["id"], decision="approve")
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["status"], body["approved_amount"], body["amount_due"]) == ("approved", 500, 500)
    assert body["resolved_at"] is not None
    balances = merchant.balances()
    assert (balances["satisfaction_adjustments"], balances["receivables"]) == (500, 500)


def test_staff_may_grant_less_than_was_asked(merchant: Merchant) -> None:
    tab = merchant.served_tab(1000)
    pending = raise_concern(merchant, tab, reason="Late", remedy="partial", amount=600).json()
    approved = resolve(merchant, tab, pending["id"], decision="approve", amount=250).json()
    assert (approved["approved_amount"], approved["amount_due"]) == (250, 750)
    listed = merchant.get(f"/v1/tabs/{tab['id']}/concerns").json()["data"]
    assert [(c["id"], c["status"], c["approved_amount"]) for c in listed] == [
        (pending["id"], "approved", 250)
    ]


def test_a_waiver_approved_leaves_nothing_owed_and_closes_the_tab(merchant: Merchant) -> None:
    tab = merchant.served_tab(450, 380)
    pending = raise_concern(merchant, tab, reason="Not what I ordered", remedy="waive").json()
    assert (pending["status"], pending["requested_amount"]) == ("pending", 830)
    waived = resolve(merchant, tab, pending["id"], decision="approve").json()
    assert (waived["approved_amount"], waived["amount_due"], waived["tab_status"]) == (
        830,
        0,
        "paid",
    )
    balances = merchant.balances()
    assert balances["satisfaction_adjustments"] == 830
    assert balances["receivables"] == 0
    assert balances["revenue"] == -830


def test_a_rejection_changes_nothing_and_only_unfounded_counts_against_trust(
    merchant: Merchant,
) -> None:
    tab = merchant.served_tab(1000)
    first = raise_concern(merchant, tab, reason="Meh", remedy="waive").json()
    rejected = resolve(merchant, tab, first["id"], decision="reject", reason="It was fine").json()
    assert (rejected["status"], rejected["decision"], rejected["unfounded"]) == (
        "rejected",
        "It was fine",
        False,
    )
    assert rejected["amount_due"] == 1000
    customer = merchant.get(f"/v1/customers/{tab['customer_id']}").json()
    assert customer["trust"]["tier"] == "new"
    second = raise_concern(merchant, tab, reason="Meh again", remedy="waive").json()
    unfounded = resolve(merchant, tab, second["id"], decision="reject", unfounded=True).json()
    assert unfounded["unfounded"] is True
    factors = merchant.get(f"/v1/customers/{tab['customer_id']}").json()["trust"]["factors"]
    assert factors == ["1 concern rejected as unfounded"]
    assert merchant.balances()["satisfaction_adjustments"] == 0


def test_a_concern_is_resolved_once(merchant: Merchant) -> None:
    tab = merchant.served_tab(1000)
    pending = raise_concern(merchant, tab, reason="Cold", remedy="waive").json()
    assert resolve(merchant, tab, pending["id"], decision="reject").status_code == 200
    again = resolve(merchant, tab, pending["id"], decision="approve")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "concern_resolved"
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["amount_due"] == 1000


def test_amounts_are_checked(merchant: Merchant) -> None:
    tab = merchant.served_tab(1000)
    no_amount = raise_concern(merchant, tab, reason="Cold", remedy="partial")
    assert no_amount.status_code == 422
    assert no_amount.json()["error"]["param"] == "amount"
    too_much = raise_concern(merchant, tab, reason="Cold", remedy="partial", amount=1001)
    assert too_much.status_code == 422
    assert too_much.json()["error"]["code"] == "amount_exceeds_due"
    zero = raise_concern(merchant, tab, reason="Cold", remedy="partial", amount=0)
    assert zero.status_code == 422
    pending = raise_concern(merchant, tab, reason="Cold", remedy="partial", amount=900).json()
    over = resolve(merchant, tab, pending["id"], decision="approve", amount=1001)
    assert over.status_code == 422
    assert over.json()["error"]["code"] == "amount_exceeds_due"
    bad_decision = resolve(merchant, tab, pending["id"], decision="maybe")
    assert bad_decision.status_code == 422
    assert bad_decision.json()["error"]["param"] == "decision"
    blank = raise_concern(merchant, tab, reason="", remedy="redo")
    assert blank.status_code == 422
    assert blank.json()["error"]["param"] == "reason"
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["amount_due"] == 1000


def test_a_reason_past_2000_characters_is_refused_whole(merchant: Merchant) -> None:
    """As the customer's page refuses it: never kept cut short."""
    tab = merchant.served_tab(1000)
    too_long = raise_concern(merchant, tab, reason="x" * 2001, remedy="waive")
    assert too_long.status_code == 422
    error = too_long.json()["error"]
    assert (error["code"], error["param"]) == ("parameter_invalid", "reason")
    assert "at most 2000 characters" in error["message"]
    seen = merchant.client.get(f"/v1/public/tabs/{tab['token']}").json()
    assert seen["concerns"] == []
    fits = raise_concern(merchant, tab, reason="x" * 2000, remedy="waive")
    assert fits.status_code == 201, fits.text
    assert fits.json()["reason"] == "x" * 2000


def test_concerns_come_before_paying_and_after_serving_something(merchant: Merchant) -> None:
    empty = merchant.tab()
    nothing = raise_concern(merchant, empty, reason="?", remedy="redo")
    assert nothing.status_code == 409
    assert nothing.json()["error"]["code"] == "tab_empty"
    paid = merchant.served_tab(300)
    merchant.post(f"/v1/tabs/{paid['id']}/payments", {"method": "cash"})
    late = raise_concern(merchant, paid, reason="Cold", remedy="waive")
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "tab_state_invalid"


def test_unknown_concern_or_one_from_another_tab_is_404(merchant: Merchant) -> None:
    tab, other = merchant.served_tab(1000), merchant.served_tab(1000)
    pending = raise_concern(merchant, tab, reason="Cold", remedy="waive").json()
    assert resolve(merchant, tab, "con_nope", decision="reject").status_code == 404
    crossed = resolve(merchant, other, pending["id"], decision="approve")
    assert crossed.status_code == 404
    assert crossed.json()["error"]["param"] == "concern_id"
    assert merchant.get(f"/v1/tabs/{tab['id']}/concerns").json()["data"][0]["status"] == "pending"
