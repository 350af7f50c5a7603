"""A booking's check-in, cancellation, no-show and move each commit their
first phase (the booking changed, a fee or a refund or a raise asked) before
the card processor is called. Each keeps, in that first phase, that its
``Idempotency-Key`` belongs to the booking (a recovery point), so a retry
with the same key after a crash between the phases never changes the booking
twice, never takes a fee twice and never answers with a refusal the first
request would not have given: 409 ``idempotency_key_in_use`` naming the
booking while the processor's answer is not known (the first request dying
on it, until ``servefirst payments recover`` asks), then the booking as the
first request would have answered."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from servefirst.bookings.models import CardHold, DepositRefund
from servefirst.payments.models import SandboxCharge
from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import GOOD, at, booked, nonzero, salon
from tests.integration.test_bookings_holds import hold_policy
from tests.integration.test_payment_crash import (
    Server,
    servefirst,
    server,  # noqa: F401 (a fixture)
    wait_until,
)

KEY = {"Idempotency-Key": "front-desk-4711"}


class ServerDied(Exception):
    """Where the server's process would have died: nothing after it runs."""


@contextmanager
def dies_asking(runtime: Runtime, *calls: str, after_the_processor: bool) -> Iterator[None]:
    """The server dies while the processor is asked ``calls`` (``capture``,
    ``authorize``, ``refund``...): before the processor did it, or once it
    did but before the server heard."""
    sandbox = runtime.gateways.sandbox
    real = {name: getattr(sandbox, name) for name in calls}

    def dying(name: str) -> Any:
        def dies(*args: Any, **kwargs: Any) -> Any:
            if after_the_processor:
                real[name](*args, **kwargs)
            raise ServerDied

        return dies

    for name in calls:
        setattr(sandbox, name, dying(name))
    try:
        yield
    finally:
        for name, call in real.items():
            setattr(sandbox, name, call)


def past_the_lock(runtime: Runtime, clock: TestClock) -> None:
    clock.advance(seconds=runtime.settings.idempotency_lock_seconds + 1)


def processor_did(runtime: Runtime, key: str | None) -> int:
    """What the sandbox did under ``key``: charges, captures and saved-card charges."""
    with runtime.uow(write=False) as uow:
        query = select(func.count()).where(SandboxCharge.idempotency_key == (key or ""))
        return int(uow.session.scalar(query) or 0)


def holds_of(runtime: Runtime, merchant: Merchant, booking_id: str) -> list[CardHold]:
    with runtime.uow(merchant.id, write=False) as uow:
        query = select(CardHold).where(
            CardHold.merchant_id == merchant.id, CardHold.booking_id == booking_id
        )
        return list(uow.session.scalars(query.order_by(CardHold.created_at)))


def fee_key_of(runtime: Runtime, merchant: Merchant, booking_id: str) -> str | None:
    asked = [h.fee_key for h in holds_of(runtime, merchant, booking_id) if h.fee_key]
    return asked[0] if asked else None


def deposit_refunds(runtime: Runtime, merchant: Merchant, booking_id: str) -> list[str]:
    with runtime.uow(merchant.id, write=False) as uow:
        query = select(DepositRefund.status).where(
            DepositRefund.merchant_id == merchant.id, DepositRefund.booking_id == booking_id
        )
        return list(uow.session.scalars(query))


def waits_on_the_processor(answer: Any, booking_id: str) -> None:
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["param"], error["booking_id"]) == (
        "idempotency_key_in_use",
        "Idempotency-Key",
        booking_id,
    )


def answered_again(merchant: Merchant, path: str, body: Any, first: Any) -> None:
    """The key's answer is now stored: the same request gets it again."""
    replay = merchant.post(path, body, headers=KEY)
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert (replay.status_code, replay.json()) == (first.status_code, first.json())


def held_booking(merchant: Merchant, clock: TestClock, **when: float) -> dict[str, Any]:
    hold_policy(merchant)  # fair: a 600 hold on a 4000 cut
    return booked(merchant, clock, card=GOOD, **when)


def test_a_late_cancellation_retried_after_its_fee_was_captured_takes_the_fee_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    booking = held_booking(merchant, clock, hours=5)
    path = f"/v1/bookings/{booking['id']}/cancel"
    with dies_asking(runtime, "capture", after_the_processor=True):
        assert merchant.post(path, None, headers=KEY).status_code == 500
    fee_key = fee_key_of(runtime, merchant, booking["id"])
    assert processor_did(runtime, fee_key) == 1

    past_the_lock(runtime, clock)
    waits_on_the_processor(merchant.post(path, None, headers=KEY), booking["id"])
    assert processor_did(runtime, fee_key) == 1

    recover(runtime, grace_seconds=0)
    past_the_lock(runtime, clock)
    again = merchant.post(path, None, headers=KEY)
    assert again.status_code == 200, again.text
    body = again.json()
    assert (body["id"], body["status"], body["deposit"]["status"]) == (
        booking["id"],
        "cancelled",
        "forfeited",
    )
    assert body["deposit"]["fee"] == 400 and body["deposit"]["hold"]["status"] == "captured"
    answered_again(merchant, path, None, again)
    assert processor_did(runtime, fee_key) == 1
    assert nonzero(merchant.balances()) == {"card_clearing": 400, "no_show_fees": -400}
    cancelled = merchant.get("/v1/events", params={"type": "booking.cancelled"}).json()["data"]
    assert [e["data"]["fee"] for e in cancelled] == [400]


