"""A wrong line on a tab its booking's deposit paid alone (no payment of its
own): the owner voids it, the deposit comes down to what the bill still
needs, and the rest goes back to the card the deposit was taken on, as a
swap before paying does (``test_cheaper_service_swaps``). There is no
payment to refund first: a deposit is not refunded as a payment. The tab
stays paid. A paid tab a real payment paid still asks for its refund first.

A 45.00 colour booked with its whole price as the deposit; at the counter
the stylist did a cut and a toner instead: staff added them (25.00) and
voided the colour before serving, so the deposit kept 25.00 and the tab was
paid by it. Later the owner finds the toner was never done."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests import delivery_servers
from tests.conftest import Merchant, TestClock
from tests.delivery_servers import Mailbox
from tests.integration import test_deposit_refunds as deposits
from tests.integration.test_bookings_api import GOOD, booked, nonzero, salon
from tests.integration.test_checkin_deposit_refunds import audited, deposit_refunds
from tests.integration.test_deposit_refunds import RefundsAsked
from tests.integration.test_pages_staff import Staff
from tests.integration.test_refund_pages import _portuguese

refunds = deposits.refunds
smtp_server = delivery_servers.smtp_server  # the session's SMTP server (a fixture)

COLOUR, CUT, TONER = 4500, 1500, 1000
#: The whole price as the deposit.
WHOLE_PRICE = {"enabled": True, "percent": "100", "minimum": 200, "maximum": 5000, "preset": "fair"}
TONER_NOT_DONE = "The toner was never done"


def paid_by_its_deposit(
    merchant: Merchant, clock: TestClock, **body: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(booking, tab): the colour swapped for a cut (line 2) and a toner
    (line 3) before serving, the tab served and paid by the deposit alone."""
    salon(merchant, **WHOLE_PRICE)
    colour = merchant.service("Colour", price=COLOUR, duration_minutes=90)
    booking = booked(merchant, clock, service_id=colour["id"], card=GOOD, hours=1, **body)
    assert booking["deposit"]["amount"] == COLOUR
    checked = merchant.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text
    tab_id = checked.json()["tab_id"]
    for name, price in (("Cut", CUT), ("Toner", TONER)):
        service = merchant.service(name, price=price, duration_minutes=30)
        added = merchant.post(f"/v1/tabs/{tab_id}/lines", {"service_id": service["id"]})
        assert added.status_code == 200, added.text
    swapped = merchant.post(f"/v1/tabs/{tab_id}/lines/1/void", {"reason": "A cut and toner"})
    assert swapped.status_code == 200, swapped.text
    served = merchant.post(f"/v1/tabs/{tab_id}/serve")
    assert served.status_code == 200, served.text
    tab = served.json()
    assert (tab["status"], tab["paid"], tab["deposit_applied"]) == ("paid", 0, CUT + TONER)
    return merchant.get(f"/v1/bookings/{booking['id']}").json(), tab


def void_toner(merchant: Merchant, tab: dict[str, Any], **headers: str) -> Any:
    return merchant.post(
        f"/v1/tabs/{tab['id']}/lines/3/void", {"reason": TONER_NOT_DONE}, headers=headers
    )


