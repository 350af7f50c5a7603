"""A service's buffer keeps its staff member free after each booking, on the
staff route as online (and on PostgreSQL in the database itself); a booking
made online for "anyone" may move to whoever performs the service and is free."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.integration.test_availability_api import Salon


@pytest.fixture
def shop(merchant: Merchant, clock: TestClock) -> Salon:
    return Salon(merchant, clock)  # a 45-minute cut, kept free 15 minutes after


def staff_books(shop: Salon, starts_at: str, staff_id: str) -> Any:
    customer = shop.merchant.customer("Ana Costa")
    return shop.merchant.post(
        "/v1/bookings",
        {
            "customer_id": customer["id"],
            "service_id": shop.cut["id"],
            "starts_at": starts_at,
            "staff_id": staff_id,
        },
    )


def moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def offered_on(shop: Salon, day: date) -> set[datetime]:
    answer = shop.slots(**{"from": day.isoformat(), "to": day.isoformat()})
    return {moment(s["starts_at"]) for s in answer.json()["slots"]}


def test_the_staff_route_refuses_a_booking_inside_anothers_buffer(shop: Salon) -> None:
    day = shop.day(5)
    first = staff_books(shop, shop.at(day, "10:00"), shop.maria)
    assert first.status_code == 201, first.text
    inside = staff_books(shop, shop.at(day, "10:50"), shop.maria)  # 10:45-11:00 is the buffer
    assert inside.status_code == 409, inside.text
    assert inside.json()["error"]["code"] == "booking_overlaps"
    assert "kept free until" in inside.json()["error"]["message"]
    # Nor may the new booking's own buffer run into the next one.
    before = staff_books(shop, shop.at(day, "09:10"), shop.maria)  # ends 09:55, free at 10:10
    assert before.status_code == 409, before.text
    assert len(shop.booked()) == 1
    after = staff_books(shop, shop.at(day, "11:00"), shop.maria)
    assert after.status_code == 201, after.text
    earlier = staff_books(shop, shop.at(day, "09:00"), shop.maria)  # free again at 10:00
    assert earlier.status_code == 201, earlier.text


def test_staff_moving_a_booking_respect_the_buffers_too(shop: Salon) -> None:
    day = shop.day(5)
    assert staff_books(shop, shop.at(day, "10:00"), shop.maria).status_code == 201
    other = staff_books(shop, shop.at(day, "15:00"), shop.maria).json()
    moved = shop.merchant.post(
        f"/v1/bookings/{other['id']}/reschedule", {"starts_at": shop.at(day, "10:55")}
    )
    assert moved.status_code == 409, moved.text
    assert moved.json()["error"]["code"] == "booking_overlaps"


def test_a_booking_remembers_the_buffer_it_was_booked_with(shop: Salon) -> None:
    """Changing the service's buffer later does not shrink a booking's."""
    day = shop.day(5)
    assert staff_books(shop, shop.at(day, "10:00"), shop.maria).status_code == 201
    changed = shop.merchant.post(f"/v1/services/{shop.cut['id']}", {"buffer_minutes": 0})
    assert changed.status_code == 200, changed.text
    assert staff_books(shop, shop.at(day, "10:50"), shop.maria).status_code == 409
    offered = offered_on(shop, day)
    assert moment(shop.at(day, "10:45")) not in offered
    assert moment(shop.at(day, "11:00")) in offered


def test_postgresql_refuses_a_booking_inside_anothers_buffer_by_itself(
    runtime: Runtime, shop: Salon, backend: str
) -> None:
    booked = shop.book(shop.at(shop.day(6), "10:00"))
    assert booked.status_code == 201, booked.text
    if backend != "postgresql":
        again = staff_books(shop, shop.at(shop.day(6), "10:50"), shop.maria)
        assert again.json()["error"]["code"] == "booking_overlaps"
        return
    columns = [c["name"] for c in inspect(runtime.engine).get_columns("bookings")]

    def copy(minutes: int) -> str:
        shifted = {
            "booking_id": f"booking_id || '{minutes}'",
            "token": f"token || '{minutes}'",
            "starts_at": f"starts_at + interval '{minutes} minutes'",
            "ends_at": f"ends_at + interval '{minutes} minutes'",
        }
        return (
            f"INSERT INTO bookings ({', '.join(columns)})"  # noqa: S608
            f" SELECT {', '.join(shifted.get(c, c) for c in columns)}"
            " FROM bookings WHERE merchant_id = :m AND booking_id = :b"
        )

    ids = {"m": shop.merchant.id, "b": booked.json()["id"]}
    with runtime.engine.connect() as conn, pytest.raises(IntegrityError) as refused:
        conn.execute(text(copy(50)), ids)  # starts in the 10:45-11:00 buffer
    assert "ex_bookings_staff_time" in str(refused.value)
    with runtime.engine.begin() as conn:
        conn.execute(text(copy(60)), ids)  # starts as the buffer ends


def test_a_booking_for_anyone_moves_to_whoever_is_free(shop: Salon) -> None:
    joana = shop.staff("Joana")
    day = shop.day(4)
    made = shop.book(shop.at(day, "10:00")).json()  # anyone: the least busy, by id
    first = made["staff_id"]
    other = joana if first == shop.maria else shop.maria
    # The first person is taken at 15:00 by somebody else.
    assert staff_books(shop, shop.at(day, "15:00"), first).status_code == 201
    assert moment(shop.at(day, "15:00")) in offered_on(shop, day)
    moved = shop.merchant.post(
        f"/v1/bookings/{made['id']}/reschedule", {"starts_at": shop.at(day, "15:00")}
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["id"], moved.json()["staff_id"]) == (made["id"], other)
    # Free again for its own person: it stays with them.
    back = shop.merchant.post(
        f"/v1/bookings/{made['id']}/reschedule", {"starts_at": shop.at(day, "11:00")}
    )
    assert back.json()["staff_id"] == other


def test_a_booking_with_a_chosen_person_stays_with_them(shop: Salon) -> None:
    joana = shop.staff("Joana")
    day = shop.day(4)
    made = shop.book(shop.at(day, "10:00"), staff_id=shop.maria).json()
    assert staff_books(shop, shop.at(day, "15:00"), shop.maria).status_code == 201
    refused = shop.merchant.post(
        f"/v1/bookings/{made['id']}/reschedule", {"starts_at": shop.at(day, "15:00")}
    )
    assert refused.status_code == 409, refused.text
    named = shop.merchant.post(
        f"/v1/bookings/{made['id']}/reschedule",
        {"starts_at": shop.at(day, "15:00"), "staff_id": joana},
    )
    assert named.json()["staff_id"] == joana


def test_nobody_free_keeps_a_move_for_anyone_refused(shop: Salon) -> None:
    joana = shop.staff("Joana")
    day = shop.day(4)
    made = shop.book(shop.at(day, "10:00")).json()
    for person in (shop.maria, joana):
        assert staff_books(shop, shop.at(day, "15:00"), person).status_code == 201
    refused = shop.merchant.post(
        f"/v1/bookings/{made['id']}/reschedule", {"starts_at": shop.at(day, "15:00")}
    )
    assert refused.status_code == 409, refused.text
    [mine] = [b for b in shop.booked() if b["id"] == made["id"]]
    assert mine["starts_at"] == made["starts_at"]


def test_the_manage_page_offers_everyones_times_for_an_anyone_booking(shop: Salon) -> None:
    from tests.integration.test_pages_booking import GUARD, get, post

    joana = shop.staff("Joana")
    day = shop.day(4)
    made = shop.book(shop.at(day, "10:00")).json()
    token = made["manage_url"].rsplit("/", 1)[1]
    first = made["staff_id"]
    other = joana if first == shop.maria else shop.maria
    assert staff_books(shop, shop.at(day, "15:00"), first).status_code == 201
    page = get(shop, f"/b/{shop.slug}/bookings/{token}", params={"day": day.isoformat()})
    local_15 = datetime.fromisoformat(shop.at(day, "15:00")).isoformat()
    assert f'value="{local_15}"' in page.text  # the other person is free then
    moved = post(
        shop,
        f"/b/{shop.slug}/bookings/{token}/move",
        {"csrf_token": GUARD.search(page.text).group(1), "starts_at": local_15},  # type: ignore[union-attr]
    )
    assert moved.status_code == 303, moved.text
    [mine] = [b for b in shop.booked() if b["id"] == made["id"]]
    assert mine["staff_id"] == other
    assert datetime.fromisoformat(mine["starts_at"]) == datetime.fromisoformat(local_15)


def test_a_move_online_for_a_chosen_person_is_offered_only_their_times(shop: Salon) -> None:
    from tests.integration.test_pages_booking import get

    shop.staff("Joana")
    day = shop.day(4)
    made = shop.book(shop.at(day, "10:00"), staff_id=shop.maria).json()
    token = made["manage_url"].rsplit("/", 1)[1]
    assert staff_books(shop, shop.at(day, "15:00"), shop.maria).status_code == 201
    page = get(shop, f"/b/{shop.slug}/bookings/{token}", params={"day": day.isoformat()})
    assert f'value="{shop.at(day, "15:00")}"' not in page.text
    assert f'value="{shop.at(day, "16:00")}"' in page.text
    # Its own time does not stand in its way: a quarter later is offered.
    assert f'value="{shop.at(day, "10:15")}"' in page.text