def test_a_no_show_retried_before_its_fee_was_asked_takes_the_fee_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    booking = held_booking(merchant, clock, hours=2)
    clock.advance(hours=3)
    path = f"/v1/bookings/{booking['id']}/no-show"
    with dies_asking(runtime, "capture", after_the_processor=False):
        assert merchant.post(path, None, headers=KEY).status_code == 500
    fee_key = fee_key_of(runtime, merchant, booking["id"])
    assert fee_key is not None and processor_did(runtime, fee_key) == 0

    past_the_lock(runtime, clock)
    waits_on_the_processor(merchant.post(path, None, headers=KEY), booking["id"])

    recover(runtime, grace_seconds=0)  # asks, finds nothing taken, takes the fee once
    past_the_lock(runtime, clock)
    again = merchant.post(path, None, headers=KEY)
    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["deposit"]["status"]) == ("no_show", "forfeited")
    answered_again(merchant, path, None, again)
    assert processor_did(runtime, fee_key) == 1
    no_shows = merchant.get("/v1/events", params={"type": "booking.no_show"}).json()["data"]
    assert len(no_shows) == 1


def test_a_late_move_retried_after_its_fee_was_captured_moves_once_and_takes_the_fee_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    booking = held_booking(merchant, clock, hours=5)
    path = f"/v1/bookings/{booking['id']}/reschedule"
    body = {"starts_at": at(clock, days=1)}
    with dies_asking(runtime, "capture", after_the_processor=True):
        assert merchant.post(path, body, headers=KEY).status_code == 500
    fee_key = fee_key_of(runtime, merchant, booking["id"])

    past_the_lock(runtime, clock)
    waits_on_the_processor(merchant.post(path, body, headers=KEY), booking["id"])

    recover(runtime, grace_seconds=0)
    past_the_lock(runtime, clock)
    again = merchant.post(path, body, headers=KEY)
    assert again.status_code == 200, again.text
    deposit = again.json()["deposit"]
    assert (again.json()["id"], deposit["status"], deposit["amount"]) == (
        booking["id"],
        "held",
        200,
    )
    assert (deposit["hold"]["amount"], deposit["hold"]["status"]) == (200, "active")
    answered_again(merchant, path, body, again)
    assert processor_did(runtime, fee_key) == 1
    assert nonzero(merchant.balances()) == {"card_clearing": 400, "no_show_fees": -400}
    moved = merchant.get("/v1/events", params={"type": "booking.rescheduled"}).json()["data"]
    assert len(moved) == 1


def test_a_timely_cancellation_retried_while_its_refund_was_asked_refunds_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    salon(merchant)  # fair: 600 taken by card at booking
    booking = booked(merchant, clock, card=GOOD, days=2)
    path = f"/v1/bookings/{booking['id']}/cancel"
    with dies_asking(runtime, "refund", after_the_processor=True):
        assert merchant.post(path, None, headers=KEY).status_code == 500
    assert deposit_refunds(runtime, merchant, booking["id"]) == ["pending"]

    past_the_lock(runtime, clock)
    waits_on_the_processor(merchant.post(path, None, headers=KEY), booking["id"])

    recover(runtime, grace_seconds=0)
    past_the_lock(runtime, clock)
    again = merchant.post(path, None, headers=KEY)
    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["deposit"]["status"]) == ("cancelled", "refunded")
    answered_again(merchant, path, None, again)
    assert deposit_refunds(runtime, merchant, booking["id"]) == ["succeeded"]
    assert "deposits_held" not in nonzero(merchant.balances())


def test_a_check_in_retried_while_its_hold_was_raised_opens_one_tab(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    booking = held_booking(merchant, clock, hours=1)
    path = f"/v1/bookings/{booking['id']}/check-in"
    # The hold now behind the tab is raised to the bill: the processor asked.
    with dies_asking(runtime, "authorize", after_the_processor=True):
        assert merchant.post(path, None, headers=KEY).status_code == 500
    (kept,) = merchant.get("/v1/tabs").json()["data"]

    past_the_lock(runtime, clock)
    waits_on_the_processor(merchant.post(path, None, headers=KEY), booking["id"])

    recover(runtime, grace_seconds=0)
    past_the_lock(runtime, clock)
    again = merchant.post(path, None, headers=KEY)
    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["tab_id"]) == ("checked_in", kept["id"])
    answered_again(merchant, path, None, again)
    assert [t["id"] for t in merchant.get("/v1/tabs").json()["data"]] == [kept["id"]]
    statuses = [h.status for h in holds_of(runtime, merchant, booking["id"])]
    assert statuses == ["replaced", "active"]  # raised once


