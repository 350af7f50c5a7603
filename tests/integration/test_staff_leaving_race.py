"""The owner marks a stylist as gone while the desk books her: either the
departure is refused for the booking made first, or the booking is refused
because she left; never a customer booked with someone who is gone
(PostgreSQL: both take the person's calendar lock; SQLite: one writer at a time)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from servefirst.bookings import service as bookings
from servefirst.kit.errors import Conflict
from servefirst.runtime import Runtime
from servefirst.staff import service as staff
from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import cut

BOOKERS = 4
ROUNDS = 5


def test_a_departure_and_bookings_at_once_never_leave_a_booking_with_someone_gone(
    runtime: Runtime, merchant: Merchant, clock: TestClock
) -> None:
    service = cut(merchant)
    customers = [merchant.customer(f"Guest {i}")["id"] for i in range(BOOKERS)]
    for round_no in range(ROUNDS):
        marta = merchant.post("/v1/staff", {"name": f"Marta {round_no}"}).json()["id"]
        barrier = threading.Barrier(BOOKERS + 1)

        def book(i: int, marta: str = marta, barrier: threading.Barrier = barrier) -> str:
            barrier.wait()
            with runtime.uow(merchant.id) as uow:
                try:
                    bookings.book_in_turn(
                        uow,
                        bookings.begin_booking(
                            uow,
                            customer_id=customers[i],
                            service_id=service["id"],
                            starts_at=clock.now() + timedelta(days=3, hours=2 * i),
                            staff_id=marta,
                        ),
                    )
                except Conflict as refused:
                    return refused.code
                uow.commit()
                return "booked"

        def leave(marta: str = marta, barrier: threading.Barrier = barrier) -> str:
            barrier.wait()
            with runtime.uow(merchant.id) as uow:
                try:
                    staff.update_member(uow, marta, active=False)
                except Conflict as refused:
                    return refused.code
                uow.commit()
                return "left"

        with ThreadPoolExecutor(BOOKERS + 1) as pool:
            departure = pool.submit(leave)
            outcomes = list(pool.map(book, range(BOOKERS)))
        booked = outcomes.count("booked")
        assert set(outcomes) <= {"booked", "staff_inactive"}, outcomes
        if departure.result() == "left":
            assert booked == 0, (round_no, outcomes)
        else:
            assert departure.result() == "staff_has_bookings" and booked >= 1, outcomes
        shown = merchant.get(f"/v1/staff/{marta}").json()
        assert shown["active"] is (departure.result() != "left")
