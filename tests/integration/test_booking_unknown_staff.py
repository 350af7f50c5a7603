"""A booking names a staff member of this business or no one: an id that is
nobody here (made up, or another business's member) answers 404
``resource_missing`` with ``param: "staff_id"``, as every unknown id does,
and nothing is booked or moved."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Merchant, TestClock
from tests.integration.test_availability_api import Salon
from tests.integration.test_bookings_api import at, book, booked, member


def missing_staff(answer: Any, staff_id: str) -> None:
    assert answer.status_code == 404, answer.text
    error = answer.json()["error"]
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error",
        "resource_missing",
        "staff_id",
    )
    assert f"'{staff_id}'" in error["message"]


def everything_booked(merchant: Merchant) -> list[dict[str, Any]]:
    found = merchant.get("/v1/bookings", params={"from": "2000-01-01T00:00:00Z"})
    return found.json()["data"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("who", ["made_up", "other_business"])
def test_a_booking_for_someone_not_on_the_team_is_refused_and_books_nothing(
    merchant: Merchant, new_merchant: Any, clock: TestClock, who: str
) -> None:
    staff_id = "stf_nobodyhere" if who == "made_up" else member(new_merchant("Salão"), "Rita")
    refused = book(merchant, clock, staff_id=staff_id)
    missing_staff(refused, staff_id)
    assert everything_booked(merchant) == []


def test_a_member_of_the_team_is_booked_by_id(merchant: Merchant, clock: TestClock) -> None:
    maria = member(merchant, "Maria")
    assert booked(merchant, clock, staff_id=maria)["staff_id"] == maria


@pytest.mark.parametrize("who", ["made_up", "other_business"])
def test_a_move_to_someone_not_on_the_team_is_refused_and_moves_nothing(
    merchant: Merchant, new_merchant: Any, clock: TestClock, who: str
) -> None:
    maria = member(merchant, "Maria")
    booking = booked(merchant, clock, days=3, staff_id=maria)
    staff_id = "stf_nobodyhere" if who == "made_up" else member(new_merchant("Salão"), "Rita")
    body = {"starts_at": at(clock, days=4), "staff_id": staff_id}
    refused = merchant.post(f"/v1/bookings/{booking['id']}/reschedule", body)
    missing_staff(refused, staff_id)
    kept = merchant.get(f"/v1/bookings/{booking['id']}").json()
    assert (kept["starts_at"], kept["staff_id"]) == (booking["starts_at"], maria)


def test_a_move_to_the_same_time_naming_someone_unknown_is_refused_too(
    merchant: Merchant, clock: TestClock
) -> None:
    """Naming a person is a change of person, whatever the time."""
    maria = member(merchant, "Maria")
    booking = booked(merchant, clock, days=3, staff_id=maria)
    body = {"starts_at": booking["starts_at"], "staff_id": "stf_nobodyhere"}
    refused = merchant.post(f"/v1/bookings/{booking['id']}/reschedule", body)
    missing_staff(refused, "stf_nobodyhere")
    assert merchant.get(f"/v1/bookings/{booking['id']}").json()["staff_id"] == maria


def test_booking_online_another_business_s_member_is_refused(
    merchant: Merchant, new_merchant: Any, clock: TestClock
) -> None:
    shop = Salon(merchant, clock)
    theirs = Salon(new_merchant("Salão"), clock)
    refused = shop.book(shop.at(shop.day(3), "10:00"), staff_id=theirs.maria)
    missing_staff(refused, theirs.maria)
    assert shop.booked() == []
