"""Two receptionists book the same person for the same hour at the same moment:
exactly one booking stands (PostgreSQL: an advisory lock per staff member;
SQLite: one writer at a time)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from servefirst.bookings import service as bookings
from servefirst.kit.errors import Conflict
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import cut, member

RACERS = 6


def test_simultaneous_bookings_of_one_person_never_overlap(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    service = cut(merchant)
    maria = member(merchant, "Maria")
    customers = [merchant.customer(f"Guest {i}")["id"] for i in range(RACERS)]
    start = clock.now() + timedelta(days=4)
    barrier = threading.Barrier(RACERS)

    def attempt(i: int) -> str:
        barrier.wait()
        with runtime.uow(merchant.id) as uow:
            try:
                bookings.book_in_turn(
                    uow,
                    bookings.begin_booking(
                        uow,
                        customer_id=customers[i],
                        service_id=service["id"],
                        # Every slot overlaps every other (45 minutes, 5 minutes apart).
                        starts_at=start + timedelta(minutes=5 * i),
                        staff_id=maria,
                    ),
                )
            except Conflict as refused:
                return refused.code
            uow.commit()
            return "booked"

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = list(pool.map(attempt, range(RACERS)))
    assert sorted(outcomes) == ["booked"] + ["booking_overlaps"] * (RACERS - 1)
    listed = merchant.get("/v1/bookings").json()["data"]
    assert len([b for b in listed if b["staff_id"] == maria]) == 1
