"""An API booking whose deposit is asked in phases keeps, in phase 1's
transaction, that its ``Idempotency-Key`` belongs to the booking (a recovery
point): a server that dies after the booking is kept, or while the card
processor is asked, leaves a key that a retry with the same body lands on
after the idempotency lock has passed, never a second booking or a second
deposit. While the deposit waits (for the first request, or for ``servefirst
payments recover``), the retry hears 409 naming the booking; once it is
finished, the booking itself."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from servefirst.payments.recovery import recover
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import DECLINED, GOOD, at, cut, salon
from tests.integration.test_payment_crash import (
    Server,
    charged,
    servefirst,
    server,  # noqa: F401 (a fixture)
    wait_until,
)

KEY = {"Idempotency-Key": "book-rita-thursday"}


class ServerDied(Exception):
    """Where the server's process would have died: nothing after it runs."""


def past_the_lock(runtime: Runtime, clock: TestClock) -> None:
    clock.advance(seconds=runtime.settings.idempotency_lock_seconds + 1)


def a_booking(merchant: Merchant, clock: TestClock, card: str = GOOD) -> dict[str, Any]:
    salon(merchant)  # every newcomer leaves a deposit: the booking commits in phases
    return {
        "customer_id": merchant.customer("Rita")["id"],
        "service_id": cut(merchant)["id"],
        "starts_at": at(clock, days=2),
        "card": card,
    }


def booked(merchant: Merchant) -> list[tuple[str, str]]:
    data = merchant.get("/v1/bookings").json()["data"]
    return [(b["id"], b["deposit"]["status"]) for b in data]


@contextmanager
def server_dies(runtime: Runtime, *, after_charging: bool) -> Iterator[None]:
    """The server dies while the processor is asked for the deposit: before
    it charged, or once it charged but before the server heard it."""
    sandbox = runtime.gateways.sandbox
    real_charge, real_authorize = sandbox.charge, sandbox.authorize

    def dies(*args: Any, **kwargs: Any) -> Any:
        if after_charging:
            real_charge(*args, **kwargs)
        raise ServerDied

    sandbox.charge = dies  # type: ignore[method-assign]
    sandbox.authorize = dies  # type: ignore[method-assign]
    try:
        yield
    finally:
        sandbox.charge, sandbox.authorize = real_charge, real_authorize  # type: ignore[method-assign]


def test_a_crash_after_the_deposit_is_charged_then_the_retry_lands_on_that_booking(
    merchant: Merchant, clock: TestClock, runtime: Runtime
) -> None:
    body = a_booking(merchant, clock)
    with server_dies(runtime, after_charging=True):
        assert merchant.post("/v1/bookings", body, headers=KEY).status_code == 500
    ((kept, status),) = booked(merchant)
    assert status == "pending" and charged(runtime, kept) == 1

    past_the_lock(runtime, clock)
    waits = merchant.post("/v1/bookings", body, headers=KEY)
    assert waits.status_code == 409, waits.text
    error = waits.json()["error"]
    assert (error["code"], error["param"], error["booking_id"]) == (
        "idempotency_key_in_use",
        "Idempotency-Key",
        kept,
    )
    assert booked(merchant) == [(kept, "pending")] and charged(runtime, kept) == 1

    assert kept in recover(runtime, grace_seconds=0).deposits
    past_the_lock(runtime, clock)
    again = merchant.post("/v1/bookings", body, headers=KEY)
    assert again.status_code == 201, again.text
    assert (again.json()["id"], again.json()["deposit"]["status"]) == (kept, "held")
    replay = merchant.post("/v1/bookings", body, headers=KEY)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == again.json()
    assert booked(merchant) == [(kept, "held")] and charged(runtime, kept) == 1


def test_a_crash_before_the_processor_is_asked_then_the_retry_asks_no_second_deposit(
    merchant: Merchant, clock: TestClock, runtime: Runtime
) -> None:
    body = a_booking(merchant, clock)
    with server_dies(runtime, after_charging=False):
        assert merchant.post("/v1/bookings", body, headers=KEY).status_code == 500
    ((kept, _),) = booked(merchant)

    past_the_lock(runtime, clock)
    waits = merchant.post("/v1/bookings", body, headers=KEY)
    assert waits.status_code == 409, waits.text
    assert waits.json()["error"]["booking_id"] == kept
    assert booked(merchant) == [(kept, "pending")] and charged(runtime, kept) == 0

    # Recovery finds nothing taken and takes the booking back: the retry books.
    assert kept in recover(runtime, grace_seconds=0).deposits
    assert booked(merchant) == []
    past_the_lock(runtime, clock)
    again = merchant.post("/v1/bookings", body, headers=KEY)
    assert again.status_code == 201, again.text
    assert booked(merchant) == [(again.json()["id"], "held")]
    assert charged(runtime, again.json()["id"]) == 1


