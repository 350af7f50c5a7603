"""Refunds and voided lines over HTTP: money given back for every method, a
wrong line taken off a tab, each with one balanced journal entry, and every
bad request refused in the contract's shape with nothing changed."""

from __future__ import annotations

from typing import Any

from servefirst.ledger.service import audit
from servefirst.runtime import Runtime
from tests.conftest import Merchant


def _pay(merchant: Merchant, tab: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = merchant.post(f"/v1/tabs/{tab['id']}/payments", body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _refund(merchant: Merchant, payment_id: str, **body: Any) -> Any:
    return merchant.post(f"/v1/payments/{payment_id}/refunds", body)


def _ledger_is_sound(runtime: Runtime, merchant: Merchant) -> None:
    with runtime.uow(merchant.id, write=False) as uow:
        result = audit(uow)
    assert result.ok, result


def test_a_cash_refund_of_part_of_the_bill_is_recorded(
    merchant: Merchant, runtime: Runtime
) -> None:
    tab = merchant.served_tab(450, 380)
    payment = _pay(merchant, tab, method="cash", amount=830, tip=100)
    response = _refund(merchant, payment["id"], amount=380, reason="The flat white was cold")
    assert response.status_code == 201, response.text
    refund = response.json()
    assert refund["id"].startswith("re_")
    assert refund["object"] == "refund"
    assert (refund["payment_id"], refund["amount"], refund["tip"]) == (payment["id"], 380, 0)
    assert (refund["status"], refund["reason"]) == ("succeeded", "The flat white was cold")
    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert after["status"] == "paid"  # a paid tab stays paid
    assert (after["paid"], after["refunded"], after["tips_refunded"]) == (830, 380, 0)
    balances = merchant.balances()
    assert (balances["cash"], balances["refunds"], balances["tips_payable"]) == (550, 380, -100)
    listed = merchant.get(f"/v1/payments/{payment['id']}/refunds").json()
    assert [r["id"] for r in listed["data"]] == [refund["id"]]
    _ledger_is_sound(runtime, merchant)


def test_neither_part_given_refunds_all_that_is_left_of_both(
    merchant: Merchant, runtime: Runtime
) -> None:
    tab = merchant.served_tab(500)
    payment = _pay(merchant, tab, method="card_terminal", amount=500, tip=50)
    first = _refund(merchant, payment["id"], tip=20, reason="Tip typed wrong").json()
    assert (first["amount"], first["tip"]) == (0, 20)
    rest = _refund(merchant, payment["id"], reason="Customer changed their mind").json()
    assert (rest["amount"], rest["tip"], rest["status"]) == (500, 30, "succeeded")
    balances = merchant.balances()
    assert balances["card_terminal"] == 0
    assert (balances["refunds"], balances["tips_payable"]) == (500, 0)
    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert (after["refunded"], after["tips_refunded"], after["status"]) == (500, 50, "paid")
    again = _refund(merchant, payment["id"], reason="once more")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "nothing_to_refund"
    _ledger_is_sound(runtime, merchant)


def test_a_card_refund_goes_through_the_processor(merchant: Merchant, runtime: Runtime) -> None:
    tab = merchant.served_tab(760)
    paid = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/pay", json={"card": "4242424242424242", "tip": 40}
    )
    assert paid.status_code == 201, paid.text
    payment = paid.json()
    response = _refund(merchant, payment["id"], amount=260, tip=40, reason="Pastry was stale")
    assert response.status_code == 201, response.text
    refund = response.json()
    assert (refund["amount"], refund["tip"], refund["status"]) == (260, 40, "succeeded")
    balances = merchant.balances()
    assert (balances["card_clearing"], balances["refunds"]) == (500, 260)
    assert balances["tips_payable"] == 0
    with runtime.uow(merchant.id, write=False) as uow:
        from servefirst.payments.refund_repository import RefundRepository

        kept = RefundRepository(uow).get(refund["id"])
        assert kept is not None and kept.gateway == "sandbox"
        assert kept.gateway_reference and kept.gateway_reference.startswith("re_sbx_")
    _ledger_is_sound(runtime, merchant)


def test_a_refund_above_what_is_left_is_refused_and_changes_nothing(
    merchant: Merchant,
) -> None:
    tab = merchant.served_tab(400)
    payment = _pay(merchant, tab, method="cash", amount=400, tip=30)
    before = merchant.balances()
    too_much = _refund(merchant, payment["id"], amount=401, reason="typo")
    assert too_much.status_code == 422
    error = too_much.json()["error"]
    assert (error["code"], error["param"]) == ("amount_exceeds_refundable", "amount")
    assert error["type"] == "invalid_request_error" and error["message"]
    too_much_tip = _refund(merchant, payment["id"], tip=31, reason="typo")
    assert too_much_tip.status_code == 422
    assert too_much_tip.json()["error"]["param"] == "tip"
    nothing = _refund(merchant, payment["id"], amount=0, tip=0, reason="nothing")
    assert nothing.status_code == 422
    no_reason = _refund(merchant, payment["id"], amount=10)
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["param"] == "reason"
    negative = _refund(merchant, payment["id"], amount=-5, reason="minus")
    assert negative.status_code == 422
    assert merchant.balances() == before
    assert merchant.get(f"/v1/payments/{payment['id']}/refunds").json()["data"] == []
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["refunded"] == 0


def test_an_unknown_or_anothers_payment_is_404(merchant: Merchant, new_merchant: Any) -> None:
    missing = _refund(merchant, "pay_nosuchpayment0", reason="who?")
    assert missing.status_code == 404
    assert missing.json()["error"]["param"] == "payment_id"
    assert merchant.get("/v1/payments/pay_nosuchpayment0/refunds").status_code == 404
    other = new_merchant("Salão Sol")
    theirs = _pay(other, other.served_tab(300), method="cash", amount=300)
    assert _refund(merchant, theirs["id"], reason="not mine").status_code == 404


def test_a_retried_refund_gives_back_once_and_another_body_is_refused(
    merchant: Merchant,
) -> None:
    tab = merchant.served_tab(600)
    payment = _pay(merchant, tab, method="card", card="4242424242424242")
    key = {"Idempotency-Key": "refund-ana-1"}
    body = {"amount": 200, "reason": "Two coffees rung twice"}
    first = merchant.post(f"/v1/payments/{payment['id']}/refunds", body, headers=key)
    again = merchant.post(f"/v1/payments/{payment['id']}/refunds", body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    other = merchant.post(
        f"/v1/payments/{payment['id']}/refunds", {**body, "amount": 300}, headers=key
    )
    assert other.status_code == 422
    listed = merchant.get(f"/v1/payments/{payment['id']}/refunds").json()["data"]
    assert [r["amount"] for r in listed] == [200]
    assert merchant.balances()["refunds"] == 200


def test_a_wrong_line_is_voided_with_a_reversing_entry(
    merchant: Merchant, runtime: Runtime
) -> None:
    tab = merchant.served_tab(450, 380)
    response = merchant.post(
        f"/v1/tabs/{tab['id']}/lines/2/void", {"reason": "Rang up a latte by mistake"}
    )
    assert response.status_code == 200, response.text
    after = response.json()
    line = next(x for x in after["lines"] if x["line_no"] == 2)
    assert line["voided"] is True
    assert line["void_reason"] == "Rang up a latte by mistake"
    assert not next(x for x in after["lines"] if x["line_no"] == 1)["voided"]
    assert (after["subtotal"], after["amount_due"], after["status"]) == (450, 450, "served")
    balances = merchant.balances()
    assert (balances["receivables"], balances["revenue"]) == (450, -450)
    twice = merchant.post(f"/v1/tabs/{tab['id']}/lines/2/void", {"reason": "again"})
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "line_already_voided"
    _ledger_is_sound(runtime, merchant)


def test_voiding_the_unpaid_rest_of_a_part_paid_tab_settles_it(merchant: Merchant) -> None:
    tab = merchant.served_tab(450, 380)
    _pay(merchant, tab, method="cash", amount=450)
    voided = merchant.post(f"/v1/tabs/{tab['id']}/lines/2/void", {"reason": "Never served"})
    assert voided.status_code == 200, voided.text
    assert (voided.json()["status"], voided.json()["amount_due"]) == ("paid", 0)


def test_a_line_already_paid_for_must_be_refunded_first(merchant: Merchant) -> None:
    tab = merchant.served_tab(450, 380)
    _pay(merchant, tab, method="cash", amount=500)  # 330 still due, less than 380 or 450
    paid_tab = merchant.served_tab(300)
    _pay(merchant, paid_tab, method="cash", amount=300)
    before = merchant.balances()
    refused = merchant.post(f"/v1/tabs/{tab['id']}/lines/1/void", {"reason": "wrong"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "refund_first"
    assert "refund" in refused.json()["error"]["message"]
    on_paid = merchant.post(f"/v1/tabs/{paid_tab['id']}/lines/1/void", {"reason": "wrong"})
    assert on_paid.status_code == 409
    assert on_paid.json()["error"]["code"] == "refund_first"
    assert merchant.balances() == before
    unknown = merchant.post(f"/v1/tabs/{tab['id']}/lines/9/void", {"reason": "wrong"})
    assert unknown.status_code == 404
    no_reason = merchant.post(f"/v1/tabs/{tab['id']}/lines/1/void", {})
    assert no_reason.status_code == 422
    lines = merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"]
    assert not any(line["voided"] for line in lines)


def test_a_line_number_past_any_tab_is_404_not_a_server_error(merchant: Merchant) -> None:
    """A typo'd or hostile line number larger than the column holds names no
    line: 404, as line 99 does, never the driver's overflow as a 500."""
    tab = merchant.served_tab(450)
    before = merchant.balances()
    for line_no in (2**31, 2**63, 10**20):
        refused = merchant.post(f"/v1/tabs/{tab['id']}/lines/{line_no}/void", {"reason": "x"})
        assert refused.status_code == 404, (line_no, refused.text)
        assert refused.json()["error"]["param"] == "line_no"
    assert merchant.balances() == before


# --- reports --------------------------------------------------------------------------------


def test_the_cash_flow_report_nets_refunds(merchant: Merchant) -> None:
    cash_tab = merchant.served_tab(800)
    cash = _pay(merchant, cash_tab, method="cash", amount=800, tip=100)
    card_tab = merchant.served_tab(500)
    card = _pay(merchant, card_tab, method="card", card="4242424242424242", tip=50)
    assert _refund(merchant, cash["id"], amount=300, tip=40, reason="short").status_code == 201
    assert _refund(merchant, card["id"], amount=500, reason="wrong table").status_code == 201
    report = merchant.get("/v1/reports/cash-flow").json()
    assert report["collected"] == {
        "total": 900 - 340 + 550 - 500,
        "by_method": {"cash": 560, "card": 50, "card_terminal": 0},
        "for_services": 500,
        "tips": 110,
    }
    assert report["refunds"] == {
        "total": 840,
        "by_method": {"cash": 340, "card": 500, "card_terminal": 0},
        "for_services": 800,
        "tips": 40,
    }
    assert report["tips"] == {"collected": 110, "payable": 110}


def test_earnings_follow_the_money_kept(merchant: Merchant, clock: Any) -> None:
    from datetime import timedelta

    marta = merchant.post("/v1/staff", {"name": "Marta", "commission_rate_bps": 1000}).json()
    tab = merchant.tab()
    for price in (1000, 500):
        svc = merchant.service(name=f"Cut {price}", price=price)
        added = merchant.post(
            f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"], "staff_id": marta["id"]}
        )
        assert added.status_code == 200, added.text
    voided = merchant.post(f"/v1/tabs/{tab['id']}/lines/2/void", {"reason": "not done"})
    assert voided.status_code == 200, voided.text
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    payment = _pay(merchant, tab, method="cash", amount=1000, tip=200)
    assert _refund(merchant, payment["id"], amount=400, tip=50, reason="fringe").status_code == 201
    now = clock.now()
    period = {
        "from": (now - timedelta(hours=1)).isoformat(),
        "to": (now + timedelta(hours=1)).isoformat(),
    }
    report = merchant.get("/v1/reports/earnings", params=period).json()
    row = next(r for r in report["staff"] if r["staff_id"] == marta["id"])
    assert (row["sales"], row["paid"], row["tips"]) == (1000, 600, 150)
    assert row["commission"] == 60


def test_no_line_comes_off_while_a_card_payment_waits_for_the_processor(
    merchant: Merchant, runtime: Runtime
) -> None:
    tab = merchant.served_tab(450, 380)
    with runtime.uow(merchant.id) as uow:  # a card payment's phase (1) done, (3) not yet
        uow.tabs.write(uow.tabs.lock(tab["id"]), pending_payment_id="pay_waiting")
        uow.commit()
    refused = merchant.post(f"/v1/tabs/{tab['id']}/lines/2/void", {"reason": "wrong"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "payment_in_progress"
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["subtotal"] == 830
