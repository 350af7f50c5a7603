"""Refunds and voided lines in the console (a manager's forms on the tab page)
and on the customer's page (a voided line struck through, with its reason)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest

from servefirst.payments.gateways import SandboxGateway
from servefirst.payments.processor_refunds import MADE_AT_PROCESSOR
from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.integration.test_pages_staff import Staff


def _cash(merchant: Merchant, tab: dict[str, Any], amount: int, tip: int = 0) -> dict[str, Any]:
    paid = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": amount, "tip": tip}
    )
    assert paid.status_code == 201, paid.text
    return paid.json()  # type: ignore[no-any-return]


def test_a_manager_voids_a_wrong_line_and_the_customer_sees_it_struck_through(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    tab = merchant.served_tab(450, 380)
    page = manager.get(f"/staff/tabs/{tab['id']}").text
    assert f'action="/staff/tabs/{tab["id"]}/lines/2/void"' in page
    done = manager.post(
        f"/staff/tabs/{tab['id']}/lines/2/void",
        {"reason": "Rang up a latte by mistake"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    shown = manager.get(done.headers["location"]).text
    assert "Line voided" in shown
    assert "<del>" in shown and "Rang up a latte by mistake" in shown
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["amount_due"] == 450
    customer = merchant.client.get(f"/t/{tab['token']}").text
    assert 'data-voided="true"' in customer
    assert "Taken off your tab: Rang up a latte by mistake" in customer
    in_portuguese = merchant.client.get(
        f"/t/{tab['token']}", headers={"Accept-Language": "pt-PT"}
    ).text
    assert "Retirado da sua conta: Rang up a latte by mistake" in in_portuguese


def test_a_manager_refunds_part_of_a_payment_from_the_tab_page(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    tab = merchant.served_tab(800)
    payment = _cash(merchant, tab, 800, tip=100)
    done = manager.post(
        f"/staff/tabs/{tab['id']}/payments/{payment['id']}/refund",
        {"amount": "3,00", "tip": "", "reason": "Cold coffee"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    shown = manager.get(done.headers["location"]).text
    assert "Refund recorded" in shown and "Cold coffee" in shown
    refunds = merchant.get(f"/v1/payments/{payment['id']}/refunds").json()["data"]
    assert [(r["amount"], r["tip"], r["reason"]) for r in refunds] == [(300, 0, "Cold coffee")]
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["refunded"] == 300


def _portuguese(merchant: Merchant, person: Staff) -> None:
    """A Lisbon merchant, and a member who reads the console in Portuguese."""
    assert merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    assert person.post("/staff/settings/language", {"language": "pt"}).status_code == 200


def test_a_payment_refunded_in_full_offers_no_refund_form_and_a_part_refunded_one_says_what_is_left(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    tab = merchant.served_tab(800)
    payment = _cash(merchant, tab, 800, tip=100)
    form = f'action="/staff/tabs/{tab["id"]}/payments/{payment["id"]}/refund"'
    assert "Refund the payment of €8.00" in manager.get(f"/staff/tabs/{tab['id']}").text
    part = {"amount": 300, "reason": "Cold coffee"}
    assert merchant.post(f"/v1/payments/{payment['id']}/refunds", part).status_code == 201
    page = manager.get(f"/staff/tabs/{tab['id']}").text
    assert form in page
    assert "Refund more of this payment (€5.00 + €1.00 tip left)" in page
    rest = {"reason": "Left unhappy"}
    assert merchant.post(f"/v1/payments/{payment['id']}/refunds", rest).status_code == 201
    page = manager.get(f"/staff/tabs/{tab['id']}").text
    assert form not in page  # nothing left: a form would only be refused
    assert "Refund more of this payment" not in page


def test_a_refund_of_the_tip_alone_is_listed_as_the_tip_not_as_nothing_from_the_bill(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    tab = merchant.served_tab(800)
    payment = _cash(merchant, tab, 800, tip=100)
    tip_only = {"tip": 50, "reason": "Tip typed twice"}
    assert merchant.post(f"/v1/payments/{payment['id']}/refunds", tip_only).status_code == 201
    page = manager.get(f"/staff/tabs/{tab['id']}").text
    assert "− €0.50 tip" in page
    assert "−€0.00" not in page


def test_refunds_read_in_portuguese_in_the_console(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    _portuguese(merchant, manager)
    tab = merchant.served_tab(800)
    payment = _cash(merchant, tab, 800, tip=100)
    part = {"amount": 300, "reason": "Café frio"}
    assert merchant.post(f"/v1/payments/{payment['id']}/refunds", part).status_code == 201
    page = manager.get(f"/staff/tabs/{tab['id']}").text
    assert '<span class="status status-succeeded">concluído</span>' in page
    assert "Reembolsar mais deste pagamento (restam 5,00\xa0€ + 1,00\xa0€ de gorjeta)" in page
    assert "succeeded" not in page.replace("status-succeeded", "")
    assert '<button type="submit" class="secondary">Reembolsar</button>' in page  # a verb
    # The reason servefirst keeps for a refund made in Stripe's dashboard is its own words.
    dashboard = {"amount": 100, "reason": MADE_AT_PROCESSOR}
    assert merchant.post(f"/v1/payments/{payment['id']}/refunds", dashboard).status_code == 201
    assert "“Reembolsado no painel da Stripe.”" in manager.get(f"/staff/tabs/{tab['id']}").text


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"amount": "9,00", "tip": "", "reason": "Too much"}, "more than the"),
        ({"amount": "abc", "tip": "", "reason": "Typo"}, "is not an amount"),
        ({"amount": "1,00", "tip": "", "reason": ""}, "Say why"),
    ],
)
def test_a_refused_refund_form_comes_back_with_the_entry_and_the_error_in_words(
    merchant: Merchant, signed_in: Callable[..., Staff], entry: dict[str, str], words: str
) -> None:
    manager = signed_in(merchant, "manager")
    tab = merchant.served_tab(800)
    payment = _cash(merchant, tab, 800)
    refused = manager.post(f"/staff/tabs/{tab['id']}/payments/{payment['id']}/refund", entry)
    assert refused.status_code == 422, refused.text
    assert words in refused.text
    form = f"refund-{payment['id']}"
    assert f'id="{form}-amount" name="amount" inputmode="decimal" value="{entry["amount"]}"' in (
        refused.text
    )
    if entry["reason"]:
        assert f'value="{entry["reason"]}"' in refused.text
    assert merchant.get(f"/v1/payments/{payment['id']}/refunds").json()["data"] == []


def test_a_void_the_bill_no_longer_covers_is_refused_in_words(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    tab = merchant.served_tab(450, 380)
    _cash(merchant, tab, 500)
    refused = manager.post(f"/staff/tabs/{tab['id']}/lines/1/void", {"reason": "Wrong cake"})
    assert refused.status_code == 409
    assert "so refund the payment instead of voiding the line" in refused.text
    assert 'value="Wrong cake"' in refused.text


def test_a_void_form_for_a_line_number_past_any_tab_says_there_is_no_such_line(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    tab = merchant.served_tab(450)
    refused = manager.post(f"/staff/tabs/{tab['id']}/lines/{2**63}/void", {"reason": "Typo"})
    assert refused.status_code == 404, refused.text
    assert "This tab has no such line." in refused.text
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["amount_due"] == 450


def test_staff_may_neither_void_nor_refund(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    waiter = signed_in(merchant, "staff")
    tab = merchant.served_tab(450, 380)
    payment = _cash(merchant, tab, 450)
    page = waiter.get(f"/staff/tabs/{tab['id']}").text
    assert "/void" not in page.replace(f"/staff/tabs/{tab['id']}/void", "")
    assert "/refund" not in page
    void = waiter.post(f"/staff/tabs/{tab['id']}/lines/2/void", {"reason": "mine"})
    assert void.status_code == 403 and 'data-code="forbidden"' in void.text
    refund = waiter.post(
        f"/staff/tabs/{tab['id']}/payments/{payment['id']}/refund", {"reason": "mine"}
    )
    assert refund.status_code == 403 and 'data-code="forbidden"' in refund.text
    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert (after["refunded"], after["amount_due"]) == (0, 380)
    assert not any(line["voided"] for line in after["lines"])


def test_the_receipt_leaves_a_voided_line_out_and_shows_what_was_refunded(
    merchant: Merchant,
) -> None:
    tab = merchant.served_tab(450, 380)
    void = merchant.post(f"/v1/tabs/{tab['id']}/lines/2/void", {"reason": "Not served"})
    assert void.status_code == 200, void.text
    payment = _cash(merchant, tab, 450, tip=50)
    refund = merchant.post(
        f"/v1/payments/{payment['id']}/refunds", {"amount": 150, "tip": 50, "reason": "Late"}
    )
    assert refund.status_code == 201, refund.text
    receipt = merchant.client.get(f"/t/{tab['token']}/receipt").text
    assert "€3.80" not in receipt  # the voided line's amount
    assert 'data-testid="refunded">−€2.00' in receipt


def test_the_receipt_email_lists_no_voided_line(merchant: Merchant, runtime: Runtime) -> None:
    from servefirst.messages.compose import ctx_lines

    tab = merchant.served_tab(450, 380)
    void = merchant.post(f"/v1/tabs/{tab['id']}/lines/1/void", {"reason": "Not served"})
    assert void.status_code == 200, void.text
    with runtime.uow(merchant.id, write=False) as uow:
        assert [line["amount"] for line in ctx_lines(uow, tab["id"])] == [380]


def test_refused_refunds_and_voids_read_in_portuguese_with_the_merchants_money(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    _portuguese(merchant, manager)
    tab = merchant.served_tab(800)
    payment = _cash(merchant, tab, 800, tip=100)
    refund = f"/staff/tabs/{tab['id']}/payments/{payment['id']}/refund"
    over = manager.post(refund, {"amount": "10", "tip": "", "reason": "Demais"})
    assert over.status_code == 422
    assert "10,00\xa0€ é mais do que os 8,00\xa0€ que restam para reembolsar da conta." in over.text
    typo = manager.post(refund, {"amount": "1.o0", "tip": "", "reason": "Demais"})
    assert "'1.o0' não é um valor; escreva-o como 2,50." in html.unescape(typo.text)
    no_reason = manager.post(refund, {"amount": "1", "tip": "", "reason": " "})
    assert "Diga porquê (o motivo fica guardado com o registo)." in no_reason.text
    everything = {"amount": "", "tip": "", "reason": "Tudo"}
    assert manager.post(refund, everything, follow_redirects=False).status_code == 303
    twice = manager.post(refund, {"amount": "", "tip": "", "reason": "De novo"})
    assert "Este pagamento já foi reembolsado na totalidade." in twice.text
    part_paid = merchant.served_tab(450, 380)
    _cash(merchant, part_paid, 500)  # 3,30 € still due, less than either line
    void = manager.post(f"/staff/tabs/{part_paid['id']}/lines/2/void", {"reason": "Engano"})
    assert void.status_code == 409
    assert "Só falta pagar 3,30\xa0€, menos do que os 3,80\xa0€ desta linha" in void.text
    paid_void = manager.post(f"/staff/tabs/{tab['id']}/lines/1/void", {"reason": "Engano"})
    assert "Esta conta está paga; reembolse o pagamento em vez de anular uma linha." in (
        paid_void.text
    )


def test_a_refunded_tab_says_refunded_beside_paid_to_staff_and_customer(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    manager = signed_in(merchant, "manager")
    tab = merchant.served_tab(800)
    payment = _cash(merchant, tab, 800, tip=100)
    assert 'id="tab-refunded"' not in manager.get(f"/staff/tabs/{tab['id']}").text
    assert 'data-status="refunded"' not in merchant.client.get(f"/t/{tab['token']}").text
    part = {"amount": 300, "reason": "Cold coffee"}
    assert merchant.post(f"/v1/payments/{payment['id']}/refunds", part).status_code == 201
    staff_page = manager.get(f"/staff/tabs/{tab['id']}").text
    assert '<span class="status status-paid" id="tab-status">paid</span>' in staff_page
    assert 'id="tab-refunded">partly refunded</span>' in staff_page
    customer = merchant.client.get(f"/t/{tab['token']}").text
    assert '<span class="status" data-status="refunded">Partly refunded</span>' in customer
    assert (
        merchant.post(f"/v1/payments/{payment['id']}/refunds", {"reason": "All"}).status_code == 201
    )
    assert 'id="tab-refunded">refunded</span>' in manager.get(f"/staff/tabs/{tab['id']}").text
    in_portuguese = merchant.client.get(
        f"/t/{tab['token']}", headers={"Accept-Language": "pt-PT"}
    ).text
    assert 'data-status="paid">Paga</span>' in in_portuguese
    assert 'data-status="refunded">Reembolsada</span>' in in_portuguese
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["status"] == "paid"
    history = manager.get(f"/staff/customers/{tab['customer_id']}").text
    assert '<span class="status status-refunded">refunded</span>' in history


def test_a_refund_the_processor_has_not_answered_says_so_and_not_try_again(
    merchant: Merchant, signed_in: Callable[..., Staff], runtime: Runtime, monkeypatch: Any
) -> None:
    from tests.integration.test_refund_phases import Unreachable

    manager = signed_in(merchant, "manager")
    tab = merchant.served_tab(800)
    paid = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "card", "card": "4242424242424242"}
    )
    assert paid.status_code == 201, paid.text
    monkeypatch.setattr(runtime.gateways, "sandbox", Unreachable())
    sent = manager.post(
        f"/staff/tabs/{tab['id']}/payments/{paid.json()['id']}/refund",
        {"amount": "3,00", "tip": "", "reason": "Cold coffee"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    page = manager.get(sent.headers["location"]).text
    assert "the card processor has not answered yet" in page and "do not refund again" in page
    assert "nothing was charged" not in page
    assert '<span class="status status-pending">pending</span>' in page
    monkeypatch.setattr(runtime.gateways, "sandbox", SandboxGateway())
    recover(runtime, grace_seconds=0)  # the processor answers: the refund is finished once
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["refunded"] == 300
