"""A booking's money follows the payment's phases (DESIGN.md): the deposit, a
fee taken from a card hold (a no-show, a late move) and a hold's renewal are
each kept before the processor is asked, the processor is asked with no
transaction open (the sandbox's check is on in the tests: a call inside one
fails), and the outcome is committed after. A crash between leaves a step
that ``payments recover`` finishes by asking the processor what it did, never
by charging or holding twice."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text

from servefirst.bookings import deposit_phases, hold_fees, rescheduling
from servefirst.bookings import service as bookings
from servefirst.bookings.models import CardHold
from servefirst.kit.money import Money
from servefirst.payments.gateways import ProcessorCalledInTransaction
from servefirst.payments.models import SandboxCharge
from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import GOOD, at, cut, member, nonzero, salon
from tests.integration.test_bookings_holds import hold_policy


def events(merchant: Merchant, type_: str) -> list[dict[str, Any]]:
    return list(merchant.get("/v1/events", params={"type": type_}).json()["data"])


def charges_under(runtime: Runtime, key: str) -> int:
    with runtime.uow(write=False) as uow:
        query = select(func.count()).where(SandboxCharge.idempotency_key == key)
        return int(uow.session.scalar(query) or 0)


def begin_booking(
    runtime: Runtime, merchant: Merchant, clock: TestClock, **when: float
) -> deposit_phases.DepositAsked:
    """Phase 1 only, committed: what a server killed while the processor answered leaves."""
    customer, service = merchant.customer(), cut(merchant)
    with runtime.uow(merchant.id) as uow:
        _, asked = bookings.begin_booking(
            uow,
            customer_id=customer["id"],
            service_id=service["id"],
            starts_at=datetime.fromisoformat(at(clock, **(when or {"days": 2}))),
            card=GOOD,
        )
        uow.commit()
    assert asked is not None
    return asked


def holds_of(runtime: Runtime, merchant: Merchant, booking_id: str) -> list[CardHold]:
    with runtime.uow(merchant.id, write=False) as uow:
        query = select(CardHold).where(
            CardHold.merchant_id == merchant.id, CardHold.booking_id == booking_id
        )
        return list(uow.session.scalars(query.order_by(CardHold.created_at)))


# --- the check itself -----------------------------------------------------------------------


def test_the_sandbox_refuses_to_be_called_inside_a_transaction(runtime: Runtime) -> None:
    sandbox = runtime.gateways.sandbox
    with runtime.uow() as uow:
        uow.session.execute(text("SELECT 1"))  # a transaction is open now
        with pytest.raises(ProcessorCalledInTransaction):
            sandbox.charge(Money(100, "EUR"), card=GOOD, idempotency_key="inside_1")
        uow.commit()
        charged = sandbox.charge(Money(100, "EUR"), card=GOOD, idempotency_key="outside_1")
    assert charged.card_last4 == "4242"


def test_the_check_answers_for_the_calling_thread_and_follows_a_commit_made_elsewhere(
    runtime: Runtime,
) -> None:
    """Other requests' transactions, open in other threads, are no fault of
    this call; a request's phases may end a transaction in another worker thread."""
    check = runtime.gateways.sandbox.transaction_open
    assert check is not None
    with runtime.uow() as uow:
        uow.session.execute(text("SELECT 1"))
        elsewhere: list[bool] = []
        looker = threading.Thread(target=lambda: elsewhere.append(check()))
        looker.start()
        looker.join()
        assert (elsewhere, check()) == ([False], True)
        committer = threading.Thread(target=uow.commit)
        committer.start()
        committer.join()
        assert check() is False


