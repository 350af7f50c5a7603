"""A real server killed with SIGKILL at each phase of a booking's deposit
(``bookings.deposit_phases``), as ``test_payment_crash`` does for a card
payment: after a restart and ``servefirst payments recover``, each deposit was
charged at most once, and exactly once where the booking stands; a booking
whose deposit was never charged is taken back; every booking the client saw
made is there with its deposit held, and ``servefirst ledger audit`` passes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from servefirst.bookings.models import Booking
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.integration.test_bookings_api import GOOD, cut, salon
from tests.integration.test_payment_crash import (
    Server,
    charged,
    servefirst,
    server,  # noqa: F401 (a fixture)
    wait_until,
)

pytestmark = pytest.mark.usefixtures("wall_clock")


def booking_of(runtime: Runtime, merchant: Merchant, customer_id: str) -> Booking | None:
    with runtime.uow(merchant.id, write=False) as uow:
        return uow.session.scalar(
            select(Booking).where(
                Booking.merchant_id == merchant.id, Booking.customer_id == customer_id
            )
        )


def book_in_background(base: str, merchant: Merchant, body: dict[str, Any]) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def book() -> None:
        try:
            seen["response"] = httpx.post(
                f"{base}/v1/bookings", json=body, headers=merchant.headers, timeout=30
            )
        except httpx.HTTPError as lost:  # the server died under the request
            seen["error"] = lost

    thread = threading.Thread(target=book)
    thread.start()
    seen["thread"] = thread
    return seen


def test_a_server_killed_at_each_phase_of_a_deposit_charges_once_and_loses_nothing(
    runtime: Runtime,
    database_url: str,
    merchant: Merchant,
    server: Callable[[], Server],  # noqa: F811
) -> None:
    salon(merchant)  # a 600 deposit, captured, from every new customer
    service = cut(merchant)
    starts = datetime.now(UTC) + timedelta(days=2)
    customers = {
        phase: merchant.customer(f"Cliente {phase}")["id"]
        for phase in ("kept", "charged", "booked")
    }

    def body(phase: str, hour: int) -> dict[str, Any]:
        return {
            "customer_id": customers[phase],
            "service_id": service["id"],
            "starts_at": (starts + timedelta(hours=hour)).isoformat(),
            "card": GOOD,
        }

    def kept(phase: str) -> Booking | None:
        return booking_of(runtime, merchant, customers[phase])

    # (1) killed after the booking is kept with its deposit pending, before the charge.
    running = server()
    seen = book_in_background(running.base, merchant, body("kept", 0))
    wait_until(lambda: kept("kept") is not None, "the booking kept")
    assert kept("kept").deposit_status == "pending"  # type: ignore[union-attr]
    running.kill()
    seen["thread"].join()
    assert "response" not in seen

    # (2) killed after the processor charged, before the outcome is committed.
    running = server()
    seen = book_in_background(running.base, merchant, body("charged", 2))
    wait_until(lambda: kept("charged") is not None, "the booking kept")
    key = kept("charged").booking_id  # type: ignore[union-attr]
    wait_until(lambda: charged(runtime, key) == 1, "the processor's charge")
    running.kill()
    seen["thread"].join()
    assert "response" not in seen

    # (3) killed right after the client heard the booking made.
    running = server()
    seen = book_in_background(running.base, merchant, body("booked", 4))
    seen["thread"].join()
    assert seen["response"].status_code == 201, seen["response"].text
    made = seen["response"].json()["id"]
    running.kill()

    server()
    recovered = servefirst(database_url, "payments", "recover", "--grace-seconds", "0", "--json")
    assert recovered.returncode == 0, recovered.stderr

    assert kept("kept") is None  # never charged: taken back, its time free again
    for phase in ("charged", "booked"):
        booking = kept(phase)
        assert booking is not None and booking.deposit_status == "held"
        assert charged(runtime, booking.booking_id) == 1
    assert kept("booked").booking_id == made  # type: ignore[union-attr]
    balances = merchant.balances()
    assert (balances["card_clearing"], balances["deposits_held"]) == (1200, -1200)
    audit = servefirst(database_url, "ledger", "audit", "--merchant-id", merchant.id)
    assert audit.returncode == 0, audit.stdout + audit.stderr
