"""A cancel or a no-show pressed on the Today page comes back to the Today
page with its notice (it used to land on the counter, the owner losing the
page they were going through); pressed on the counter, back to the counter."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from tests.conftest import Merchant, TestClock
from tests.integration.test_pages_staff import Staff
from tests.integration.test_pages_staff_bookings import (
    Salon,
    counter,  # noqa: F401 (a fixture)
    later_today,
    row_of,
    salon,  # noqa: F401 (a fixture)
)


def _back_fields(page: str, booking_id: str) -> set[str]:
    return set(re.findall(r'name="back" value="([^"]*)"', row_of(page, booking_id)))


def test_cancel_and_no_show_from_the_today_page_come_back_to_it(
    salon: Salon,  # noqa: F811
    counter: Callable[[Merchant], Staff],  # noqa: F811
    clock: TestClock,
) -> None:
    starts = later_today(clock)
    late = salon.book(starts)
    missed = salon.book(starts + timedelta(minutes=60), name="Tomás Ferreira")
    person = counter(salon.merchant)
    today = person.get("/staff/today").text
    assert _back_fields(today, late["id"]) == {"today"}
    cancelled = person.post(
        f"/staff/bookings/{late['id']}/cancel",
        {"by": "customer", "back": "today"},
        follow_redirects=False,
    )
    assert cancelled.headers["location"] == "/staff/today?done=cancelled"
    assert "Booking cancelled." in person.get(cancelled.headers["location"]).text
    clock.advance(minutes=95)
    marked = person.post(
        f"/staff/bookings/{missed['id']}/no-show", {"back": "today"}, follow_redirects=False
    )
    assert marked.headers["location"] == "/staff/today?done=no_show"
    assert "Marked as a no-show." in person.get(marked.headers["location"]).text


def test_from_the_counter_or_with_a_made_up_page_they_come_back_to_the_counter(
    salon: Salon,  # noqa: F811
    counter: Callable[[Merchant], Staff],  # noqa: F811
    clock: TestClock,
) -> None:
    booked = salon.book(later_today(clock))
    person = counter(salon.merchant)
    assert _back_fields(person.get("/staff").text, booked["id"]) == set()
    cancelled = person.post(
        f"/staff/bookings/{booked['id']}/cancel",
        {"by": "business", "back": "https://elsewhere.example"},
        follow_redirects=False,
    )
    assert cancelled.headers["location"] == "/staff?done=cancelled"