def test_a_wrong_line_on_a_tab_its_deposit_paid_gives_that_part_of_the_deposit_back(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    booking, tab = paid_by_its_deposit(merchant, clock)
    assert [amount for _, amount, _ in refunds.asked] == [COLOUR - CUT - TONER]
    voided = void_toner(merchant, tab)
    assert voided.status_code == 200, voided.text
    after = voided.json()
    assert (after["status"], after["subtotal"], after["deposit_applied"]) == ("paid", CUT, CUT)
    assert (after["paid"], after["amount_due"]) == (0, 0)
    toner = next(line for line in after["lines"] if line["line_no"] == 3)
    assert toner["voided"] and toner["void_reason"] == TONER_NOT_DONE
    # The toner's part of the deposit, on the deposit's own charge.
    assert [amount for _, amount, _ in refunds.asked] == [COLOUR - CUT - TONER, TONER]
    assert refunds.asked[1][0] == refunds.asked[0][0]
    assert deposit_refunds(runtime, merchant, booking["id"]) == [
        ("succeeded", COLOUR - CUT - TONER),
        ("succeeded", TONER),
    ]
    deposit = merchant.get(f"/v1/bookings/{booking['id']}").json()["deposit"]
    assert (deposit["status"], deposit["refund"]) == ("applied", COLOUR - CUT)
    balances = nonzero(merchant.balances())
    assert "deposits_held" not in balances and "receivables" not in balances
    assert (balances["card_clearing"], balances["revenue"]) == (CUT, -CUT)
    events = merchant.get("/v1/events", params={"type": "tab.line_voided"}).json()["data"]
    assert events[0]["data"]["deposit_given_back"] == TONER
    # Paid once: the void does not settle it again (no second receipt number).
    assert after["receipt_number"] == tab["receipt_number"]
    paid_events = merchant.get("/v1/events", params={"type": "tab.paid"}).json()["data"]
    assert len(paid_events) == 1
    report = merchant.get("/v1/reports/cash-flow").json()["deposits"]
    assert (report["applied"], report["refunded"]) == (CUT, COLOUR - CUT)
    audited(runtime, merchant)


def test_voiding_every_line_gives_the_whole_deposit_back_and_the_tab_stays_paid(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    booking, tab = paid_by_its_deposit(merchant, clock)
    assert void_toner(merchant, tab).status_code == 200
    cut = merchant.post(f"/v1/tabs/{tab['id']}/lines/2/void", {"reason": "Not done either"})
    assert cut.status_code == 200, cut.text
    assert (cut.json()["status"], cut.json()["subtotal"], cut.json()["deposit_applied"]) == (
        "paid",
        0,
        0,
    )
    assert sum(amount for _, amount, _ in refunds.asked) == COLOUR
    deposit = merchant.get(f"/v1/bookings/{booking['id']}").json()["deposit"]
    assert (deposit["status"], deposit["refund"]) == ("refunded", COLOUR)
    assert nonzero(merchant.balances()) == {}
    audited(runtime, merchant)


def test_a_paid_tab_a_payment_paid_part_of_still_asks_for_the_refund_first(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    """The deposit kept 25.00 of the 45.00 colour; 5.00 more was added and
    paid in cash. Voiding the toner would take money a payment took."""
    salon(merchant, **WHOLE_PRICE)
    colour = merchant.service("Colour", price=COLOUR, duration_minutes=90)
    booking = booked(merchant, clock, service_id=colour["id"], card=GOOD, hours=1)
    tab_id = merchant.post(f"/v1/bookings/{booking['id']}/check-in").json()["tab_id"]
    extra = merchant.service("Treatment", price=500, duration_minutes=10)
    assert merchant.post(f"/v1/tabs/{tab_id}/lines", {"service_id": extra["id"]}).status_code == 200
    assert merchant.post(f"/v1/tabs/{tab_id}/serve").status_code == 200
    cash = merchant.post(f"/v1/tabs/{tab_id}/payments", {"method": "cash", "amount": 500})
    assert cash.status_code == 201 and cash.json()["tab"]["status"] == "paid", cash.text
    before = merchant.balances()
    refused = merchant.post(f"/v1/tabs/{tab_id}/lines/2/void", {"reason": "Not done"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "refund_first"
    assert merchant.balances() == before
    assert refunds.asked == []
    assert deposit_refunds(runtime, merchant, booking["id"]) == []


def test_the_console_voids_it_and_the_pages_say_what_of_the_deposit_went_back(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    signed_in: Callable[..., Staff],
) -> None:
    """The sandbox refuses a call made inside a database transaction (tests
    turn that on): the refund is sent once the void is committed."""
    booking, tab = paid_by_its_deposit(merchant, clock)
    manager = signed_in(merchant, "manager")
    page = manager.get(f"/staff/tabs/{tab['id']}").text
    assert f'action="/staff/tabs/{tab["id"]}/lines/3/void"' in page  # offered
    done = manager.post(
        f"/staff/tabs/{tab['id']}/lines/3/void", {"reason": TONER_NOT_DONE}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    assert [amount for _, amount, _ in refunds.asked][-1] == TONER
    page = html.unescape(manager.get(done.headers["location"]).text).replace("\xa0", " ")
    assert "Line voided" in page and "<del>" in page
    assert "€30.00 of the deposit refunded to the card." in page
    row = html.unescape(manager.get("/staff").text).replace("\xa0", " ")
    assert "Deposit €15.00 applied to the tab, €30.00 refunded" in row
    customer = html.unescape(merchant.client.get(f"/t/{tab['token']}").text)
    assert 'data-voided="true"' in customer
    assert f"Taken off your tab: {TONER_NOT_DONE}" in customer
    assert "€30.00 of your deposit went back to your card." in customer.replace("\xa0", " ")
    receipt = html.unescape(merchant.client.get(f"/t/{tab['token']}/receipt").text)
    receipt = receipt.replace("\xa0", " ")
    assert '<th scope="row">Toner</th>' not in receipt  # no part of the sale any more
    assert '<th scope="row">Deposit applied</th><td>−€15.00</td>' in receipt
    assert "€30.00 of your deposit went back to your card." in receipt
    audited(runtime, merchant)


def test_the_console_offers_no_void_on_a_paid_tab_a_payment_paid(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    tab = merchant.served_tab(2500)
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 2500})
    assert paid.status_code == 201, paid.text
    page = signed_in(merchant, "manager").get(f"/staff/tabs/{tab['id']}").text
    assert f'action="/staff/tabs/{tab["id"]}/lines/1/void"' not in page


def test_the_void_reads_in_portuguese_for_a_lisbon_salon(
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    signed_in: Callable[..., Staff],
) -> None:
    _, tab = paid_by_its_deposit(merchant, clock)
    manager = signed_in(merchant, "manager")
    _portuguese(merchant, manager)
    done = manager.post(f"/staff/tabs/{tab['id']}/lines/3/void", {"reason": "Sem tonalizante"})
    assert done.status_code == 200, done.text
    page = html.unescape(done.text).replace("\xa0", " ")
    assert "Devolução do sinal ao cartão: 30,00 €." in page


def test_the_customer_gets_the_receipt_again_saying_what_of_the_deposit_goes_back(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    smtp_server: tuple[str, Mailbox],
) -> None:
    ana = merchant.customer("Ana Costa", email="ana.toner@example.com")
    _, tab = paid_by_its_deposit(merchant, clock, customer_id=ana["id"])
    worker = Worker(
        runtime, transports=Transports(mailer_for(smtp_server[0])), merchants=[merchant.id]
    )
    worker.drain()
    [paid] = _receipts(smtp_server[1])
    first = _text(paid)
    assert "Toner" in first and "€20.00 of your deposit went back to your card." in first

    assert void_toner(merchant, tab).status_code == 200
    worker.drain()
    [_, again] = _receipts(smtp_server[1])
    text = _text(again)
    assert "Toner" not in text  # the voided line is no part of the receipt
    assert "Deposit applied  −€15.00" in text
    assert "€30.00 of your deposit went back to your card." in text
    # A void on an unpaid tab sends nothing of its own: the receipt comes when it is paid.
    swap_events = merchant.get("/v1/events", params={"type": "tab.line_voided"}).json()["data"]
    assert sorted(e["data"]["tab_status"] for e in swap_events) == ["open", "paid"]


def _text(mail: Any) -> str:
    return str(mail.get_body(preferencelist=("plain",)).get_content()).replace("\xa0", " ")


def _receipts(mailbox: Mailbox) -> list[Any]:
    return [m for m in mailbox.to("ana.toner@example.com") if "receipt" in str(m["Subject"])]
