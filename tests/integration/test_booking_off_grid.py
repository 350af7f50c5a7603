"""A time sent by hand between the offered ones (09:31 where 09:30 and 09:45
are) is refused online with the grid in words; the moment a booking and its
buffer end stays bookable, as it is offered; staff still book and move
bookings at any minute."""

from __future__ import annotations

import pytest

from tests.conftest import Merchant, TestClock
from tests.integration.test_availability_api import Salon
from tests.integration.test_booking_buffers_and_moves import staff_books


@pytest.fixture
def shop(merchant: Merchant, clock: TestClock) -> Salon:
    return Salon(merchant, clock)  # 09:00-13:00 and 14:00-18:00, every 15 minutes


def test_a_time_between_the_offered_ones_is_refused_with_the_grid(shop: Salon) -> None:
    refused = shop.book(shop.at(shop.day(3), "09:31"))
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["param"], error["slot_minutes"]) == (
        "slot_off_grid",
        "starts_at",
        15,
    )
    assert "every 15 minutes from 09:00" in error["message"] and "09:31" in error["message"]
    assert shop.booked() == []
    assert shop.book(shop.at(shop.day(3), "09:30")).status_code == 201


def test_a_time_a_second_past_an_offered_one_is_refused_too(shop: Salon) -> None:
    refused = shop.book(shop.at(shop.day(3), "09:30").replace(":00+", ":01+"))
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "slot_off_grid"
    assert "09:30:01" in refused.json()["error"]["message"]


def test_the_moment_a_booking_and_its_buffer_end_stays_bookable_off_the_grid(
    shop: Salon,
) -> None:
    """Staff booked 10:31 (45 minutes, then 15 kept free): 11:31 is offered
    online, and booking it online is accepted; 11:32 is not."""
    day = shop.day(3)
    assert staff_books(shop, shop.at(day, "10:31"), shop.maria).status_code == 201
    offered = {s["starts_at"] for s in shop.slots(**{"from": day.isoformat()}).json()["slots"]}
    assert any(s.startswith(f"{day.isoformat()}T11:31") for s in offered), offered
    assert shop.book(shop.at(day, "11:32")).json()["error"]["code"] == "slot_off_grid"
    assert shop.book(shop.at(day, "11:31")).status_code == 201


def test_staff_still_book_any_minute(shop: Salon) -> None:
    booked = staff_books(shop, shop.at(shop.day(3), "09:31"), shop.maria)
    assert booked.status_code == 201, booked.text


def test_staff_moving_an_anyone_booking_off_the_grid_still_find_a_free_colleague(
    shop: Salon,
) -> None:
    joana = shop.staff("Joana")
    day = shop.day(4)
    made = shop.book(shop.at(day, "10:00")).json()  # anyone
    first = made["staff_id"]
    other = joana if first == shop.maria else shop.maria
    assert staff_books(shop, shop.at(day, "15:07"), first).status_code == 201
    moved = shop.merchant.post(
        f"/v1/bookings/{made['id']}/reschedule", {"starts_at": shop.at(day, "15:07")}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["staff_id"] == other
