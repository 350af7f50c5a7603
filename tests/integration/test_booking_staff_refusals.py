"""A booking online that names a staff member who is not here, or who takes no
bookings online, or not for this service, is refused saying which id and why."""

from __future__ import annotations

import pytest

from tests.conftest import Merchant, TestClock
from tests.integration.test_availability_api import Salon


@pytest.fixture
def shop(merchant: Merchant, clock: TestClock) -> Salon:
    return Salon(merchant, clock)  # 09:00-13:00 and 14:00-18:00, every 15 minutes


def test_an_unknown_staff_member_is_a_404_naming_the_id(shop: Salon) -> None:
    refused = shop.book(shop.at(shop.day(3), "10:00"), staff_id="stf_nobodyhere")
    assert refused.status_code == 404, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["param"]) == ("resource_missing", "staff_id")
    assert "'stf_nobodyhere'" in error["message"] and "works at this business" in error["message"]
    assert "leave staff_id out" in error["message"]
    times = shop.slots(staff_id="stf_nobodyhere")
    assert times.status_code == 404 and "'stf_nobodyhere'" in times.json()["error"]["message"]


def test_a_staff_member_without_hours_is_refused_as_not_bookable_online(
    shop: Salon, merchant: Merchant
) -> None:
    created = merchant.post("/v1/staff", {"name": "Joana"})
    joana = created.json()["id"]
    refused = shop.book(shop.at(shop.day(3), "10:00"), staff_id=joana)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["param"]) == ("staff_not_bookable", "staff_id")
    assert f"'{joana}' takes no bookings online" in error["message"]
    assert shop.booked() == []


def test_a_staff_member_who_does_not_perform_the_service_is_named_with_it(
    shop: Salon, merchant: Merchant
) -> None:
    colour = merchant.service("Colour", price=6000, duration_minutes=90)
    joana = shop.staff("Joana")
    hours = merchant.post(
        f"/v1/staff/{joana}/hours",
        {"weekly": {"mon": [["09:00", "18:00"]]}, "services": [colour["id"]]},
    )
    assert hours.status_code == 200, hours.text
    refused = shop.book(shop.at(shop.day(3), "10:00"), staff_id=joana)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "service_not_performed"
    assert f"'{joana}'" in error["message"] and f"'{shop.cut['id']}'" in error["message"]
