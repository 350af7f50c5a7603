"""A stylist leaves the salon, over the API: the owner marks her as gone
(``active: false`` on ``POST /v1/staff/{id}``), she is off the current team
and offered for nothing new, everything she did stays hers, and she can be
brought back. The last owner, and anyone with bookings still to come, cannot
be marked as gone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Merchant, TestClock
from tests.integration.test_availability_api import Salon
from tests.integration.test_earnings_api import add, around_now, member, pay, review


def leaves(merchant: Merchant, staff_id: str, active: bool = False) -> Any:
    return merchant.post(f"/v1/staff/{staff_id}", {"active": active})


def team(merchant: Merchant, **params: Any) -> list[str]:
    return [m["name"] for m in merchant.get("/v1/staff", params=params).json()["data"]]


@pytest.fixture
def shop(merchant: Merchant, clock: TestClock) -> Salon:
    return Salon(merchant, clock)


def test_a_stylist_who_left_is_off_the_team_and_comes_back_when_brought_back(
    merchant: Merchant,
) -> None:
    marta = member(merchant, "Marta Silva", 1000)
    member(merchant, "Joana Reis")
    assert marta["active"] is True

    gone = leaves(merchant, marta["id"])
    assert gone.status_code == 200, gone.text
    assert (gone.json()["active"], gone.json()["name"]) == (False, "Marta Silva")
    assert team(merchant) == ["Joana Reis"]
    assert team(merchant, include_inactive="true") == ["Joana Reis", "Marta Silva"]
    assert merchant.get(f"/v1/staff/{marta['id']}").json()["active"] is False

    back = leaves(merchant, marta["id"], active=True)
    assert back.status_code == 200 and back.json()["active"] is True
    assert team(merchant) == ["Joana Reis", "Marta Silva"]


def test_the_last_owner_cannot_be_marked_as_gone(merchant: Merchant) -> None:
    rita = member(merchant, "Rita Lopes", role="owner")
    refused = leaves(merchant, rita["id"])
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["param"]) == ("last_owner", "active")
    assert "Rita Lopes is the last owner" in error["message"]
    assert merchant.get(f"/v1/staff/{rita['id']}").json()["active"] is True

    # With a second owner either may go, but not both: one who left owns nothing.
    tiago = member(merchant, "Tiago Costa", access="owner")
    assert leaves(merchant, tiago["id"]).status_code == 200
    assert leaves(merchant, rita["id"]).json()["error"]["code"] == "last_owner"


def test_someone_with_bookings_to_come_is_refused_saying_how_many(shop: Salon) -> None:
    day = shop.day()
    first = shop.book(shop.at(day, "10:00"), staff_id=shop.maria)
    assert first.status_code == 201, first.text
    assert shop.book(shop.at(day, "15:00"), staff_id=shop.maria).status_code == 201

    refused = leaves(shop.merchant, shop.maria)
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["upcoming_bookings"]) == ("staff_has_bookings", 2)
    assert "still has 2 bookings to come" in error["message"]
    assert shop.merchant.get(f"/v1/staff/{shop.maria}").json()["active"] is True

    # Once the owner cancelled them (or moved them to someone else), she may go.
    for booking in shop.booked():
        cancelled = shop.merchant.post(f"/v1/bookings/{booking['id']}/cancel", {"by": "business"})
        assert cancelled.status_code == 200, cancelled.text
    assert leaves(shop.merchant, shop.maria).status_code == 200


@pytest.mark.parametrize("active", ["no", 0, "false"])
def test_an_active_that_is_not_true_or_false_is_refused_and_nothing_changes(
    merchant: Merchant, active: Any
) -> None:
    marta = member(merchant, "Marta Silva")
    refused = merchant.post(f"/v1/staff/{marta['id']}", {"active": active, "name": "M"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["param"] == "active"
    shown = merchant.get(f"/v1/staff/{marta['id']}").json()
    assert (shown["active"], shown["name"]) == (True, "Marta Silva")


def test_an_unknown_member_is_not_found(merchant: Merchant, new_merchant: Any) -> None:
    elsewhere = member(new_merchant(name="Other salon"), "Rita Lopes")
    for staff_id in ("stf_nobody", elsewhere["id"]):
        missing = leaves(merchant, staff_id)
        assert missing.status_code == 404, missing.text
        assert missing.json()["error"]["param"] == "staff_id"


def test_a_stylist_who_left_is_not_offered_online_nor_bookable(shop: Salon) -> None:
    joana = shop.staff("Joana")
    assert leaves(shop.merchant, joana).status_code == 200
    day = shop.day()
    window = {"from": day.isoformat(), "to": day.isoformat()}

    slots = shop.slots(**window).json()["slots"]
    assert slots and {s["staff_id"] for s in slots} == {shop.maria}
    services = shop.merchant.client.get(f"/v1/public/merchants/{shop.slug}/services").json()
    assert [p["id"] for p in services["data"][0]["staff"]] == [shop.maria]

    asked = shop.slots(staff_id=joana, **window)
    assert asked.status_code == 409 and asked.json()["error"]["code"] == "staff_inactive"
    online = shop.book(shop.at(day, "10:00"), staff_id=joana)
    assert online.status_code == 409, online.text
    assert (online.json()["error"]["code"], online.json()["error"]["param"]) == (
        "staff_inactive",
        "staff_id",
    )
    customer = shop.merchant.customer("Rita Lopes")
    at_desk = shop.merchant.post(
        "/v1/bookings",
        {
            "customer_id": customer["id"],
            "service_id": shop.cut["id"],
            "starts_at": shop.at(day, "11:00"),
            "staff_id": joana,
        },
    )
    assert at_desk.status_code == 409 and at_desk.json()["error"]["code"] == "staff_inactive"
    assert shop.booked() == []

    # Anyone still books, with whoever is here.
    anyone = shop.book(shop.at(day, "10:00"))
    assert anyone.status_code == 201 and anyone.json()["staff_id"] == shop.maria
    # Brought back, she is offered again.
    assert leaves(shop.merchant, joana, active=True).status_code == 200
    again = shop.slots(**window).json()["slots"]
    assert joana in {s["staff_id"] for s in again}


def test_a_booking_is_not_moved_to_someone_who_left(shop: Salon) -> None:
    joana = shop.staff("Joana")
    day = shop.day()
    booked = shop.book(shop.at(day, "10:00"), staff_id=shop.maria)
    assert booked.status_code == 201, booked.text
    assert leaves(shop.merchant, joana).status_code == 200
    moved = shop.merchant.post(
        f"/v1/bookings/{booked.json()['id']}/reschedule",
        {"starts_at": shop.at(day, "11:00"), "staff_id": joana},
    )
    assert moved.status_code == 409 and moved.json()["error"]["code"] == "staff_inactive"
    kept = shop.merchant.get(f"/v1/bookings/{booked.json()['id']}").json()
    assert kept["staff_id"] == shop.maria and kept["starts_at"] == booked.json()["starts_at"]


def test_no_new_line_is_credited_to_someone_who_left(merchant: Merchant) -> None:
    marta = member(merchant, "Marta Silva", 1000)
    assert leaves(merchant, marta["id"]).status_code == 200
    tab = merchant.tab()
    cut = merchant.service("Cut", price=2500)
    refused = merchant.post(
        f"/v1/tabs/{tab['id']}/lines", {"service_id": cut["id"], "staff_id": marta["id"]}
    )
    assert refused.status_code == 409, refused.text
    assert (refused.json()["error"]["code"], refused.json()["error"]["param"]) == (
        "staff_inactive",
        "staff_id",
    )
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"] == []


def test_earnings_and_satisfaction_still_credit_what_she_did_before_she_left(
    merchant: Merchant, clock: TestClock
) -> None:
    marta = member(merchant, "Marta Silva", 1000)
    tab = merchant.tab()
    add(merchant, tab, 3000, marta["id"])
    pay(merchant, tab, tip=200)
    review(merchant, tab, 5)
    assert leaves(merchant, marta["id"]).status_code == 200

    earnings = merchant.get("/v1/reports/earnings", params=around_now(clock)).json()
    row = next(r for r in earnings["staff"] if r["staff_id"] == marta["id"])
    assert (row["name"], row["paid"], row["commission"], row["tips"]) == (
        "Marta Silva",
        3000,
        300,
        200,
    )
    happy = merchant.get("/v1/reports/satisfaction", params=around_now(clock)).json()
    assert [(r["staff_id"], r["name"]) for r in happy["staff"]] == [(marta["id"], "Marta Silva")]
    assert merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"][0]["staff_id"] == marta["id"]


def test_someone_who_left_with_nothing_in_the_period_is_not_on_its_earnings(
    merchant: Merchant, clock: TestClock
) -> None:
    """The report lists the current team, and whoever left but earned in the
    period; a stylist gone before it, with nothing in it, is not a row of zeros."""
    joana = member(merchant, "Joana Reis")
    gone = member(merchant, "Marta Silva", 1000)
    assert leaves(merchant, gone["id"]).status_code == 200
    earnings = merchant.get("/v1/reports/earnings", params=around_now(clock)).json()
    listed = {row["staff_id"] for row in earnings["staff"]}
    assert joana["id"] in listed and gone["id"] not in listed


def test_the_last_owner_cannot_step_down_to_manager_either(merchant: Merchant) -> None:
    """Made a manager, the last owner would leave nobody to run the owner's
    pages, as surely as leaving would."""
    rita = member(merchant, "Rita Lopes", role="owner")
    refused = merchant.post(f"/v1/staff/{rita['id']}", {"access": "manager", "role": "manager"})
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["param"]) == ("last_owner", "access")
    after = merchant.get(f"/v1/staff/{rita['id']}").json()
    assert (after["access"], after["role"]) == ("owner", "owner")

    tiago = member(merchant, "Tiago Costa", access="owner")
    stepped = merchant.post(f"/v1/staff/{rita['id']}", {"access": "manager"})
    assert stepped.status_code == 200, stepped.text
    assert stepped.json()["access"] == "manager"
    # Tiago is now the last owner: he stays one, and his title still changes.
    assert merchant.post(f"/v1/staff/{tiago['id']}", {"access": "staff"}).status_code == 409
    renamed = merchant.post(f"/v1/staff/{tiago['id']}", {"role": "proprietor"})
    assert renamed.status_code == 200, renamed.text
