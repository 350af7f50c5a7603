"""A Portuguese member of the team reads why a booking asked for a deposit in
Portuguese on the console's booking rows, as its customer read it when booking."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Merchant, TestClock
from tests.integration.test_pages_staff import Staff
from tests.integration.test_pages_staff_bookings import (  # noqa: F401 - fixtures
    Salon,
    counter,
    later_today,
    row_of,
    salon,
    section,
)


def test_a_lisbon_salon_reads_why_a_deposit_was_asked_in_portuguese(
    salon: Salon,  # noqa: F811
    counter: Callable[[Merchant], Staff],  # noqa: F811
    clock: TestClock,
) -> None:
    assert salon.merchant.post("/v1/merchant", {"locale": "pt_PT"}).status_code == 200
    booked = salon.book(later_today(clock))
    person = counter(salon.merchant)
    assert person.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    row = row_of(section(person.get("/staff").text, "bookings"), booked["id"])
    assert "Cliente novo: um pequeno sinal reserva a marcação." in row
    assert "New customer" not in row
