"""Online booking over HTTP: a stylist's hours, the times offered, a customer
booking one by the salon's slug, and every refusal clear with nothing booked."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import GOOD, salon

LISBON = ZoneInfo("Europe/Lisbon")
WEEK = {day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in
        ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}  # fmt: skip
_slugs = itertools.count()


class Salon:
    def __init__(self, merchant: Merchant, clock: TestClock) -> None:
        self.merchant, self.clock = merchant, clock
        self.slug = f"salon-{merchant.id.lower().replace('_', '-')}-{next(_slugs)}"
        changed = merchant.post("/v1/merchant", {"slug": self.slug, "timezone": "Europe/Lisbon"})
        assert changed.status_code == 200, changed.text
        self.cut = merchant.service(
            "Cut and blow-dry", price=4000, duration_minutes=45, buffer_minutes=15
        )
        self.maria = self.staff("Maria")

    def staff(self, name: str, week: dict[str, Any] | None = None) -> str:
        created = self.merchant.post("/v1/staff", {"name": name})
        assert created.status_code == 201, created.text
        staff_id: str = created.json()["id"]
        hours = {"weekly": week or WEEK, "services": [self.cut["id"]]}
        answer = self.merchant.post(f"/v1/staff/{staff_id}/hours", hours)
        assert answer.status_code == 200, answer.text
        return staff_id

    def day(self, ahead: int = 3) -> date:
        return (self.clock.now().astimezone(LISBON) + timedelta(days=ahead)).date()

    def at(self, day: date, clock: str) -> str:
        hour, minute = map(int, clock.split(":"))
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LISBON).isoformat()

    def slots(self, **query: Any) -> Any:
        query.setdefault("service_id", self.cut["id"])
        return self.merchant.client.get(
            f"/v1/public/merchants/{self.slug}/availability", params=query
        )

    def book(self, starts_at: str, **body: Any) -> Any:
        body = {
            "service_id": self.cut["id"],
            "starts_at": starts_at,
            "name": "Rita Lopes",
            "email": "rita@example.com",
            **body,
        }
        return self.merchant.client.post(f"/v1/public/merchants/{self.slug}/bookings", json=body)

    def booked(self) -> list[dict[str, Any]]:
        found = self.merchant.get("/v1/bookings", params={"from": "2000-01-01T00:00:00Z"})
        return found.json()["data"]  # type: ignore[no-any-return]


@pytest.fixture
def shop(merchant: Merchant, clock: TestClock) -> Salon:
    return Salon(merchant, clock)


def test_the_merchant_shows_its_slug_and_booking_settings(shop: Salon) -> None:
    shown = shop.merchant.get("/v1/merchant").json()
    assert shown["slug"] == shop.slug
    assert (shown["slot_minutes"], shown["min_notice_minutes"], shown["max_days_ahead"]) == (
        15,
        120,
        60,
    )
    changed = shop.merchant.post("/v1/merchant", {"slot_minutes": 30, "max_days_ahead": 90})
    assert (changed.json()["slot_minutes"], changed.json()["max_days_ahead"]) == (30, 90)


@pytest.mark.parametrize("slug", ["Cafe-Azul", "café", "-azul", "azul-", "a--b", "a b", ""])
def test_a_slug_that_cannot_be_a_link_is_refused(merchant: Merchant, slug: str) -> None:
    refused = merchant.post("/v1/merchant", {"slug": slug})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["param"] == "slug"
    assert merchant.get("/v1/merchant").json()["slug"] is None


def test_a_slug_another_business_holds_is_taken(shop: Salon, new_merchant: Any) -> None:
    other = new_merchant("Outro Salão")
    refused = other.post("/v1/merchant", {"slug": shop.slug, "name": "Renamed"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "slug_taken"
    assert other.get("/v1/merchant").json()["name"] == "Outro Salão"


def test_hours_are_kept_as_given(shop: Salon) -> None:
    body = {
        "weekly": {"mon": [["14:00", "18:00"], ["09:00", "13:00"]]},
        "exceptions": [{"date": "2026-12-24", "hours": []}],
        "services": [shop.cut["id"]],
    }
    assert shop.merchant.post(f"/v1/staff/{shop.maria}/hours", body).status_code == 200
    shown = shop.merchant.get(f"/v1/staff/{shop.maria}/hours").json()
    assert shown["weekly"] == {"mon": [["09:00", "13:00"], ["14:00", "18:00"]]}
    assert shown["exceptions"] == [{"date": "2026-12-24", "hours": []}]
    assert shown["services"] == [shop.cut["id"]]


@pytest.mark.parametrize(
    ("weekly", "services", "code"),
    [
        ({"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}, None, "hours_overlap"),
        ({"mon": [["09:00", "25:00"]]}, None, "hours_invalid"),
        ({"mon": [["18:00", "09:00"]]}, None, "hours_invalid"),
        ({"mon": [["9am", "5pm"]]}, None, "hours_invalid"),
        ({"monday": [["09:00", "13:00"]]}, None, "hours_invalid"),
        ({"mon": [["09:00", "13:00"]]}, ["svc_nope"], "service_unknown"),
    ],
)
def test_impossible_hours_are_refused_and_nothing_is_saved(
    shop: Salon, weekly: dict[str, Any], services: list[str] | None, code: str
) -> None:
    before = shop.merchant.get(f"/v1/staff/{shop.maria}/hours").json()
    body = {"weekly": weekly, "services": services or [shop.cut["id"]]}
    refused = shop.merchant.post(f"/v1/staff/{shop.maria}/hours", body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == code
    assert refused.json()["error"]["message"]
    assert shop.merchant.get(f"/v1/staff/{shop.maria}/hours").json() == before


def test_hours_of_someone_unknown_answer_404(merchant: Merchant) -> None:
    assert merchant.get("/v1/staff/stf_nobody/hours").status_code == 404


def test_the_public_services_say_what_is_offered_and_by_whom(shop: Salon) -> None:
    listed = shop.merchant.client.get(f"/v1/public/merchants/{shop.slug}/services")
    assert listed.status_code == 200, listed.text
    (cut,) = [s for s in listed.json()["data"] if s["id"] == shop.cut["id"]]
    assert cut["duration_minutes"] == 45 and cut["price"] == 4000
    assert cut["expected_results"] and cut["limits"]
    assert [p["name"] for p in cut["staff"]] == ["Maria"]
    assert (
        shop.merchant.client.get("/v1/public/merchants/no-such-salon/services").status_code == 404
    )


def test_a_day_offers_the_working_hours_on_the_step(shop: Salon) -> None:
    day = shop.day()
    slots = shop.slots(**{"from": day.isoformat(), "to": day.isoformat()}).json()["slots"]
    starts = [datetime.fromisoformat(s["starts_at"]).astimezone(LISBON).strftime("%H:%M")
              for s in slots]  # fmt: skip
    # 09:00-13:00 and 14:00-18:00, 45 minutes each, every 15 minutes.
    assert starts[0] == "09:00" and "12:15" in starts and "12:30" not in starts
    assert "14:00" in starts and starts[-1] == "17:15"
    assert len(starts) == 2 * 14
    assert {s["staff_id"] for s in slots} == {shop.maria}


def test_a_booking_and_its_buffer_are_no_longer_offered(shop: Salon) -> None:
    day = shop.day()
    booked = shop.book(shop.at(day, "10:00"))
    assert booked.status_code == 201, booked.text
    assert booked.json()["staff_id"] == shop.maria
    assert f"/b/{shop.slug}/bookings/" in booked.json()["manage_url"]
    slots = shop.slots(**{"from": day.isoformat(), "to": day.isoformat()}).json()["slots"]
    starts = {datetime.fromisoformat(s["starts_at"]).astimezone(LISBON).strftime("%H:%M")
              for s in slots}  # fmt: skip
    # The cut runs 10:00-10:45 and its buffer to 11:00; a cut before it must
    # end, with its own buffer, by 10:00.
    assert "09:00" in starts
    assert not starts & {"09:15", "09:30", "09:45", "10:00", "10:30", "10:45"}
    assert "11:00" in starts


def test_anyone_offers_whoever_is_free(shop: Salon) -> None:
    joana = shop.staff("Joana")
    day = shop.day()
    assert shop.book(shop.at(day, "10:00"), staff_id=shop.maria).status_code == 201
    second = shop.book(shop.at(day, "10:00"))
    assert second.status_code == 201, second.text
    assert second.json()["staff_id"] == joana
    third = shop.book(shop.at(day, "10:00"))
    assert third.status_code == 409
    assert third.json()["error"]["code"] == "booking_overlaps"


def test_a_window_longer_than_fourteen_days_is_refused(shop: Salon) -> None:
    day = shop.day()
    refused = shop.slots(**{"from": day.isoformat(), "to": (day + timedelta(days=14)).isoformat()})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "window_too_long"
    assert "14 days" in refused.json()["error"]["message"]
    fine = shop.slots(**{"from": day.isoformat(), "to": (day + timedelta(days=13)).isoformat()})
    assert fine.status_code == 200


def test_a_slot_taken_meanwhile_answers_booking_overlaps(shop: Salon) -> None:
    day = shop.day()
    assert shop.book(shop.at(day, "15:00"), staff_id=shop.maria).status_code == 201
    taken = shop.book(shop.at(day, "15:30"), staff_id=shop.maria, email="joao@example.com")
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "booking_overlaps"
    # The answer offers the next free times: after the cut and its buffer.
    following = [
        datetime.fromisoformat(s["starts_at"]) for s in taken.json()["error"]["next_slots"]
    ]
    assert following[0] == datetime.fromisoformat(shop.at(day, "16:00"))
    # Its buffer too: the cut ends at 15:45, the buffer at 16:00.
    assert shop.book(shop.at(day, "15:45"), staff_id=shop.maria).status_code == 409
    assert shop.book(shop.at(day, "16:00"), staff_id=shop.maria).status_code == 201


def test_each_impossible_time_is_a_clear_refusal_and_books_nothing(shop: Salon) -> None:
    other = shop.merchant.service("Colour", price=6000, duration_minutes=90)
    now = shop.clock.now()
    day = shop.day()
    cases = [
        (shop.at(day, "07:00"), {}, 422, "slot_outside_hours"),
        (shop.at(day, "12:30"), {}, 422, "slot_outside_hours"),  # runs into lunch
        ((now - timedelta(hours=1)).isoformat(), {}, 422, "slot_in_past"),
        ((now + timedelta(minutes=30)).isoformat(), {}, 422, "slot_too_soon"),
        (shop.at(shop.day(75), "10:00"), {}, 422, "slot_too_far_ahead"),
        (shop.at(day, "10:00"), {"service_id": other["id"]}, 422, "service_not_performed"),
        (shop.at(day, "10:00"), {"staff_id": "stf_nobody"}, 404, "resource_missing"),
    ]
    for starts_at, extra, status, code in cases:
        refused = shop.book(starts_at, **extra)
        assert refused.status_code == status, (code, refused.text)
        assert refused.json()["error"]["code"] == code
    assert shop.booked() == []


def test_a_phone_that_is_not_a_phone_is_refused_as_the_customers_api_refuses_it(
    shop: Salon,
) -> None:
    for phone in ("call me", "---"):
        refused = shop.book(shop.at(shop.day(), "10:00"), phone=phone)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["param"] == "phone"
    assert shop.booked() == []
    booked = shop.book(shop.at(shop.day(), "10:00"), phone="+351 912 345 678")
    assert booked.status_code == 201, booked.text


def test_a_day_off_offers_nothing(shop: Salon) -> None:
    day = shop.day(4)
    body = {"weekly": WEEK, "exceptions": [{"date": day.isoformat(), "hours": []}],
            "services": [shop.cut["id"]]}  # fmt: skip
    assert shop.merchant.post(f"/v1/staff/{shop.maria}/hours", body).status_code == 200
    slots = shop.slots(**{"from": day.isoformat(), "to": day.isoformat()}).json()["slots"]
    assert slots == []
    refused = shop.book(shop.at(day, "10:00"))
    assert refused.json()["error"]["code"] == "slot_outside_hours"


def test_a_deposit_is_asked_of_a_new_customer_as_on_the_staff_route(shop: Salon) -> None:
    salon(shop.merchant)
    day = shop.day()
    refused = shop.book(shop.at(day, "11:00"))
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "deposit_required"
    assert shop.booked() == []
    booked = shop.book(shop.at(day, "11:00"), card=GOOD)
    assert booked.status_code == 201, booked.text
    assert booked.json()["deposit"]["status"] == "held"
    assert booked.json()["deposit"]["amount"] == 600


def test_a_payment_method_the_sandbox_never_made_is_declined_and_books_nothing(
    shop: Salon,
) -> None:
    """On the sandbox a deposit takes a test card; a Stripe PaymentMethod is
    for a merchant on Stripe (tests/integration/test_stripe_bookings.py)."""
    salon(shop.merchant)
    refused = shop.book(shop.at(shop.day(), "11:00"), payment_method="pm_card_visa")
    assert refused.status_code == 402, refused.text
    assert refused.json()["error"]["code"] == "invalid_payment_method"
    assert shop.booked() == []


def test_a_retried_booking_with_its_idempotency_key_books_once(shop: Salon) -> None:
    body = {
        "service_id": shop.cut["id"],
        "starts_at": shop.at(shop.day(), "14:00"),
        "name": "Rita Lopes",
        "email": "rita@example.com",
    }
    url = f"/v1/public/merchants/{shop.slug}/bookings"
    headers = {"Idempotency-Key": "rita-try-1"}
    first = shop.merchant.client.post(url, json=body, headers=headers)
    again = shop.merchant.client.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert len(shop.booked()) == 1


def test_the_calendar_in_seconds_is_the_calendar(shop: Salon, runtime: Any) -> None:
    """What availability reads (whole seconds, by the database) holds the same
    bookings and times as the booking checks' own read, on either engine."""
    from servefirst.bookings import service as bookings

    joana = shop.staff("Joana")
    day = shop.day()
    for clock, who in (("10:00", shop.maria), ("15:30", joana), ("11:15", joana)):
        assert shop.book(shop.at(day, clock), staff_id=who).status_code == 201
    start = datetime.combine(day, datetime.min.time(), tzinfo=LISBON)
    with runtime.uow(shop.merchant.id, write=False) as uow:
        staff = sorted([shop.maria, joana])
        seen = bookings.occupied(uow, staff, start, start + timedelta(days=1))
        in_seconds = bookings.occupied_seconds(uow, staff, start, start + timedelta(days=1))
    assert len(seen) == 3
    assert sorted(in_seconds) == sorted(
        (o.staff_id, int(o.starts_at.timestamp()), int(o.taken_until.timestamp()), o.booking_id)
        for o in seen
    )
