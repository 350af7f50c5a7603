"""Dates at the edges of the calendar: every date the API takes is held to the
years 2000 to 2100 and refused outside them with a 422 naming the parameter,
never a 500 from an overflow (year 9999 plus a day, year 1 moved to UTC)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import Merchant, TestClock

REPORTS = (
    "/v1/reports/earnings",
    "/v1/reports/earnings.csv",
    "/v1/reports/satisfaction",
    "/v1/bookings",
)

#: (query, the parameter named in the refusal)
OUTSIDE = (
    ({"to": "9999-12-31"}, "to"),
    ({"to": "9999-12-31T23:59:59Z"}, "to"),
    ({"from": "0001-01-01T00:00:00+14:00"}, "from"),
    ({"from": "0001-01-01"}, "from"),
    ({"from": "1999-12-31T23:59:59Z"}, "from"),
    ({"from": "2026-01-01", "to": "2101-01-01"}, "to"),
)


@pytest.mark.parametrize("path", REPORTS)
@pytest.mark.parametrize(("query", "param"), OUTSIDE)
def test_a_period_outside_the_calendar_is_refused_by_name(
    merchant: Merchant, path: str, query: dict[str, str], param: str
) -> None:
    refused = merchant.get(path, params=query)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["param"]) == ("parameter_invalid", param)
    assert "2000 to 2100" in error["message"]


@pytest.mark.parametrize("path", REPORTS)
def test_the_calendar_s_own_edges_are_accepted(merchant: Merchant, path: str) -> None:
    for query in (
        {"from": "2000-01-01", "to": "2100-12-31"},
        {"from": "2000-01-01T00:00:00Z", "to": "2100-12-31T23:59:59+00:00"},
    ):
        answered = merchant.get(path, params=query)
        assert answered.status_code == 200, (query, answered.text)


def test_a_report_period_still_takes_a_date_or_a_time(merchant: Merchant, clock: TestClock) -> None:
    today = clock.now().date()
    whole_day = merchant.get(
        "/v1/reports/satisfaction", params={"from": str(today), "to": str(today)}
    ).json()
    assert whole_day["to"].startswith(str(today + timedelta(days=1)))
    naive = merchant.get(
        "/v1/reports/earnings", params={"from": f"{today}T08:00:00", "to": f"{today}T09:00"}
    )
    assert naive.status_code == 200, naive.text


@pytest.mark.parametrize(
    "starts_at",
    ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "2000-01-01T01:00:00+02:00"],
)
def test_a_booking_outside_the_calendar_is_refused_by_name(
    merchant: Merchant, starts_at: str
) -> None:
    service = merchant.service("Cut", price=4000, duration_minutes=45)
    customer = merchant.customer()
    refused = merchant.post(
        "/v1/bookings",
        {"customer_id": customer["id"], "service_id": service["id"], "starts_at": starts_at},
    )
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["param"]) == ("parameter_invalid", "starts_at")
    assert "2000 to 2100" in error["message"]


def test_report_periods_are_typed_dates_in_the_schema(app: object) -> None:
    schema = app.openapi()  # type: ignore[attr-defined]
    for path in REPORTS:
        for parameter in schema["paths"][path]["get"]["parameters"]:
            if parameter["name"] not in ("from", "to"):
                continue
            kinds = parameter["schema"].get("anyOf", [parameter["schema"]])
            formats = {k.get("format") for k in kinds if k.get("type") == "string"}
            assert "date-time" in formats, (path, parameter)
            if path != "/v1/bookings":  # bookings' window is in times only
                assert "date" in formats, (path, parameter)
