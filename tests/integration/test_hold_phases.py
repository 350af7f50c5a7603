"""A card hold's capture and release follow the payment's phases (DESIGN.md):
the step is committed before the processor is asked, the processor is asked
with no transaction open, the outcome is committed after; a crash between
leaves a step that ``payments recover`` finishes by asking the processor,
never by capturing twice."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from servefirst.app import create_app
from servefirst.bookings.holds import with_headroom
from servefirst.bookings.models import CardHold, HoldRelease
from servefirst.kit.money import Money
from servefirst.merchants.service import create_merchant
from servefirst.payments.gateways import (
    Authorization,
    Charge,
    Gateways,
    ManualGateway,
    SandboxGateway,
)
from servefirst.payments.phases import CardAttempt, call_processor
from servefirst.payments.recovery import recover
from servefirst.payments.service import begin_payment
from servefirst.runtime import Runtime
from servefirst.tabs.service import add_line
from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import PRICE, nonzero
from tests.integration.test_bookings_holds import CANCELLED_LATER, checked_in_tab, hold_policy


def served_tab_on_a_hold(merchant: Merchant, clock: TestClock) -> str:
    hold_policy(merchant)
    tab = checked_in_tab(merchant, clock)
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    return str(tab["id"])


def begin_capture(runtime: Runtime, merchant: Merchant, tab_id: str) -> CardAttempt:
    """Phase 1 only: what a server killed during the processor's call leaves."""
    with runtime.uow(merchant.id) as uow:
        attempt = begin_payment(uow, tab_id, method="card_hold", amount=None, tip=0)
    assert isinstance(attempt, CardAttempt)
    return attempt


def holds_of(runtime: Runtime, merchant: Merchant, tab_id: str) -> list[CardHold]:
    with runtime.uow(merchant.id, write=False) as uow:
        query = select(CardHold).where(
            CardHold.merchant_id == merchant.id, CardHold.tab_id == tab_id
        )
        return list(uow.session.scalars(query.order_by(CardHold.created_at)))


def releases_of(runtime: Runtime, merchant: Merchant, hold_id: str) -> list[HoldRelease]:
    with runtime.uow(merchant.id, write=False) as uow:
        query = select(HoldRelease).where(
            HoldRelease.merchant_id == merchant.id, HoldRelease.hold_id == hold_id
        )
        return list(uow.session.scalars(query))


