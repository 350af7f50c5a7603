"""Card holds: taken at booking, renewed or replaced by a capture, raised as the
tab grows, captured (tip or not) or released. The clock moves; nothing sleeps."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.conftest import Merchant, TestClock
from tests.integration.test_bookings_api import GOOD, PRICE, booked, cut, nonzero, salon

#: Succeeds once, then declines every reuse of its saved card (raise, renew, charge).
CANCELLED_LATER = "4000000000000341"


def hold_policy(merchant: Merchant, **extra: Any) -> None:
    salon(merchant, enabled=True, percent="15", minimum=200, preset="fair", mode="hold", **extra)


def events(merchant: Merchant, type: str) -> list[dict[str, Any]]:
    body = merchant.get("/v1/events", params={"type": type}).json()
    return list(body["data"])


def checked_in_tab(merchant: Merchant, clock: TestClock, card: str = GOOD) -> dict[str, Any]:
    booking = booked(merchant, clock, card=card, hours=1)
    checked = merchant.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text
    assert checked.json()["deposit"]["status"] == "applied"
    return merchant.get(f"/v1/tabs/{checked.json()['tab_id']}").json()  # type: ignore[no-any-return]


def test_a_hold_moves_no_money_and_says_how_it_is_kept(
    merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    booking = booked(merchant, clock, card=GOOD, days=2)
    deposit = booking["deposit"]
    assert (deposit["mode"], deposit["status"], deposit["amount"]) == ("hold", "held", 600)
    hold = deposit["hold"]
    assert (hold["plan"], hold["amount"], hold["status"], hold["card_last4"]) == (
        "hold",
        600,
        "active",
        "4242",
    )
    expires = datetime.fromisoformat(hold["expires_at"])
    assert abs(expires - (clock.now() + timedelta(days=7))) < timedelta(minutes=1)
    assert nonzero(merchant.balances()) == {}
    assert merchant.get("/v1/reports/cash-flow").json()["deposits"]["on_hold"] == 600


def test_a_booking_further_than_a_hold_lives_is_renewed_before_it_lapses(
    merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    booking = booked(merchant, clock, card=GOOD, days=10)
    first = booking["deposit"]["hold"]
    assert first["plan"] == "hold_and_renew"
    nothing = merchant.post("/v1/holds/renew").json()
    assert nothing["changed"] == []  # six days before it lapses: too early
    clock.advance(days=6, hours=12)
    renewed = merchant.post("/v1/holds/renew")
    assert renewed.status_code == 200, renewed.text
    assert len(renewed.json()["changed"]) == 1
    hold = merchant.get(f"/v1/bookings/{booking['id']}").json()["deposit"]["hold"]
    assert hold["status"] == "active" and hold["plan"] == "hold_and_renew"
    assert datetime.fromisoformat(hold["expires_at"]) > datetime.fromisoformat(booking["starts_at"])
    assert merchant.post("/v1/holds/renew").json()["changed"] == []  # now it outlives the slot


def test_a_booking_far_ahead_takes_a_captured_deposit_instead(
    merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    booking = booked(merchant, clock, card=GOOD, days=20)
    deposit = booking["deposit"]
    assert (deposit["mode"], deposit["status"]) == ("capture", "held")
    assert deposit["hold"]["plan"] == "capture"
    assert deposit["hold"]["expires_at"] is None
    assert "too far ahead" in deposit["reason"]
    assert nonzero(merchant.balances()) == {"card_clearing": 600, "deposits_held": -600}


def test_a_hold_that_cannot_be_renewed_lapses_and_the_booking_stands_unsecured(
    merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    booking = booked(merchant, clock, card=CANCELLED_LATER, days=10)
    clock.advance(days=6, hours=12)
    assert merchant.post("/v1/holds/renew").json()["changed"] == []  # declined: try again
    clock.advance(days=1)
    lapsed = merchant.post("/v1/holds/renew").json()["changed"]
    assert len(lapsed) == 1
    body = merchant.get(f"/v1/bookings/{booking['id']}").json()
    assert body["deposit"]["status"] == "none"
    assert body["deposit"]["hold"]["status"] == "expired"
    assert "card_declined" in body["deposit"]["reason"]
    clock.advance(days=3)
    no_show = merchant.post(f"/v1/bookings/{booking['id']}/no-show").json()
    assert (no_show["status"], no_show["deposit"]["fee"]) == ("no_show", 0)
    assert nonzero(merchant.balances()) == {}


def test_a_no_show_takes_the_fee_from_the_hold(merchant: Merchant, clock: TestClock) -> None:
    hold_policy(merchant, fixed=1500)  # fair: a no-show costs 30% = 1200 of the 1500 held
    booking = booked(merchant, clock, card=GOOD, hours=2)
    clock.advance(hours=3)
    body = merchant.post(f"/v1/bookings/{booking['id']}/no-show").json()
    deposit = body["deposit"]
    assert (deposit["status"], deposit["fee"], deposit["refund"]) == ("forfeited", 1200, 300)
    assert deposit["hold"]["status"] == "captured"
    assert nonzero(merchant.balances()) == {"card_clearing": 1200, "no_show_fees": -1200}
    report = merchant.get("/v1/reports/cash-flow").json()["deposits"]
    assert report == {"held": 0, "on_hold": 0, "applied": 0, "refunded": 300, "forfeited": 1200}


def test_a_no_show_after_the_hold_lapsed_charges_the_saved_card(
    merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    booking = booked(merchant, clock, card=GOOD, days=1)
    clock.advance(days=8)  # the hold lapsed on day 7; the slot was 7 days ago
    body = merchant.post(f"/v1/bookings/{booking['id']}/no-show").json()
    assert (body["deposit"]["status"], body["deposit"]["fee"]) == ("forfeited", 600)
    assert nonzero(merchant.balances()) == {"card_clearing": 600, "no_show_fees": -600}


def test_a_timely_cancellation_releases_the_hold(merchant: Merchant, clock: TestClock) -> None:
    hold_policy(merchant)
    booking = booked(merchant, clock, card=GOOD, days=3)
    body = merchant.post(f"/v1/bookings/{booking['id']}/cancel").json()
    assert (body["deposit"]["status"], body["deposit"]["refund"]) == ("refunded", 600)
    assert body["deposit"]["hold"]["status"] == "released"
    assert nonzero(merchant.balances()) == {}


def test_check_in_raises_the_hold_to_the_bill_with_room_for_the_tip(
    merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    tab = checked_in_tab(merchant, clock)
    assert tab["amount_due"] == PRICE and tab["deposit_applied"] == 0
    assert tab["hold"]["amount"] == 4800  # 4000 due + 20% headroom
    assert (tab["hold"]["status"], tab["hold"]["covers_due"]) == ("active", True)
    # Another service later in the evening: the hold follows the bill.
    extra = cut(merchant, price=3000)
    grown = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": extra["id"]}).json()
    assert grown["amount_due"] == 7000
    assert (grown["hold"]["amount"], grown["hold"]["covers_due"]) == (8400, True)
    assert len(events(merchant, "tab.hold_raised")) == 2


def test_a_hold_that_cannot_grow_warns_the_staff_and_the_line_is_still_added(
    merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    tab = checked_in_tab(merchant, clock, card=CANCELLED_LATER)
    assert [line["amount"] for line in tab["lines"]] == [PRICE]
    assert (tab["hold"]["amount"], tab["hold"]["status"]) == (600, "insufficient")
    assert tab["hold"]["covers_due"] is False
    warned = events(merchant, "tab.hold_insufficient")
    assert [e["object_id"] for e in warned] == [tab["id"]]
    assert warned[0]["data"]["amount_due"] == PRICE
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    before = merchant.balances()
    declined = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "card_hold", "tip": 0})
    assert declined.status_code == 402
    assert declined.json()["error"]["code"] == "card_declined"
    assert merchant.balances() == before
    assert merchant.get(f"/v1/tabs/{tab['id']}/payments").json()["data"] == []
    # Another way to pay: the hold is let go once the tab is paid.
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).json()
    assert paid["tab"]["status"] == "paid"
    assert paid["tab"]["hold"]["status"] == "released"


def test_paying_from_the_hold_with_no_tip(merchant: Merchant, clock: TestClock) -> None:
    hold_policy(merchant)
    tab = checked_in_tab(merchant, clock)
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "card_hold", "tip": 0})
    assert paid.status_code == 201, paid.text
    body = paid.json()
    assert (body["method"], body["amount"], body["tip"], body["card_last4"]) == (
        "card_hold",
        PRICE,
        0,
        "4242",
    )
    assert body["tab"]["status"] == "paid"
    assert body["tab"]["hold"]["status"] == "captured"
    assert nonzero(merchant.balances()) == {"card_clearing": PRICE, "revenue": -PRICE}


def test_a_tip_beyond_the_hold_raises_it_before_the_capture(
    merchant: Merchant, clock: TestClock
) -> None:
    hold_policy(merchant)
    tab = checked_in_tab(merchant, clock)
    merchant.post(f"/v1/tabs/{tab['id']}/serve")
    paid = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "card_hold", "tip": 1000}
    ).json()
    assert (paid["amount"], paid["tip"]) == (PRICE, 1000)
    assert paid["tab"]["hold"]["amount"] == PRICE + 1000
    assert nonzero(merchant.balances()) == {
        "card_clearing": PRICE + 1000,
        "revenue": -PRICE,
        "tips_payable": -1000,
    }


def test_card_hold_on_a_tab_without_a_hold_is_refused(merchant: Merchant) -> None:
    tab = merchant.served_tab(500)
    response = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "card_hold"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "hold_missing"
