"""A salon swaps the booked service for a cheaper one after check-in: a
45.00 colour booked with a 20.00 deposit taken by card, a 15.00 cut done.
Staff add the cut and void the colour; the deposit comes down to the new bill
and the 5.00 it no longer pays goes back to the card through the processor
that took it, in the phases of ``bookings.deposit_refunds`` (recovery finishes
one left pending). A line a real payment covers still needs its refund first.
A card hold needs none of it: the payment from the hold takes what is due."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from servefirst.messages.transport import Transports, mailer_for
from servefirst.messages.worker import Worker
from servefirst.payments.recovery import recover
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

COLOUR, CUT, DEPOSIT = 4500, 1500, 2000
#: 50% of the colour, capped at the policy's 20.00.
POLICY = {"enabled": True, "percent": "50", "minimum": 200, "maximum": 2000, "preset": "fair"}


def colour_checked_in(
    merchant: Merchant, clock: TestClock, mode: str = "capture", **body: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The customer booked a colour (a 20.00 deposit) and has checked in:
    (booking, tab) with the colour on line 1."""
    salon(merchant, **POLICY, mode=mode)
    colour = merchant.service("Colour", price=COLOUR, duration_minutes=90)
    booking = booked(merchant, clock, service_id=colour["id"], card=GOOD, hours=1, **body)
    assert (booking["deposit"]["mode"], booking["deposit"]["amount"]) == (mode, DEPOSIT)
    checked = merchant.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text
    return checked.json(), merchant.get(f"/v1/tabs/{checked.json()['tab_id']}").json()


def cut_added(merchant: Merchant, tab: dict[str, Any]) -> dict[str, Any]:
    cut = merchant.service("Cut", price=CUT, duration_minutes=30)
    added = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": cut["id"]})
    assert added.status_code == 200, added.text
    return added.json()  # type: ignore[no-any-return]


def void_colour(merchant: Merchant, tab: dict[str, Any], **headers: str) -> Any:
    return merchant.post(
        f"/v1/tabs/{tab['id']}/lines/1/void",
        {"reason": "Did a cut instead of the colour"},
        headers=headers,
    )


def test_a_cheaper_service_done_refunds_the_deposit_s_difference_to_the_card(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    booking, tab = colour_checked_in(merchant, clock)
    assert (tab["deposit_applied"], tab["amount_due"]) == (DEPOSIT, COLOUR - DEPOSIT)
    cut_added(merchant, tab)
    voided = void_colour(merchant, tab)
    assert voided.status_code == 200, voided.text
    after = voided.json()
    assert (after["subtotal"], after["deposit_applied"], after["amount_due"]) == (CUT, CUT, 0)
    colour_line = next(line for line in after["lines"] if line["line_no"] == 1)
    assert colour_line["voided"] and colour_line["void_reason"] == "Did a cut instead of the colour"
    # The processor was asked once, for the difference alone, on the deposit's charge.
    [(reference, amount, key)] = refunds.asked
    assert reference.startswith("sbx_") and amount == DEPOSIT - CUT and key
    assert deposit_refunds(runtime, merchant, booking["id"]) == [("succeeded", 500)]
    deposit = merchant.get(f"/v1/bookings/{booking['id']}").json()["deposit"]
    assert (deposit["status"], deposit["refund"]) == ("applied", 500)
    balances = nonzero(merchant.balances())
    assert "deposits_held" not in balances and "receivables" not in balances
    assert (balances["card_clearing"], balances["revenue"]) == (CUT, -CUT)
    events = merchant.get("/v1/events", params={"type": "tab.line_voided"}).json()["data"]
    assert events[0]["data"]["deposit_given_back"] == 500
    # Nothing is left to pay: serving the cut settles the tab.
    served = merchant.post(f"/v1/tabs/{tab['id']}/serve")
    assert served.json()["status"] == "paid", served.text
    report = merchant.get("/v1/reports/cash-flow").json()["deposits"]
    assert (report["applied"], report["refunded"]) == (CUT, 500)
    audited(runtime, merchant)


def test_a_swap_on_a_served_tab_settles_it(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    _, tab = colour_checked_in(merchant, clock)
    cut_added(merchant, tab)
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    voided = void_colour(merchant, tab)
    assert voided.status_code == 200, voided.text
    assert (voided.json()["status"], voided.json()["amount_due"]) == ("paid", 0)
    assert [amount for _, amount, _ in refunds.asked] == [500]
    audited(runtime, merchant)


def test_cash_already_paid_stays_and_the_deposit_gives_back_the_rest(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    """10.00 paid in cash after check-in: the cut needs only 5.00 of the
    deposit; 15.00 of it goes back, and the cash stays paid."""
    booking, tab = colour_checked_in(merchant, clock)
    cash = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 1000})
    assert cash.status_code == 201, cash.text
    cut_added(merchant, tab)
    voided = void_colour(merchant, tab)
    assert voided.status_code == 200, voided.text
    after = voided.json()
    assert (after["paid"], after["deposit_applied"], after["amount_due"]) == (1000, 500, 0)
    assert [amount for _, amount, _ in refunds.asked] == [1500]
    deposit = merchant.get(f"/v1/bookings/{booking['id']}").json()["deposit"]
    assert deposit["refund"] == 1500
    assert "deposits_held" not in nonzero(merchant.balances())
    audited(runtime, merchant)


def test_a_line_a_real_payment_covers_still_needs_its_refund_first(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    """25.00 paid in cash: with the cut, 15.00 is due and the 20.00 deposit
    could come back, 35.00, less than the colour's 45.00."""
    booking, tab = colour_checked_in(merchant, clock)
    cash = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 2500})
    assert cash.status_code == 201, cash.text
    cut_added(merchant, tab)
    before = merchant.balances()
    refused = void_colour(merchant, tab)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "refund_first"
    assert "refund the payment instead of voiding the line" in error["message"]
    assert "2000 of the deposit" in error["message"]
    assert error.get("details", {}).get("deposit_applied", DEPOSIT) == DEPOSIT
    assert merchant.balances() == before
    assert refunds.asked == [] and deposit_refunds(runtime, merchant, booking["id"]) == []
    after = merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert not any(line["voided"] for line in after["lines"])
    assert after["deposit_applied"] == DEPOSIT