def test_a_deposit_asked_before_its_booking_is_committed_fails_the_check(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    """What ``book`` did before phases: charge inside the booking's transaction."""
    salon(merchant)
    customer, service = merchant.customer(), cut(merchant)
    with runtime.uow(merchant.id) as uow:
        _, asked = bookings.begin_booking(
            uow,
            customer_id=customer["id"],
            service_id=service["id"],
            starts_at=datetime.fromisoformat(at(clock, days=2)),
            card=GOOD,
        )
        assert asked is not None
        with pytest.raises(ProcessorCalledInTransaction):
            deposit_phases.call_processor(asked)
        uow.rollback()
    assert merchant.get("/v1/bookings").json()["data"] == []


# --- a deposit ------------------------------------------------------------------------------


def test_a_deposit_kept_pending_holds_the_time_and_the_booking_waits(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    salon(merchant)
    asked = begin_booking(runtime, merchant, clock)
    booking = merchant.get(f"/v1/bookings/{asked.booking_id}").json()
    assert booking["deposit"]["status"] == "pending"
    for action in ("cancel", "no-show", "check-in"):
        refused = merchant.post(f"/v1/bookings/{asked.booking_id}/{action}")
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "payment_in_progress"
    assert events(merchant, "booking.created") == []
    assert nonzero(merchant.balances()) == {}


def test_recovery_takes_back_a_booking_whose_deposit_was_never_charged(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    salon(merchant)
    asked = begin_booking(runtime, merchant, clock)
    assert recover(runtime).deposits == []  # within the grace: its request may answer yet
    assert asked.booking_id in recover(runtime, grace_seconds=0).deposits
    assert merchant.get(f"/v1/bookings/{asked.booking_id}").status_code == 404
    assert charges_under(runtime, asked.key) == 0
    assert nonzero(merchant.balances()) == {}
    assert asked.booking_id not in recover(runtime, grace_seconds=0).deposits


def test_recovery_books_a_deposit_the_processor_charged_before_a_crash_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    salon(merchant)
    asked = begin_booking(runtime, merchant, clock)
    deposit_phases.call_processor(asked)  # phase 2 ran; the server died before phase 3

    assert asked.booking_id in recover(runtime, grace_seconds=0).deposits
    assert asked.booking_id not in recover(runtime, grace_seconds=0).deposits
    booking = merchant.get(f"/v1/bookings/{asked.booking_id}").json()
    assert (booking["deposit"]["status"], booking["deposit"]["amount"]) == ("held", 600)
    assert charges_under(runtime, asked.key) == 1
    assert nonzero(merchant.balances()) == {"card_clearing": 600, "deposits_held": -600}
    assert [e["object_id"] for e in events(merchant, "booking.created")] == [asked.booking_id]


def test_recovery_keeps_a_hold_the_processor_made_before_a_crash(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    asked = begin_booking(runtime, merchant, clock)
    held = deposit_phases.call_processor(asked)

    assert asked.booking_id in recover(runtime, grace_seconds=0).deposits
    deposit = merchant.get(f"/v1/bookings/{asked.booking_id}").json()["deposit"]
    assert (deposit["status"], deposit["hold"]["status"]) == ("held", "active")
    (hold,) = holds_of(runtime, merchant, asked.booking_id)
    assert hold.reference == held.reference  # type: ignore[union-attr]
    assert nonzero(merchant.balances()) == {}


def test_a_declined_deposit_takes_the_booking_back_and_frees_the_time(
    merchant: Merchant, clock: TestClock
) -> None:
    salon(merchant)
    service = cut(merchant)
    starts = at(clock, days=2)
    body = {"service_id": service["id"], "starts_at": starts, "staff_id": member(merchant)}
    declined = merchant.post(
        "/v1/bookings",
        {**body, "customer_id": merchant.customer()["id"], "card": "4000000000000002"},
    )
    assert declined.status_code == 402
    again = merchant.post("/v1/bookings", {**body, "customer_id": merchant.customer()["id"]})
    assert again.status_code == 402  # the time is free: only the deposit is asked
    assert again.json()["error"]["code"] == "deposit_required"


# --- a fee from the hold --------------------------------------------------------------------


def test_recovery_takes_a_no_show_fee_asked_before_a_crash_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant, fixed=1500)  # fair: a no-show costs 30% = 1200 of the 1500 held
    booking = merchant.post(
        "/v1/bookings",
        {
            "customer_id": merchant.customer()["id"],
            "service_id": cut(merchant)["id"],
            "starts_at": at(clock, hours=2),
            "card": GOOD,
        },
    ).json()
    clock.advance(hours=3)
    with runtime.uow(merchant.id) as uow:
        bookings.begin_no_show(uow, booking["id"])
        uow.commit()
        asked = hold_fees.fee_asked(uow, booking["id"])
    assert asked is not None and asked.fee.amount == 1200
    hold_fees.call_processor(asked)  # the capture made; the outcome never kept

    assert asked.hold_id in recover(runtime, grace_seconds=0).fees
    assert asked.hold_id not in recover(runtime, grace_seconds=0).fees
    body = merchant.get(f"/v1/bookings/{booking['id']}").json()
    assert (body["status"], body["deposit"]["status"]) == ("no_show", "forfeited")
    assert (body["deposit"]["fee"], body["deposit"]["refund"]) == (1200, 300)
    assert body["deposit"]["hold"]["status"] == "captured"
    assert charges_under(runtime, asked.key) == 1  # asked for, not captured again
    assert nonzero(merchant.balances()) == {"card_clearing": 1200, "no_show_fees": -1200}
    assert [e["data"]["fee"] for e in events(merchant, "booking.no_show")] == [1200]


def test_recovery_finishes_a_late_move_whose_fee_was_never_asked(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    booking = merchant.post(
        "/v1/bookings",
        {
            "customer_id": merchant.customer()["id"],
            "service_id": cut(merchant)["id"],
            "starts_at": at(clock, hours=5),
            "card": GOOD,
        },
    ).json()
    with runtime.uow(merchant.id) as uow:
        rescheduling.begin_reschedule(
            uow, booking["id"], starts_at=datetime.fromisoformat(at(clock, days=1))
        )
        uow.commit()
    moved = merchant.get(f"/v1/bookings/{booking['id']}").json()
    assert moved["starts_at"] != booking["starts_at"]  # the move is kept; its fee waits
    assert nonzero(merchant.balances()) == {}

    assert len(recover(runtime, grace_seconds=0).fees) == 1
    deposit = merchant.get(f"/v1/bookings/{booking['id']}").json()["deposit"]
    assert (deposit["status"], deposit["amount"]) == ("held", 200)
    assert (deposit["hold"]["amount"], deposit["hold"]["status"]) == (200, "active")
    assert nonzero(merchant.balances()) == {"card_clearing": 400, "no_show_fees": -400}


# --- a renewal ------------------------------------------------------------------------------


def test_recovery_finishes_a_renewal_a_crash_left_unanswered(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    booking = merchant.post(
        "/v1/bookings",
        {
            "customer_id": merchant.customer()["id"],
            "service_id": cut(merchant)["id"],
            "starts_at": at(clock, days=10),
            "card": GOOD,
        },
    ).json()
    clock.advance(days=6, hours=12)
    with runtime.uow(merchant.id) as uow:
        bookings.ask_renewals(uow)
        uow.commit()
    (first,) = holds_of(runtime, merchant, booking["id"])
    assert first.raise_key is not None and first.status == "active"

    assert first.hold_id in recover(runtime, grace_seconds=0).raises
    statuses = [h.status for h in holds_of(runtime, merchant, booking["id"])]
    assert statuses == ["replaced", "active"]
    assert merchant.post("/v1/holds/renew").json()["changed"] == []  # now it outlives the slot