def test_a_booking_step_retried_with_another_body_is_422(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    booking = held_booking(merchant, clock, hours=5)
    path = f"/v1/bookings/{booking['id']}/reschedule"
    with dies_asking(runtime, "capture", after_the_processor=False):
        assert merchant.post(path, {"starts_at": at(clock, days=1)}, headers=KEY).status_code == 500
    past_the_lock(runtime, clock)
    other = merchant.post(path, {"starts_at": at(clock, days=2)}, headers=KEY)
    assert other.status_code == 422, other.text
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_a_renewal_round_retried_after_a_crash_renews_each_hold_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    """No recovery point needed: a round of renewals is a sweep, and the
    retry carries on with the renewals its first round asked, under their
    own keys, so the processor makes each new hold once. Its answer is what
    it changed itself (after recovery finished them, nothing: the next test)."""
    booking = held_booking(merchant, clock, days=10)
    clock.advance(days=6, hours=12)
    with dies_asking(runtime, "authorize", after_the_processor=True):
        assert merchant.post("/v1/holds/renew", None, headers=KEY).status_code == 500
    (asked,) = holds_of(runtime, merchant, booking["id"])
    assert asked.raise_key is not None

    past_the_lock(runtime, clock)
    again = merchant.post("/v1/holds/renew", None, headers=KEY)
    assert again.status_code == 200, again.text
    assert again.json()["changed"] == [asked.hold_id]
    answered_again(merchant, "/v1/holds/renew", None, again)
    assert [h.status for h in holds_of(runtime, merchant, booking["id"])] == ["replaced", "active"]
    assert asked.hold_id not in recover(runtime, grace_seconds=0).raises
    assert processor_did(runtime, asked.raise_key) == 1  # the new hold made once


def test_a_renewal_round_retried_after_recovery_renewed_its_hold_changes_nothing(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    booking = held_booking(merchant, clock, days=10)
    clock.advance(days=6, hours=12)
    with dies_asking(runtime, "authorize", after_the_processor=True):
        assert merchant.post("/v1/holds/renew", None, headers=KEY).status_code == 500
    (asked,) = holds_of(runtime, merchant, booking["id"])
    assert asked.hold_id in recover(runtime, grace_seconds=0).raises

    past_the_lock(runtime, clock)
    again = merchant.post("/v1/holds/renew", None, headers=KEY)
    assert (again.status_code, again.json()["changed"]) == (200, [])
    assert [h.status for h in holds_of(runtime, merchant, booking["id"])] == ["replaced", "active"]
    assert processor_did(runtime, asked.raise_key) == 1


def test_a_server_killed_after_a_late_fee_s_capture_then_retried_takes_it_once(
    merchant: Merchant,
    wall_clock: TestClock,
    runtime: Runtime,
    database_url: str,
    server: Callable[[], Server],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The restarted server finds the first request's key past its lock at once.
    monkeypatch.setenv("SERVEFIRST_IDEMPOTENCY_LOCK_SECONDS", "0")
    hold_policy(merchant)
    booking_id = booked(merchant, wall_clock, card=GOOD, hours=5)["id"]
    running = server()
    seen: list[httpx.Response | None] = []
    sending = threading.Thread(
        target=lambda: seen.append(cancel_on(running.base, merchant, booking_id))
    )
    sending.start()
    wait_until(
        lambda: bool(seen) or fee_key_of(runtime, merchant, booking_id) is not None, "the fee asked"
    )
    fee_key = fee_key_of(runtime, merchant, booking_id) or ""
    # Captured; the processor's answer is on its way back (tests/payment_crash_server.py).
    wait_until(lambda: processor_did(runtime, fee_key) == 1, "the capture")
    running.kill()
    sending.join()
    assert seen == [None]  # the client never heard

    restarted = server()
    waits_on_the_processor(cancel_on(restarted.base, merchant, booking_id), booking_id)
    recovered = servefirst(database_url, "payments", "recover", "--grace-seconds", "0")
    assert recovered.returncode == 0, recovered.stderr
    again = cancel_on(restarted.base, merchant, booking_id)
    assert again is not None and again.status_code == 200, again
    assert (again.json()["status"], again.json()["deposit"]["status"]) == ("cancelled", "forfeited")
    assert processor_did(runtime, fee_key) == 1
    assert nonzero(merchant.balances()) == {"card_clearing": 400, "no_show_fees": -400}


def cancel_on(base: str, merchant: Merchant, booking_id: str) -> httpx.Response | None:
    """The cancellation sent to a real server, with a key of its own; None
    when the server died under the request."""
    try:
        return httpx.post(
            f"{base}/v1/bookings/{booking_id}/cancel",
            headers={**merchant.headers, "Idempotency-Key": f"cancel-{booking_id}"},
            timeout=30,
        )
    except httpx.HTTPError:
        return None
