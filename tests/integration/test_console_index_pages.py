"""``/staff/tabs`` and ``/staff/bookings``, the addresses a member types (or
trims from a tab's own address) to see the list, lead to the console's lists
of them: the counter's running tabs, and the bookings of the day. Signed out,
they lead to the sign-in, and say nothing of the business."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Merchant, TestClock
from tests.integration.test_pages_staff import Staff


@pytest.mark.parametrize("path", ["/staff/tabs", "/staff/tabs/"])
def test_the_tabs_address_leads_to_the_counters_running_tabs(
    merchant: Merchant, signed_in: Callable[..., Staff], path: str
) -> None:
    running = merchant.tab(merchant.customer("Inês Rocha")["id"])
    person = signed_in(merchant, "staff")
    answer = person.get(path, follow_redirects=False)
    if answer.status_code == 307:  # the trailing slash trimmed first
        answer = person.get(answer.headers["location"], follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/staff#running-heading"
    counter = person.get(answer.headers["location"])
    assert counter.status_code == 200
    assert 'id="running-heading"' in counter.text
    assert f"/staff/tabs/{running['id']}" in counter.text


def test_the_bookings_address_leads_to_the_day_of_bookings(
    merchant: Merchant, clock: TestClock, signed_in: Callable[..., Staff]
) -> None:
    # The page shows the day in the merchant's zone (UTC here, not Lisbon's: in
    # summer Lisbon's 00:40 is still 23:40 there): half an hour on must be that day.
    zone = ZoneInfo(merchant.get("/v1/merchant").json()["timezone"])
    if clock.now().astimezone(zone).hour >= 22:
        clock.advance(hours=3)
    booked = merchant.post(
        "/v1/bookings",
        {
            "customer_id": merchant.customer("Inês Rocha")["id"],
            "service_id": merchant.service("Cut", price=2000)["id"],
            "starts_at": (clock.now() + timedelta(minutes=30)).isoformat(),
        },
    )
    assert booked.status_code == 201, booked.text
    person = signed_in(merchant, "staff")
    answer = person.get("/staff/bookings", follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/staff/bookings/day"
    day = person.get(answer.headers["location"])
    assert day.status_code == 200
    assert f'id="booking-{booked.json()["id"]}"' in day.text


@pytest.mark.parametrize("path", ["/staff/tabs", "/staff/bookings"])
def test_signed_out_the_lists_lead_to_the_sign_in(merchant: Merchant, path: str) -> None:
    merchant.tab(merchant.customer("Inês Rocha")["id"])
    answer = merchant.client.get(path, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/staff"
    sign_in = merchant.client.get("/staff")
    assert 'name="password"' in sign_in.text and "Inês" not in sign_in.text