def test_the_console_says_the_refusal_with_the_deposit_in_words(
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    signed_in: Callable[..., Staff],
) -> None:
    _, tab = colour_checked_in(merchant, clock)
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 2500})
    assert paid.status_code == 201, paid.text
    cut_added(merchant, tab)
    manager = signed_in(merchant, "manager")
    refused = manager.post(f"/staff/tabs/{tab['id']}/lines/1/void", {"reason": "A cut instead"})
    assert refused.status_code == 409
    assert (
        "Only €15.00 is still due and €20.00 of the deposit can come back, less than this"
        " line's €45.00: part of it is paid already, so refund the payment instead of voiding"
        " the line."
    ) in html.unescape(refused.text).replace("\xa0", " ")
    _portuguese(merchant, manager)
    em_portugues = manager.post(f"/staff/tabs/{tab['id']}/lines/1/void", {"reason": "Corte"})
    assert em_portugues.status_code == 409
    assert (
        "Só falta pagar 15,00 € e há 20,00 € do sinal por devolver, menos do que"
        " os 45,00 € desta linha"
    ) in html.unescape(em_portugues.text).replace("\xa0", " ")
    assert refunds.asked == []


def test_nothing_done_of_the_booked_service_gives_the_whole_deposit_back(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    signed_in: Callable[..., Staff],
) -> None:
    booking, tab = colour_checked_in(merchant, clock)
    voided = void_colour(merchant, tab)
    assert voided.status_code == 200, voided.text
    assert (voided.json()["subtotal"], voided.json()["deposit_applied"]) == (0, 0)
    assert [amount for _, amount, _ in refunds.asked] == [DEPOSIT]
    deposit = merchant.get(f"/v1/bookings/{booking['id']}").json()["deposit"]
    assert (deposit["status"], deposit["refund"]) == ("refunded", DEPOSIT)
    assert nonzero(merchant.balances()) == {}
    row = signed_in(merchant, "manager").get("/staff").text.replace("\xa0", " ")
    assert "Deposit €20.00 refunded" in row
    audited(runtime, merchant)


def test_a_difference_the_processor_refuses_stays_held_and_the_tab_page_says_so(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    signed_in: Callable[..., Staff],
) -> None:
    booking, tab = colour_checked_in(merchant, clock)
    cut_added(merchant, tab)
    refunds.refuse = True
    voided = void_colour(merchant, tab)
    assert voided.status_code == 200, voided.text
    assert deposit_refunds(runtime, merchant, booking["id"]) == [("failed", 500)]
    # Still the customer's money, still held: staff give it back another way.
    assert nonzero(merchant.balances())["deposits_held"] == -500
    page = signed_in(merchant, "manager").get(f"/staff/tabs/{tab['id']}").text
    assert (
        "The card processor refused to refund €5.00 of the deposit: give it back another way."
        in page.replace("\xa0", " ")
    )
    audited(runtime, merchant)


def test_a_replayed_void_gives_the_first_answer_and_refunds_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    booking, tab = colour_checked_in(merchant, clock)
    cut_added(merchant, tab)
    first = void_colour(merchant, tab, **{"Idempotency-Key": "swap-colour-1"})
    again = void_colour(merchant, tab, **{"Idempotency-Key": "swap-colour-1"})
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert [amount for _, amount, _ in refunds.asked] == [500]
    assert deposit_refunds(runtime, merchant, booking["id"]) == [("succeeded", 500)]
    twice = void_colour(merchant, tab)  # a new request, not a replay
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "line_already_voided"
    assert len(refunds.asked) == 1
    audited(runtime, merchant)


