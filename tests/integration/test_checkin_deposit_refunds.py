"""A deposit taken by card that is more than the bill when the customer
checks in (the service's price lowered after booking, a cheaper service
done): the extra goes back to that card through the processor that took it,
in the phases of ``bookings.deposit_refunds``, as a cancellation's refund does.
Through the API and the console alike; recovery finishes one left pending."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from servefirst.bookings.models import DepositRefund
from servefirst.ledger import service as ledger
from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration import test_deposit_refunds as deposits
from tests.integration import test_pages_staff_bookings as console
from tests.integration.test_bookings_api import nonzero
from tests.integration.test_deposit_refunds import RefundsAsked, captured
from tests.integration.test_pages_staff import Staff

refunds = deposits.refunds
counter = console.counter

#: The cut's price once lowered: the 6.00 deposit taken at booking is 2.00 above the bill.
CHEAPER = 400


def cheaper(merchant: Merchant, booking: dict[str, Any]) -> None:
    """The business lowers the booked service's price before the customer comes."""
    changed = merchant.post(f"/v1/services/{booking['service_id']}", {"price": CHEAPER})
    assert changed.status_code == 200, changed.text


def deposit_refunds(runtime: Runtime, merchant: Merchant, booking_id: str) -> list[tuple[str, int]]:
    """The booking's deposit refunds as kept: (status, amount)."""
    with runtime.uow(merchant.id, write=False) as uow:
        rows = uow.session.scalars(
            select(DepositRefund).where(
                DepositRefund.merchant_id == merchant.id, DepositRefund.booking_id == booking_id
            )
        )
        return [(row.status, row.amount) for row in rows]


def audited(runtime: Runtime, merchant: Merchant) -> None:
    with runtime.uow(merchant.id, write=False) as uow:
        assert ledger.audit(uow).ok


def test_a_deposit_above_the_bill_goes_back_to_the_card_at_check_in(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    booking = captured(merchant, clock, days=0.01)
    cheaper(merchant, booking)
    checked = merchant.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text
    assert (checked.json()["deposit"]["status"], checked.json()["deposit"]["refund"]) == (
        "applied",
        200,
    )
    tab = merchant.get(f"/v1/tabs/{checked.json()['tab_id']}").json()
    assert (tab["subtotal"], tab["deposit_applied"], tab["amount_due"]) == (CHEAPER, CHEAPER, 0)
    # The processor was asked once, for the extra alone, on the deposit's charge.
    [(reference, amount, key)] = refunds.asked
    assert reference.startswith("sbx_") and amount == 200 and key
    assert deposit_refunds(runtime, merchant, booking["id"]) == [("succeeded", 200)]
    balances = nonzero(merchant.balances())
    assert "deposits_held" not in balances and balances["card_clearing"] == 400
    audited(runtime, merchant)


def test_a_deposit_the_bill_uses_up_asks_no_refund(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    booking = captured(merchant, clock, days=0.01)
    checked = merchant.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text
    assert checked.json()["deposit"]["refund"] == 0
    assert refunds.asked == []
    assert deposit_refunds(runtime, merchant, booking["id"]) == []
    assert "deposits_held" not in nonzero(merchant.balances())
    audited(runtime, merchant)


def test_an_extra_the_processor_did_not_answer_is_refunded_by_recovery_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    booking = captured(merchant, clock, days=0.01)
    cheaper(merchant, booking)
    refunds.down = True
    checked = merchant.post(f"/v1/bookings/{booking['id']}/check-in")
    # The check-in is kept; the extra is still held until the processor answers.
    assert checked.status_code == 200, checked.text
    assert checked.json()["status"] == "checked_in"
    assert refunds.asked == []
    assert nonzero(merchant.balances())["deposits_held"] == -200
    assert deposit_refunds(runtime, merchant, booking["id"]) == [("pending", 200)]

    refunds.down = False
    clock.advance(minutes=5)
    done = recover(runtime, grace_seconds=60)
    assert len(done.deposit_refunds) == 1
    [(_, amount, _)] = refunds.asked
    assert amount == 200
    assert "deposits_held" not in nonzero(merchant.balances())
    assert deposit_refunds(runtime, merchant, booking["id"]) == [("succeeded", 200)]
    again = recover(runtime, grace_seconds=0)
    assert again.deposit_refunds == [] and len(refunds.asked) == 1
    audited(runtime, merchant)


def test_an_extra_the_processor_refuses_stays_held_and_says_so(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    booking = captured(merchant, clock, days=0.01)
    cheaper(merchant, booking)
    refunds.refuse = True
    checked = merchant.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text
    assert "refused to refund the deposit (charge_disputed)" in checked.json()["outcome_reason"]
    # Still the customer's money, still held: staff give it back another way.
    assert nonzero(merchant.balances())["deposits_held"] == -200
    assert deposit_refunds(runtime, merchant, booking["id"]) == [("failed", 200)]
    events = merchant.get("/v1/events").json()["data"]
    [failed] = [e for e in events if e["type"] == "booking.deposit_refund_failed"]
    assert failed["data"]["amount"] == 200 and failed["data"]["code"] == "charge_disputed"
    audited(runtime, merchant)


def test_the_console_s_check_in_refunds_the_extra_outside_its_transaction(
    runtime: Runtime,
    merchant: Merchant,
    clock: TestClock,
    refunds: RefundsAsked,
    counter: Callable[[Merchant], Staff],
) -> None:
    """The sandbox refuses a call made inside a database transaction (tests
    turn that on), so a refund asked inside the console's would fail here."""
    booking = captured(merchant, clock, days=0.01)
    cheaper(merchant, booking)
    person = counter(merchant)
    done = person.post(f"/staff/bookings/{booking['id']}/check-in", follow_redirects=False)
    assert done.status_code == 303, done.text
    assert "?done=checked_in" in done.headers["location"]
    assert [amount for _, amount, _ in refunds.asked] == [200]
    assert deposit_refunds(runtime, merchant, booking["id"]) == [("succeeded", 200)]
    assert "deposits_held" not in nonzero(merchant.balances())
    audited(runtime, merchant)
    # The booking's row says what the tab used and what went back.
    row = person.get("/staff").text.replace("\xa0", " ")
    assert "Deposit €4.00 applied to the tab, €2.00 refunded" in row
