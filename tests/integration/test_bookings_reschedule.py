"""Moving a booking: same id, its deposit or hold follows, and a late move
costs what a late cancellation would."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import GOOD, at, booked, member, nonzero, salon
from tests.integration.test_bookings_holds import hold_policy


def move(merchant: Merchant, booking_id: str, **body: object) -> object:
    return merchant.post(f"/v1/bookings/{booking_id}/reschedule", body)


def test_a_timely_move_keeps_the_id_the_length_and_the_deposit(
    merchant: Merchant, clock: TestClock
) -> None:
    salon(merchant)
    maria, joao = member(merchant, "Maria"), member(merchant, "João")
    booking = booked(merchant, clock, card=GOOD, days=3, staff_id=maria)
    response = move(merchant, booking["id"], starts_at=at(clock, days=4), staff_id=joao)
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    moved = response.json()  # type: ignore[attr-defined]
    assert moved["id"] == booking["id"] and moved["status"] == "confirmed"
    assert moved["staff_id"] == joao
    starts = datetime.fromisoformat(moved["starts_at"])
    assert abs(starts - (clock.now() + timedelta(days=4))) < timedelta(minutes=1)
    assert datetime.fromisoformat(moved["ends_at"]) - starts == timedelta(minutes=45)
    deposit = moved["deposit"]
    assert (deposit["status"], deposit["amount"], deposit["fee"]) == ("held", 600, 0)
    assert nonzero(merchant.balances()) == {"card_clearing": 600, "deposits_held": -600}
    # The deposit still follows it: checked in, it pays towards the bill.
    assert merchant.get(f"/v1/bookings/{booking['id']}").json()["starts_at"] == moved["starts_at"]


def test_a_move_inside_the_window_keeps_the_late_cancellation_fee(
    merchant: Merchant, clock: TestClock
) -> None:
    salon(merchant)  # fair: a late cancellation costs 10% of 4000, from a 600 deposit
    booking = booked(merchant, clock, card=GOOD, hours=5)
    moved = move(merchant, booking["id"], starts_at=at(clock, days=2)).json()  # type: ignore[attr-defined]
    deposit = moved["deposit"]
    assert (deposit["status"], deposit["amount"], deposit["fee"]) == ("held", 200, 0)
    assert "late-cancellation fee (400" in moved["outcome_reason"]
    assert nonzero(merchant.balances()) == {
        "card_clearing": 600,
        "deposits_held": -200,
        "no_show_fees": -400,
    }
    factors = merchant.get(f"/v1/customers/{booking['customer_id']}").json()["trust"]["factors"]
    assert any("late cancellation" in f for f in factors), factors


def test_a_late_move_sent_twice_keeps_one_fee_and_counts_one_late_cancellation(
    merchant: Merchant, clock: TestClock
) -> None:
    salon(merchant)  # fair: a late move costs 400 of the 600 deposit
    booking = booked(merchant, clock, card=GOOD, hours=5)
    when = at(clock, hours=7)  # still inside the window: a second move would cost again
    first = move(merchant, booking["id"], starts_at=when).json()  # type: ignore[attr-defined]
    again = move(merchant, booking["id"], starts_at=when)  # the same move, sent again
    assert again.status_code == 200, again.text  # type: ignore[attr-defined]
    assert again.json()["starts_at"] == first["starts_at"]  # type: ignore[attr-defined]
    assert again.json()["deposit"]["amount"] == 200  # type: ignore[attr-defined]
    assert nonzero(merchant.balances()) == {
        "card_clearing": 600,
        "deposits_held": -200,
        "no_show_fees": -400,
    }
    customer = merchant.get(f"/v1/customers/{booking['customer_id']}").json()
    late = [f for f in customer["trust"]["factors"] if "late cancellation" in f]
    assert late and "1 late cancellation" in late[0], late


def test_a_held_card_pays_a_late_move_and_the_hold_follows_for_the_rest(
    merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    booking = booked(merchant, clock, card=GOOD, hours=5)
    first_hold = booking["deposit"]["hold"]
    moved = move(merchant, booking["id"], starts_at=at(clock, days=1)).json()  # type: ignore[attr-defined]
    deposit = moved["deposit"]
    assert (deposit["status"], deposit["amount"]) == ("held", 200)
    assert deposit["hold"]["amount"] == 200 and deposit["hold"]["status"] == "active"
    assert first_hold["amount"] == 600
    assert nonzero(merchant.balances()) == {"card_clearing": 400, "no_show_fees": -400}


def test_a_move_onto_someone_elses_booking_is_refused_and_changes_nothing(
    merchant: Merchant, clock: TestClock
) -> None:
    maria = member(merchant, "Maria")
    taken = booked(merchant, clock, days=2, staff_id=maria)
    mine = booked(merchant, clock, days=3, staff_id=maria)
    clash = move(merchant, mine["id"], starts_at=taken["starts_at"])
    assert clash.status_code == 409  # type: ignore[attr-defined]
    assert clash.json()["error"]["code"] == "booking_overlaps"  # type: ignore[attr-defined]
    assert merchant.get(f"/v1/bookings/{mine['id']}").json()["starts_at"] == mine["starts_at"]
    # A booking never clashes with itself: ten minutes later on the same person is fine.
    later = move(merchant, mine["id"], starts_at=at(clock, days=3, minutes=10))
    assert later.status_code == 200  # type: ignore[attr-defined]


def test_an_ended_booking_or_a_past_time_cannot_be_moved(
    merchant: Merchant, clock: TestClock
) -> None:
    booking = booked(merchant, clock, days=2)
    past = move(merchant, booking["id"], starts_at=at(clock, hours=-1))
    assert past.status_code == 422  # type: ignore[attr-defined]
    assert past.json()["error"]["param"] == "starts_at"  # type: ignore[attr-defined]
    merchant.post(f"/v1/bookings/{booking['id']}/cancel")
    ended = move(merchant, booking["id"], starts_at=at(clock, days=5))
    assert ended.status_code == 409  # type: ignore[attr-defined]
    assert ended.json()["error"]["code"] == "booking_state_invalid"  # type: ignore[attr-defined]
    assert move(merchant, "bkg_nobody", starts_at=at(clock, days=5)).status_code == 404  # type: ignore[attr-defined]