def test_a_capture_from_the_hold_is_kept_pending_and_a_second_payer_waits(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    tab_id = served_tab_on_a_hold(merchant, clock)
    begin_capture(runtime, merchant, tab_id)

    attempts = merchant.get(f"/v1/tabs/{tab_id}/payments?status=all").json()["data"]
    assert [(a["method"], a["status"], a["amount"]) for a in attempts] == [
        ("card_hold", "pending", PRICE)
    ]
    cash = merchant.post(f"/v1/tabs/{tab_id}/payments", {"method": "cash"})
    assert cash.status_code == 409, cash.text
    assert cash.json()["error"]["code"] == "payment_in_progress"
    assert holds_of(runtime, merchant, tab_id)[-1].status == "active"
    assert merchant.balances()["card_clearing"] == 0


def test_recovery_books_a_capture_the_processor_made_before_a_crash_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    tab_id = served_tab_on_a_hold(merchant, clock)
    attempt = begin_capture(runtime, merchant, tab_id)
    # Phase 2 ran (the hold was captured); the server died before phase 3.
    captured = call_processor(runtime.gateways, attempt)
    assert isinstance(captured, Charge)

    recovered = recover(runtime, grace_seconds=0)
    assert attempt.payment_id in recovered.succeeded
    again = recover(runtime, grace_seconds=0)
    assert attempt.payment_id not in again.succeeded + again.failed

    tab = merchant.get(f"/v1/tabs/{tab_id}").json()
    assert (tab["status"], tab["hold"]["status"]) == ("paid", "captured")
    paid = merchant.get(f"/v1/tabs/{tab_id}/payments").json()["data"]
    assert [(p["id"], p["method"], p["amount"]) for p in paid] == [
        (attempt.payment_id, "card_hold", PRICE)
    ]
    # One capture at the processor, under the attempt's key, booked once.
    assert runtime.gateways.sandbox.find_charge(attempt.processor_key) == captured
    assert nonzero(merchant.balances()) == {"card_clearing": PRICE, "revenue": -PRICE}


def test_recovery_fails_a_capture_never_made_and_the_hold_still_pays_the_tab(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    tab_id = served_tab_on_a_hold(merchant, clock)
    attempt = begin_capture(runtime, merchant, tab_id)

    assert attempt.payment_id in recover(runtime, grace_seconds=0).failed
    assert runtime.gateways.sandbox.find_charge(attempt.processor_key) is None
    assert holds_of(runtime, merchant, tab_id)[-1].status == "active"
    paid = merchant.post(f"/v1/tabs/{tab_id}/payments", {"method": "card_hold", "tip": 0})
    assert paid.status_code == 201, paid.text
    assert paid.json()["tab"]["hold"]["status"] == "captured"
    assert nonzero(merchant.balances()) == {"card_clearing": PRICE, "revenue": -PRICE}


class ProcessorThatLooksBack(SandboxGateway):
    """While it captures, another connection looks at the database: it must
    see the attempt committed and find the tab's row free to lock. It keeps
    the holds it was asked to release."""

    def __init__(self, runtime: Runtime, merchant_id: str) -> None:
        super().__init__()
        self.runtime, self.merchant_id = runtime, merchant_id
        self.seen: list[tuple[str, str | None]] = []
        self.released: list[str] = []

    def capture(
        self, hold: Authorization, amount: Money, *, idempotency_key: str, now: datetime
    ) -> Charge:
        with self.runtime.uow(self.merchant_id) as uow:
            (tab,) = uow.tabs.newest(limit=1)
            (attempt,) = uow.tabs.payments(tab.tab_id)
            locked = uow.tabs.lock(attempt.tab_id)  # waits if a transaction still held it
            self.seen.append((attempt.status, locked.pending_payment_id))
            uow.commit()
        return super().capture(hold, amount, idempotency_key=idempotency_key, now=now)

    def authorize(
        self,
        amount: Money,
        *,
        card: str | None = None,
        payment_method: str | None = None,
        idempotency_key: str,
        now: datetime,
        customer: str | None = None,
    ) -> Authorization:
        if idempotency_key.startswith(
            "raise_"
        ):  # a raise (the booking's own hold is not looked at)
            with self.runtime.uow(self.merchant_id) as uow:
                hold = uow.session.scalars(
                    select(CardHold).where(CardHold.raise_key == idempotency_key)
                ).one()
                locked = uow.tabs.lock(hold.tab_id or "")  # waits if a transaction held it
                self.seen.append((f"raise {hold.raise_to}", str(locked.line_count)))
                uow.commit()
        return super().authorize(
            amount,
            card=card,
            payment_method=payment_method,
            idempotency_key=idempotency_key,
            now=now,
        )

    def release(self, hold: Authorization) -> None:
        self.released.append(hold.reference)


@pytest.fixture
def looking_back(
    runtime: Runtime,
) -> Iterator[tuple[Merchant, ProcessorThatLooksBack, Runtime]]:
    with runtime.uow() as uow:
        created = create_merchant(uow, name="Salão Lento", currency="EUR")
        uow.commit()
    merchant_id = created.merchant.merchant_id
    processor = ProcessorThatLooksBack(runtime, merchant_id)
    watched = dataclasses.replace(
        runtime, gateways=Gateways(manual=ManualGateway(), sandbox=processor)
    )
    with TestClient(create_app(watched), raise_server_exceptions=False) as client:
        yield Merchant(merchant_id, created.api_key, client), processor, watched


def test_the_hold_is_captured_with_the_attempt_committed_and_no_lock_held(
    looking_back: tuple[Merchant, ProcessorThatLooksBack, Runtime], clock: TestClock
) -> None:
    merchant, processor, _ = looking_back
    tab_id = served_tab_on_a_hold(merchant, clock)
    paid = merchant.post(f"/v1/tabs/{tab_id}/payments", {"method": "card_hold", "tip": 100})
    assert paid.status_code == 201, paid.text
    assert processor.seen[-1] == ("pending", paid.json()["id"])
    assert paid.json()["tab"]["hold"]["status"] == "captured"


def test_a_hold_let_go_is_released_at_the_processor_after_the_commit_and_once(
    looking_back: tuple[Merchant, ProcessorThatLooksBack, Runtime], clock: TestClock
) -> None:
    merchant, processor, watched = looking_back
    tab_id = served_tab_on_a_hold(merchant, clock)
    paid = merchant.post(f"/v1/tabs/{tab_id}/payments", {"method": "cash"})
    assert paid.json()["tab"]["hold"]["status"] == "released"
    hold = holds_of(watched, merchant, tab_id)[-1]  # the one raised as the line was added
    # The request only kept the release; the processor is told outside it.
    assert hold.reference not in processor.released
    (release,) = releases_of(watched, merchant, hold.hold_id)
    assert release.status == "pending"

    assert release.release_id in recover(watched).releases
    assert processor.released.count(hold.reference) == 1
    assert release.release_id not in recover(watched).releases
    assert processor.released.count(hold.reference) == 1
    (sent,) = releases_of(watched, merchant, hold.hold_id)
    assert (sent.status, sent.sent_at is not None) == ("sent", True)


def test_a_raise_is_asked_with_the_line_committed_and_no_lock_held(
    looking_back: tuple[Merchant, ProcessorThatLooksBack, Runtime], clock: TestClock
) -> None:
    merchant, processor, _ = looking_back
    hold_policy(merchant)
    tab_id = checked_in_tab(merchant, clock)["id"]  # check-in raised the hold once
    assert processor.seen == [(f"raise {with_headroom(PRICE)}", "1")]
    service = merchant.service("Colour", price=3000)
    grown = merchant.post(f"/v1/tabs/{tab_id}/lines", {"service_id": service["id"]})
    assert grown.status_code == 200, grown.text
    due = PRICE + 3000
    assert processor.seen[-1] == (f"raise {with_headroom(due)}", "2")
    assert (grown.json()["hold"]["amount"], grown.json()["hold"]["covers_due"]) == (
        with_headroom(due),
        True,
    )


def ask_a_raise_and_crash(runtime: Runtime, merchant: Merchant, tab_id: str) -> None:
    """Phase 1 only: the line and the raise kept, the processor never asked."""
    service = merchant.service("Colour", price=3000)
    with runtime.uow(merchant.id) as uow:
        add_line(uow, tab_id, service_id=service["id"])
        uow.commit()


def test_recovery_finishes_a_raise_a_crash_left_unanswered_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    tab_id = checked_in_tab(merchant, clock)["id"]
    ask_a_raise_and_crash(runtime, merchant, tab_id)
    asked = holds_of(runtime, merchant, tab_id)[-1]
    assert (asked.status, asked.raise_to) == ("active", with_headroom(PRICE + 3000))
    assert merchant.get(f"/v1/tabs/{tab_id}").json()["hold"]["status"] == "insufficient"

    assert recover(runtime).raises == []  # within the grace period: its request may answer yet
    assert asked.hold_id in recover(runtime, grace_seconds=0).raises
    assert asked.hold_id not in recover(runtime, grace_seconds=0).raises

    hold = merchant.get(f"/v1/tabs/{tab_id}").json()["hold"]
    assert (hold["amount"], hold["status"]) == (with_headroom(PRICE + 3000), "active")
    statuses = [h.status for h in holds_of(runtime, merchant, tab_id)]
    assert statuses.count("active") == 1
    assert statuses.count("replaced") == len(statuses) - 1
    raised = merchant.get("/v1/events", params={"type": "tab.hold_raised"}).json()["data"]
    assert len(raised) == 2  # at check-in, and the one recovered


def test_a_raise_the_card_declines_is_told_to_the_staff_and_the_line_stays(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    tab = checked_in_tab(merchant, clock, card=CANCELLED_LATER)
    assert (tab["hold"]["status"], len(tab["lines"])) == ("insufficient", 1)
    warned = merchant.get("/v1/events", params={"type": "tab.hold_insufficient"}).json()["data"]
    assert [e["object_id"] for e in warned] == [tab["id"]]
    assert holds_of(runtime, merchant, tab["id"])[-1].raise_key is None  # answered, not pending