def test_a_difference_the_processor_did_not_answer_is_refunded_by_recovery_once(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    signed_in: Callable[..., Staff],
) -> None:
    booking, tab = colour_checked_in(merchant, clock)
    cut_added(merchant, tab)
    refunds.down = True
    voided = void_colour(merchant, tab)
    # The void is kept; the difference stays held until the processor answers.
    assert voided.status_code == 200, voided.text
    assert voided.json()["deposit_applied"] == CUT
    assert refunds.asked == []
    assert nonzero(merchant.balances())["deposits_held"] == -500
    assert deposit_refunds(runtime, merchant, booking["id"]) == [("pending", 500)]
    manager = signed_in(merchant, "manager")
    page = manager.get(f"/staff/tabs/{tab['id']}").text.replace("\xa0", " ")
    assert "€5.00 of the deposit is being refunded to the card." in page

    refunds.down = False
    clock.advance(minutes=5)
    done = recover(runtime, grace_seconds=60)
    assert len(done.deposit_refunds) == 1
    assert [amount for _, amount, _ in refunds.asked] == [500]
    assert "deposits_held" not in nonzero(merchant.balances())
    assert deposit_refunds(runtime, merchant, booking["id"]) == [("succeeded", 500)]
    again = recover(runtime, grace_seconds=0)
    assert again.deposit_refunds == [] and len(refunds.asked) == 1
    page = manager.get(f"/staff/tabs/{tab['id']}").text.replace("\xa0", " ")
    assert "€5.00 of the deposit refunded to the card." in page
    audited(runtime, merchant)


def test_the_console_s_swap_refunds_outside_its_transaction_and_says_so(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    signed_in: Callable[..., Staff],
) -> None:
    """The sandbox refuses a call made inside a database transaction (tests
    turn that on), so a refund asked inside the console's would fail here."""
    booking, tab = colour_checked_in(merchant, clock)
    cut_added(merchant, tab)
    manager = signed_in(merchant, "manager")
    done = manager.post(
        f"/staff/tabs/{tab['id']}/lines/1/void",
        {"reason": "Did a cut instead of the colour"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert [amount for _, amount, _ in refunds.asked] == [500]
    assert deposit_refunds(runtime, merchant, booking["id"]) == [("succeeded", 500)]
    page = manager.get(done.headers["location"]).text.replace("\xa0", " ")
    assert "Line voided" in page and "<del>" in page
    assert "−€15.00" in page  # the deposit the cut uses
    assert "€5.00 of the deposit refunded to the card." in page
    row = manager.get("/staff").text.replace("\xa0", " ")
    assert "Deposit €15.00 applied to the tab, €5.00 refunded" in row
    customer = merchant.client.get(f"/t/{tab['token']}").text
    assert 'data-voided="true"' in customer
    assert "Taken off your tab: Did a cut instead of the colour" in customer
    audited(runtime, merchant)


def test_a_card_hold_follows_the_bill_down_and_the_swap_needs_no_refund(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    """A hold is not money: the swap only makes the bill smaller, and the
    payment from the hold captures the cut alone."""
    _, tab = colour_checked_in(merchant, clock, mode="hold")
    assert tab["deposit_applied"] == 0 and tab["hold"]["covers_due"]
    cut_added(merchant, tab)
    voided = void_colour(merchant, tab)
    assert voided.status_code == 200, voided.text
    assert (voided.json()["amount_due"], voided.json()["hold"]["covers_due"]) == (CUT, True)
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "card_hold", "tip": 0})
    assert paid.status_code == 201, paid.text
    assert paid.json()["amount"] == CUT
    assert paid.json()["tab"]["hold"]["status"] == "captured"
    assert refunds.asked == []
    balances = nonzero(merchant.balances())
    assert (balances["card_clearing"], balances["revenue"]) == (CUT, -CUT)
    audited(runtime, merchant)


def test_the_receipt_tells_the_customer_the_deposit_s_difference_goes_back_to_the_card(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    smtp_server: tuple[str, Mailbox],
) -> None:
    ana = merchant.customer("Ana Costa", email="ana.swap@example.com")
    _, tab = colour_checked_in(merchant, clock, customer_id=ana["id"])
    cut_added(merchant, tab)
    assert void_colour(merchant, tab).status_code == 200
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").json()["status"] == "paid"
    Worker(
        runtime, transports=Transports(mailer_for(smtp_server[0])), merchants=[merchant.id]
    ).drain()
    [mail] = smtp_server[1].to("ana.swap@example.com")
    text = str(mail.get_body(preferencelist=("plain",)).get_content()).replace("\xa0", " ")
    assert "Colour" not in text  # the voided line is no part of the receipt
    assert "Deposit applied  −€15.00" in text
    assert "€5.00 of your deposit went back to your card." in text