def test_a_key_kept_by_a_crashed_booking_with_another_body_is_422(
    merchant: Merchant, clock: TestClock, runtime: Runtime
) -> None:
    body = a_booking(merchant, clock)
    with server_dies(runtime, after_charging=False):
        assert merchant.post("/v1/bookings", body, headers=KEY).status_code == 500
    past_the_lock(runtime, clock)
    other = merchant.post("/v1/bookings", {**body, "starts_at": at(clock, days=3)}, headers=KEY)
    assert other.status_code == 422, other.text
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert len(booked(merchant)) == 1


def test_a_declined_deposit_is_the_keys_answer_and_a_corrected_card_takes_a_new_key(
    merchant: Merchant, clock: TestClock, runtime: Runtime
) -> None:
    # The contract: the same key with the same body gets the first answer
    # again, with another body 422. A decline is an answer like any other.
    body = a_booking(merchant, clock, card=DECLINED)
    declined = merchant.post("/v1/bookings", body, headers=KEY)
    assert declined.status_code == 402, declined.text
    assert booked(merchant) == []
    again = merchant.post("/v1/bookings", body, headers=KEY)
    assert again.status_code == 402 and again.headers.get("Idempotent-Replayed") == "true"
    reused = merchant.post("/v1/bookings", {**body, "card": GOOD}, headers=KEY)
    assert reused.status_code == 422, reused.text
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert booked(merchant) == []
    corrected = merchant.post(
        "/v1/bookings", {**body, "card": GOOD}, headers={"Idempotency-Key": "corrected-card"}
    )
    assert corrected.status_code == 201, corrected.text
    assert booked(merchant) == [(corrected.json()["id"], "held")]
    assert charged(runtime, corrected.json()["id"]) == 1


def test_a_public_booking_retried_after_a_crash_lands_on_that_booking(
    merchant: Merchant, clock: TestClock, runtime: Runtime
) -> None:
    from tests.integration.test_availability_api import Salon

    shop = Salon(merchant, clock)
    salon(merchant)
    shop.staff("Joana")  # "anyone": a second booking would find Joana free
    path = f"/v1/public/merchants/{shop.slug}/bookings"
    body = {
        "service_id": shop.cut["id"],
        "starts_at": shop.at(shop.day(3), "11:00"),
        "name": "Rita Lopes",
        "email": "rita@example.com",
        "card": GOOD,
    }
    with server_dies(runtime, after_charging=True):
        assert merchant.client.post(path, json=body, headers=KEY).status_code == 500
    ((kept, _),) = booked(merchant)
    recover(runtime, grace_seconds=0)
    past_the_lock(runtime, clock)
    again = merchant.client.post(path, json=body, headers=KEY)
    assert again.status_code == 201, again.text
    assert again.json()["id"] == kept and "/bookings/" in again.json()["manage_url"]
    assert booked(merchant) == [(kept, "held")] and charged(runtime, kept) == 1


def test_a_server_killed_after_the_deposit_is_charged_then_the_retry_books_once(
    merchant: Merchant,
    wall_clock: TestClock,
    runtime: Runtime,
    database_url: str,
    server: Callable[[], Server],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The restarted server finds the first request's key past its lock at once.
    monkeypatch.setenv("SERVEFIRST_IDEMPOTENCY_LOCK_SECONDS", "0")
    body = a_booking(merchant, wall_clock)
    running = server()
    seen: dict[str, Any] = {}

    def books() -> None:
        try:
            seen["response"] = httpx.post(
                f"{running.base}/v1/bookings",
                json=body,
                headers={**merchant.headers, **KEY},
                timeout=30,
            )
        except httpx.HTTPError as lost:  # the server died under the request
            seen["error"] = lost

    sending = threading.Thread(target=books)
    sending.start()
    wait_until(lambda: len(booked(merchant)) == 1, "the booking kept")
    ((kept, _),) = booked(merchant)
    wait_until(lambda: charged(runtime, kept) == 1, "the processor's charge")
    running.kill()
    sending.join()
    assert "response" not in seen

    restarted = server()

    def retry() -> httpx.Response:
        return httpx.post(
            f"{restarted.base}/v1/bookings",
            json=body,
            headers={**merchant.headers, **KEY},
            timeout=30,
        )

    waits = retry()
    assert waits.status_code == 409, waits.text
    assert waits.json()["error"]["booking_id"] == kept
    recovered = servefirst(database_url, "payments", "recover", "--grace-seconds", "0", "--json")
    assert recovered.returncode == 0, recovered.stderr
    again = retry()
    assert again.status_code == 201, again.text
    assert again.json()["id"] == kept
    assert booked(merchant) == [(kept, "held")]
    assert charged(runtime, kept) == 1
