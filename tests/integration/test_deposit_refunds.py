"""A deposit taken by card (captured, not held) goes back to that card when
the booking ends without keeping all of it: the processor that took it is
asked to refund it, outside any transaction, under a key kept first, so a
crash between is finished by ``payments recover`` without a second refund."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from servefirst.kit.errors import ServefirstError
from servefirst.kit.money import Money
from servefirst.payments.gateways import RefundResult, SandboxGateway
from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import GOOD, booked, nonzero, salon


class Unreachable(ServefirstError):
    status = 502
    code = "processor_unavailable"


@dataclass
class RefundsAsked:
    """The sandbox's refunds, as asked of it (reference, amount, key)."""

    sandbox: SandboxGateway
    asked: list[tuple[str, int, str]] = field(default_factory=list)
    down: bool = False
    refuse: bool = False

    def refund(
        self, charge_reference: str, amount: Money, *, idempotency_key: str, reason: str
    ) -> RefundResult:
        if self.down:
            raise Unreachable("The processor did not answer.")
        self.asked.append((charge_reference, amount.amount, idempotency_key))
        if self.refuse:
            return RefundResult(reference="", status="failed", failure_code="charge_disputed")
        return SandboxGateway.refund(
            self.sandbox, charge_reference, amount, idempotency_key=idempotency_key, reason=reason
        )


@pytest.fixture
def refunds(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[RefundsAsked]:
    spy = RefundsAsked(runtime.gateways.sandbox)
    monkeypatch.setattr(runtime.gateways.sandbox, "refund", spy.refund)
    yield spy


def captured(merchant: Merchant, clock: TestClock, **when: Any) -> dict[str, Any]:
    salon(merchant)  # fair: 15% of 40.00 = 6.00, taken by card at booking
    booking = booked(merchant, clock, card=GOOD, **when)
    assert (booking["deposit"]["mode"], booking["deposit"]["status"]) == ("capture", "held")
    return booking


def test_a_timely_cancellation_refunds_the_captured_deposit_at_the_processor(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    booking = captured(merchant, clock, days=3)
    cancelled = merchant.post(f"/v1/bookings/{booking['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["deposit"]["refund"] == 600
    [(reference, amount, key)] = refunds.asked
    assert reference.startswith("sbx_") and amount == 600 and key
    assert nonzero(merchant.balances()) == {}


def test_a_late_cancellation_refunds_only_the_rest_and_the_business_s_all_of_it(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    late = captured(merchant, clock, hours=5)
    assert merchant.post(f"/v1/bookings/{late['id']}/cancel").status_code == 200
    ours = booked(merchant, clock, card=GOOD, hours=6)
    done = merchant.post(f"/v1/bookings/{ours['id']}/cancel", {"by": "business"})
    assert done.json()["deposit"]["refund"] == 600
    assert [amount for _, amount, _ in refunds.asked] == [200, 600]
    assert nonzero(merchant.balances()) == {"card_clearing": 400, "no_show_fees": -400}


def test_a_refund_the_processor_did_not_answer_is_finished_by_recovery_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    booking = captured(merchant, clock, days=3)
    refunds.down = True
    cancelled = merchant.post(f"/v1/bookings/{booking['id']}/cancel")
    # The cancellation is kept; the money is still ours until the processor answers.
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert nonzero(merchant.balances()) == {"card_clearing": 600, "deposits_held": -600}
    assert refunds.asked == []

    refunds.down = False
    clock.advance(minutes=5)
    done = recover(runtime, grace_seconds=60)
    assert len(done.deposit_refunds) == 1
    [(_, amount, key)] = refunds.asked
    assert amount == 600
    assert nonzero(merchant.balances()) == {}
    again = recover(runtime, grace_seconds=0)
    assert again.deposit_refunds == [] and len(refunds.asked) == 1


def test_a_no_show_past_the_charge_window_refunds_the_captured_deposit(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    booking = captured(merchant, clock, days=1)
    clock.advance(days=16)  # past the 14 days a no-show fee may be charged
    missed = merchant.post(f"/v1/bookings/{booking['id']}/no-show")
    assert missed.json()["deposit"]["refund"] == 600, missed.text
    assert [amount for _, amount, _ in refunds.asked] == [600]
    assert nonzero(merchant.balances()) == {}


def test_the_console_s_cancellation_refunds_outside_its_transaction(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    """``bookings.cancel`` (the console, the demo): the sandbox refuses any
    call made inside a transaction, so a refund asked inside one fails here."""
    from servefirst.bookings import service as bookings
    from servefirst.bookings.rules import CancelledBy

    booking = captured(merchant, clock, days=3)
    with runtime.uow(merchant.id) as uow:
        bookings.cancel(uow, booking["id"], by=CancelledBy.BUSINESS)
        uow.commit()
    assert [amount for _, amount, _ in refunds.asked] == [600]
    assert nonzero(merchant.balances()) == {}


def test_a_refund_the_processor_refuses_leaves_the_money_held_and_says_so(
    merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    booking = captured(merchant, clock, days=3)
    refunds.refuse = True
    cancelled = merchant.post(f"/v1/bookings/{booking['id']}/cancel", {"by": "business"})
    assert cancelled.status_code == 200, cancelled.text
    assert "refused to refund the deposit (charge_disputed)" in cancelled.json()["outcome_reason"]
    # Still the customer's money, still held: staff give it back another way.
    assert nonzero(merchant.balances()) == {"card_clearing": 600, "deposits_held": -600}
    events = merchant.get("/v1/events").json()["data"]
    [failed] = [e for e in events if e["type"] == "booking.deposit_refund_failed"]
    assert failed["data"]["amount"] == 600 and failed["data"]["code"] == "charge_disputed"


def test_a_deposit_taken_before_its_reference_was_kept_is_found_by_the_booking_s_id(
    runtime: Runtime, merchant: Merchant, clock: TestClock, refunds: RefundsAsked
) -> None:
    from servefirst.bookings.models import Booking

    booking = captured(merchant, clock, days=3)
    with runtime.uow(merchant.id) as uow:
        row = uow.session.get(Booking, (merchant.id, booking["id"]))
        assert row is not None and row.deposit_reference is not None
        kept, row.deposit_reference = row.deposit_reference, None
        uow.commit()
    assert merchant.post(f"/v1/bookings/{booking['id']}/cancel").status_code == 200
    assert [(ref, amount) for ref, amount, _ in refunds.asked] == [(kept, 600)]
    assert nonzero(merchant.balances()) == {}
