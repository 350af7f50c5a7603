"""Eight customers book the same stylist's same time at the same moment: one
booking stands, seven hear ``booking_overlaps``. On PostgreSQL the database
itself refuses an overlap (an exclusion constraint over the person's time);
on SQLite one writer at a time does it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from servefirst.availability import service as availability
from servefirst.bookings.deposit_phases import book_in_turn
from servefirst.kit.errors import Conflict
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_availability_api import Salon

RACERS = 8


def test_eight_customers_racing_for_one_time_get_one_booking(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    shop = Salon(merchant, clock)
    starts_at = shop.at(shop.day(5), "10:00")
    barrier = threading.Barrier(RACERS)

    def attempt(i: int) -> str:
        barrier.wait()
        with runtime.uow(merchant.id) as uow:
            try:
                book_in_turn(
                    uow,
                    availability.begin_online(
                        uow,
                        service_id=shop.cut["id"],
                        starts_at=datetime.fromisoformat(starts_at),
                        staff_id=None,
                        name=f"Guest {i}",
                        email=f"guest{i}@example.com",
                        phone=None,
                        card=None,
                    ),
                )
            except Conflict as refused:
                return refused.code
            uow.commit()
            return "booked"

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = list(pool.map(attempt, range(RACERS)))
    assert sorted(outcomes) == ["booked"] + ["booking_overlaps"] * (RACERS - 1)
    assert len(shop.booked()) == 1


def test_postgresql_refuses_overlapping_bookings_of_one_person_by_itself(
    runtime: Runtime, merchant: Merchant, clock: TestClock, backend: str
) -> None:
    """Past every check in the code, the constraint still holds: two rows for
    one person at overlapping times cannot both be active."""
    shop = Salon(merchant, clock)
    booked = shop.book(shop.at(shop.day(6), "10:00"))
    assert booked.status_code == 201, booked.text
    if backend != "postgresql":
        # SQLite keeps one writer at a time: the code's own check under that
        # writer is the guard, and it refuses the overlapping time.
        again = shop.book(shop.at(shop.day(6), "10:30"))
        assert again.status_code == 409, again.text
        assert again.json()["error"]["code"] == "booking_overlaps"
        return
    columns = [c["name"] for c in inspect(runtime.engine).get_columns("bookings")]
    shifted = {
        "booking_id": "booking_id || 'x'",
        "token": "token || 'x'",
        "starts_at": "starts_at + interval '30 minutes'",
        "ends_at": "ends_at + interval '30 minutes'",
    }
    copy = (
        f"INSERT INTO bookings ({', '.join(columns)})"  # noqa: S608
        f" SELECT {', '.join(shifted.get(c, c) for c in columns)}"
        " FROM bookings WHERE merchant_id = :m AND booking_id = :b"
    )
    with runtime.engine.connect() as conn, pytest.raises(IntegrityError) as refused:
        conn.execute(text(copy), {"m": merchant.id, "b": booked.json()["id"]})
    assert "ex_bookings_staff_time" in str(refused.value)
    # A cancelled booking no longer holds the time.
    assert merchant.post(f"/v1/bookings/{booked.json()['id']}/cancel").status_code == 200
    with runtime.engine.begin() as conn:
        conn.execute(text(copy), {"m": merchant.id, "b": booked.json()["id"]})


def test_eight_customers_asking_for_anyone_fill_both_stylists_once(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    """Each request locks everyone who could take it, in one order: no two wait
    on each other crosswise, and each person is booked once."""
    shop = Salon(merchant, clock)
    joana = shop.staff("Joana")
    starts_at = datetime.fromisoformat(shop.at(shop.day(7), "11:00"))
    barrier = threading.Barrier(RACERS)

    def attempt(i: int) -> str:
        barrier.wait()
        with runtime.uow(merchant.id) as uow:
            try:
                booking = book_in_turn(
                    uow,
                    availability.begin_online(
                        uow,
                        service_id=shop.cut["id"],
                        starts_at=starts_at,
                        staff_id=None,
                        name=f"Guest {i}",
                        email=f"guest{i}@example.com",
                        phone=None,
                        card=None,
                    ),
                )
            except Conflict as refused:
                return refused.code
            uow.commit()
            return str(booking.staff_id)

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = list(pool.map(attempt, range(RACERS)))
    assert sorted(outcomes) == sorted([shop.maria, joana] + ["booking_overlaps"] * (RACERS - 2))
