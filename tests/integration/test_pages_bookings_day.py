"""The bookings day view: a column per staff member, and booking, moving and
cancelling from it, in the merchant's own time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from servefirst.runtime import Runtime
from servefirst.staff import service as staff
from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import ALWAYS_ASKED, GOOD, SALON
from tests.integration.test_pages_staff import Staff

LISBON = ZoneInfo("Europe/Lisbon")


def salon(merchant: Merchant, runtime: Runtime) -> tuple[dict[str, object], str]:
    assert merchant.post("/v1/merchant", {"timezone": "Europe/Lisbon"}).status_code == 200
    cut = merchant.service("Cut and blow-dry", price=4000, duration_minutes=45)
    with runtime.uow(merchant.id) as uow:
        sofia = staff.create_member(uow, name="Sofia Marques").staff_id
        uow.commit()
    return cut, sofia


def tomorrow(clock: TestClock) -> str:
    return (clock.now().astimezone(LISBON) + timedelta(days=1)).date().isoformat()


def test_a_booking_made_on_the_day_view_lands_in_its_persons_column(
    merchant: Merchant, runtime: Runtime, clock: TestClock, signed_in: Callable[..., Staff]
) -> None:
    cut, sofia = salon(merchant, runtime)
    ana = merchant.customer("Ana Conceição", phone="+351 912 345 678")
    desk = signed_in(merchant, "staff")
    day = tomorrow(clock)
    made = desk.post(
        "/staff/bookings/day",
        {
            "customer": "ana conceicao",
            "service_id": str(cut["id"]),
            "date": day,
            "time": "10:30",
            "staff_id": sofia,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    page = desk.get(made.headers["location"])
    assert page.status_code == 200
    assert "Sofia Marques" in page.text and "Ana Conceição" in page.text
    assert "10:30–11:15" in page.text  # Lisbon's time, not UTC
    booking = merchant.get("/v1/bookings", params={"from": f"{day}T00:00:00+00:00"}).json()
    [only] = [b for b in booking["data"] if b["customer_id"] == ana["id"]]
    starts = datetime.fromisoformat(only["starts_at"]).astimezone(LISBON)
    assert (starts.hour, starts.minute, only["staff_id"]) == (10, 30, sofia)


def test_a_refused_booking_gives_the_form_back_with_what_was_typed(
    merchant: Merchant, runtime: Runtime, clock: TestClock, signed_in: Callable[..., Staff]
) -> None:
    cut, _sofia = salon(merchant, runtime)
    desk = signed_in(merchant)
    day = tomorrow(clock)
    for typed, words in [
        ({"customer": "Nobody Here", "time": "10:00"}, "No customer matches"),
        (
            {"customer": "y" * 5000, "time": "10:00"},
            "No customer matches &#39;yyyyyyyyyyyyyyyyyyyy…&#39;",
        ),
        ({"customer": "", "time": "10:00"}, "Type the customer"),
        ({"customer": "Ana", "time": "abc"}, "is not a time"),
        ({"customer": "Ana", "time": ""}, "Choose a time."),
    ]:
        merchant.customer("Ana")
        sent = {"service_id": str(cut["id"]), "date": day, **typed}
        page = desk.post("/staff/bookings/day", sent)
        assert page.status_code == 422, page.text
        assert words in page.text
        # A time field can hold a time only: "abc" comes back empty (as a browser shows it).
        kept = typed["time"] if typed["time"] != "abc" else ""
        assert f'<input type="time" name="time" required value="{kept}">' in page.text
        assert f'value="{typed["customer"]}"' in page.text
    stale = desk.post(
        "/staff/bookings/day",
        {
            "customer": "Ana",
            "service_id": str(cut["id"]),
            "date": day,
            "time": "11:00",
            "csrf_token": "stale",
        },
    )
    assert stale.status_code == 403
    assert "This form had expired" in stale.text and 'value="11:00"' in stale.text
    assert merchant.get("/v1/bookings").json()["data"] == []


def test_moving_and_cancelling_from_the_day_view(
    merchant: Merchant, runtime: Runtime, clock: TestClock, signed_in: Callable[..., Staff]
) -> None:
    cut, sofia = salon(merchant, runtime)
    ana = merchant.customer("Ana")
    day = tomorrow(clock)
    booked = merchant.post(
        "/v1/bookings",
        {"customer_id": ana["id"], "service_id": cut["id"], "starts_at": f"{day}T09:00:00+00:00"},
    ).json()
    desk = signed_in(merchant)
    moved = desk.post(
        f"/staff/bookings/{booked['id']}/move",
        {"date": day, "time": "15:00", "staff_id": sofia, "back": day},
        follow_redirects=False,
    )
    assert moved.status_code == 303, moved.text
    after = merchant.get(f"/v1/bookings/{booked['id']}").json()
    assert datetime.fromisoformat(after["starts_at"]).astimezone(LISBON).hour == 15
    assert after["staff_id"] == sofia
    past = desk.post(
        f"/staff/bookings/{booked['id']}/move", {"date": "2001-01-01", "time": "15:00", "back": day}
    )
    assert past.status_code == 422 and "future" in past.text
    assert 'value="2001-01-01"' in past.text
    cancelled = desk.post(
        f"/staff/bookings/{booked['id']}/cancel-from-day", {"back": day}, follow_redirects=False
    )
    assert cancelled.status_code == 303
    assert merchant.get(f"/v1/bookings/{booked['id']}").json()["status"] == "cancelled"


def test_a_day_that_is_not_a_date_is_said_in_words(
    merchant: Merchant, signed_in: Callable[..., Staff]
) -> None:
    page = signed_in(merchant).get("/staff/bookings/day", params={"date": "yesterday-ish"})
    assert page.status_code == 422
    assert "Write the day as YYYY-MM-DD, e.g. 2026-11-25." in page.text


def test_a_cancelled_booking_on_the_day_view_says_what_became_of_its_deposit(
    merchant: Merchant, runtime: Runtime, clock: TestClock, signed_in: Callable[..., Staff]
) -> None:
    cut, _sofia = salon(merchant, runtime)
    policy = merchant.post("/v1/merchant/deposit-policy", {"deposit_policy": ALWAYS_ASKED | SALON})
    assert policy.status_code == 200, policy.text
    ana = merchant.customer("Ana")
    day = (clock.now().astimezone(LISBON) + timedelta(days=3)).date().isoformat()
    booked = merchant.post(
        "/v1/bookings",
        {
            "customer_id": ana["id"],
            "service_id": cut["id"],
            "starts_at": f"{day}T09:00:00+00:00",
            "card": GOOD,
        },
    ).json()
    assert booked["deposit"]["amount"] == 600
    desk = signed_in(merchant)
    assert "Deposit €6.00 held" in desk.get(f"/staff/bookings/day?date={day}").text
    cancelled = desk.post(
        f"/staff/bookings/{booked['id']}/cancel-from-day", {"back": day}, follow_redirects=False
    )
    assert cancelled.status_code == 303
    page = desk.get(f"/staff/bookings/day?date={day}").text
    # Days ahead: the whole deposit goes back, and the day's row says so.
    assert "Deposit €6.00 refunded" in page


def test_a_time_already_taken_names_who_is_busy_and_until_when_on_the_local_clock(
    merchant: Merchant, runtime: Runtime, clock: TestClock, signed_in: Callable[..., Staff]
) -> None:
    cut, sofia = salon(merchant, runtime)
    merchant.customer("Ana Costa")
    merchant.customer("Bea Reis")
    desk = signed_in(merchant, "staff")
    day = tomorrow(clock)
    first = {"service_id": str(cut["id"]), "date": day, "time": "10:30", "staff_id": sofia}
    made = desk.post("/staff/bookings/day", {**first, "customer": "Ana"}, follow_redirects=False)
    assert made.status_code == 303, made.text
    clash = {**first, "customer": "Bea", "time": "11:00"}
    refused = desk.post("/staff/bookings/day", clash)
    assert refused.status_code == 409
    said = "Sofia Marques is busy from 10:30 to 11:15; choose another time or another person."
    assert said in refused.text
    assert sofia not in refused.text.replace(f'value="{sofia}"', "")
    assert desk.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    refused = desk.post("/staff/bookings/day", clash)
    assert "Sofia Marques está ocupado(a) das 10:30 às 11:15" in refused.text


def test_a_portuguese_desk_without_a_date_picker_books_a_day_typed_day_first(
    merchant: Merchant, runtime: Runtime, clock: TestClock, signed_in: Callable[..., Staff]
) -> None:
    cut, sofia = salon(merchant, runtime)
    merchant.customer("Ana Conceição", phone="+351 912 345 678")
    desk = signed_in(merchant, "staff")
    assert desk.post("/staff/settings/language", {"language": "pt"}).status_code == 200
    day = tomorrow(clock)
    year, month, dom = day.split("-")
    typed = {"customer": "ana conceicao", "service_id": str(cut["id"]), "staff_id": sofia}
    slip = desk.post("/staff/bookings/day", {**typed, "date": f"{dom}/{month}/{year}", "time": ""})
    assert slip.status_code == 422
    assert f'name="date" required value="{day}"' in slip.text  # the picker's own form
    made = desk.post(
        "/staff/bookings/day",
        {**typed, "date": f"{dom}/{month}/{year}", "time": "10:30"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    assert made.headers["location"].startswith(f"/staff/bookings/day?date={day}")
