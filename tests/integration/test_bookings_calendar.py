"""The customer's calendar file (RFC 5545), and renewing holds from the command line."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from click.testing import CliRunner
from fastapi.testclient import TestClient
from icalendar import Calendar

from servefirst.bookings.cli import holds_renew
from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import GOOD, booked, salon


def test_a_booking_downloads_as_an_icalendar_event(
    merchant: Merchant, client: TestClient, clock: TestClock
) -> None:
    salon(merchant)
    booking = booked(merchant, clock, card=GOOD, days=3)
    url = booking["calendar_url"]
    assert url == f"http://testserver/v1/public/bookings/{booking['token']}.ics"
    response = client.get(url)  # no API key: the token is the credential
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{booking['id']}@servefirst"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.utcoffset() == timedelta(0) and end.utcoffset() == timedelta(0)
    assert start == datetime.fromisoformat(booking["starts_at"]).replace(microsecond=0)
    assert end - start == timedelta(minutes=45)
    assert str(event["SUMMARY"]) == "Cut and blow-dry at Café Azul"
    description = str(event["DESCRIPTION"])
    assert "€6.00" in description and "24 hours" in description
    assert str(event["STATUS"]) == "CONFIRMED"
    [alarm] = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == -timedelta(hours=2)
    # Cancelled, the same UID says so: a re-import updates the entry.
    merchant.post(f"/v1/bookings/{booking['id']}/cancel")
    again = Calendar.from_ical(client.get(url).content)
    assert str(again.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_an_unknown_or_foreign_token_is_not_found(
    merchant: Merchant, new_merchant: object, client: TestClient, clock: TestClock
) -> None:
    booking = booked(merchant, clock)
    token = booking["token"]
    other = new_merchant("Salão Rosa")  # type: ignore[operator]
    forged = f"{other.id}.{token.split('.', 1)[1]}"
    for bad in ("nonsense", token[:-2] + "xx", forged, "mer_zz.abc"):
        response = client.get(f"/v1/public/bookings/{bad}.ics")
        assert response.status_code == 404, bad
        assert response.json()["error"]["code"] == "booking_not_found"


def test_the_holds_renew_command_visits_every_merchant(
    database_url: str, merchant: Merchant, clock: TestClock
) -> None:
    result = CliRunner().invoke(
        holds_renew,
        ["--merchant-id", merchant.id, "--json"],
        env={"SERVEFIRST_DATABASE_URL": database_url},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"changed": {merchant.id: []}}
    everyone = CliRunner().invoke(holds_renew, [], env={"SERVEFIRST_DATABASE_URL": database_url})
    assert everyone.exit_code == 0, everyone.output
    assert "merchant(s)" in everyone.output
