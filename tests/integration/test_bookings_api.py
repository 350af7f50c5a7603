"""Bookings over HTTP: deposits by trust and policy, every transition, the 402s."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from servefirst.customers.service import (
    TAB_CLOSING_EVENTS,
    get_customer,
    record_history,
    record_tab_closed,
    trust_of,
)
from servefirst.runtime import Runtime
from servefirst.tabs.models import Tab
from tests.conftest import Merchant, TestClock

GOOD = "4242424242424242"
DECLINED = "4000000000000002"
NO_FUNDS = "4000000000009995"
PRICE = 4000  # a cut and blow-dry: 15% deposit = 600 under the salon policy


def at(clock: TestClock, **delta: float) -> str:
    return (clock.now() + timedelta(**delta)).isoformat()


#: These tests are about what happens to a deposit, so new customers always leave one
#: here; since issue 23 the no-show model decides for them by default.
ALWAYS_ASKED = {"required_for": ["new", "restricted"]}
SALON = {"enabled": True, "percent": "15", "minimum": 200, "maximum": 2000, "preset": "fair"}


def salon(merchant: Merchant, **policy: Any) -> dict[str, Any]:
    body: Any = {"deposit_policy": ALWAYS_ASKED | (policy or SALON)}
    response = merchant.post("/v1/merchant/deposit-policy", body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def cut(merchant: Merchant, price: int = PRICE, **extra: Any) -> dict[str, Any]:
    return merchant.service("Cut and blow-dry", price=price, duration_minutes=45, **extra)


def book(
    merchant: Merchant,
    clock: TestClock,
    *,
    days: float | None = None,
    hours: float | None = None,
    **body: Any,
) -> Any:
    """POST /v1/bookings, by default for a new customer two days ahead."""
    body.setdefault("customer_id", merchant.customer()["id"])
    if "service_id" not in body:
        body["service_id"] = cut(merchant)["id"]
    if days is None and hours is None:
        days = 2
    body.setdefault("starts_at", at(clock, days=days or 0, hours=hours or 0))
    return merchant.post("/v1/bookings", body)


def booked(merchant: Merchant, clock: TestClock, **body: Any) -> dict[str, Any]:
    response = book(merchant, clock, **body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def member(merchant: Merchant, name: str = "Maria") -> str:
    """A staff member of ``merchant`` (bookings name one by id), with their id."""
    created = merchant.post("/v1/staff", {"name": name})
    assert created.status_code == 201, created.text
    return created.json()["id"]  # type: ignore[no-any-return]


def nonzero(balances: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in balances.items() if v}


def record(runtime: Runtime, merchant: Merchant, customer_id: str, event: str, times: int) -> None:
    """History as the product records it (a paid tab, a no-show...), without the
    clicks: a tab's closing is counted with a tab made for the history alone."""
    with runtime.uow(merchant.id) as uow:
        for n in range(times):
            if event in TAB_CLOSING_EVENTS:
                tab = Tab(
                    merchant_id=merchant.id, tab_id=f"tab_history_{n}", customer_id=customer_id
                )
                record_tab_closed(uow, tab, event, worth=1_000)
            else:
                record_history(uow, customer_id, event)
        uow.commit()


def make_trusted(runtime: Runtime, merchant: Merchant, customer_id: str) -> None:
    for _ in range(60):
        record(runtime, merchant, customer_id, "paid_visits", 1)
        with runtime.uow(merchant.id, write=False) as uow:
            if trust_of(uow, get_customer(uow, customer_id)).tier.value == "trusted":
                return
    raise AssertionError("60 paid visits did not make a trusted customer")


def no_shows_of(merchant: Merchant, customer_id: str) -> int:
    from servefirst.customers.models import Customer as Row

    runtime: Runtime = merchant.client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.uow(merchant.id, write=False) as uow:
        row = uow.session.get(Row, (merchant.id, customer_id))
        assert row is not None
        return row.no_shows


# --- deciding the deposit -------------------------------------------------------


def test_a_cafe_takes_no_deposit(merchant: Merchant, clock: TestClock) -> None:
    booking = booked(merchant, clock)
    assert booking["status"] == "confirmed"
    assert booking["id"].startswith("bkg_")
    deposit = booking["deposit"]
    assert (deposit["required"], deposit["amount"], deposit["status"]) == (False, 0, "none")
    assert "does not take deposits" in deposit["reason"]
    assert deposit["hold"] is None
    assert booking["price"] == PRICE and booking["currency"] == "EUR"
    starts = datetime.fromisoformat(booking["starts_at"])
    assert datetime.fromisoformat(booking["ends_at"]) - starts == timedelta(minutes=45)
    assert nonzero(merchant.balances()) == {}


def test_a_new_salon_customer_leaves_a_captured_deposit(
    merchant: Merchant, clock: TestClock
) -> None:
    salon(merchant)
    booking = booked(merchant, clock, card=GOOD)
    deposit = booking["deposit"]
    assert (deposit["required"], deposit["amount"], deposit["status"]) == (True, 600, "held")
    assert deposit["mode"] == "capture"
    assert "New customer" in deposit["reason"]
    assert nonzero(merchant.balances()) == {"card_clearing": 600, "deposits_held": -600}


def test_the_deposit_is_clamped_to_the_policy_minimum_and_maximum(
    merchant: Merchant, clock: TestClock
) -> None:
    salon(merchant)
    small = booked(merchant, clock, service_id=cut(merchant, price=1000)["id"], card=GOOD)
    large = booked(merchant, clock, service_id=cut(merchant, price=50000)["id"], card=GOOD)
    assert small["deposit"]["amount"] == 200  # 15% is 150: the minimum is 2.00
    assert large["deposit"]["amount"] == 2000  # 15% is 7500: the maximum is 20.00


def test_a_trusted_customer_needs_no_deposit(
    merchant: Merchant, clock: TestClock, runtime: Runtime
) -> None:
    salon(merchant)
    customer = merchant.customer()
    make_trusted(runtime, merchant, customer["id"])
    tier = merchant.get(f"/v1/customers/{customer['id']}").json()["trust"]["tier"]
    assert tier == "trusted"
    booking = booked(merchant, clock, customer_id=customer["id"])  # no card needed
    assert booking["deposit"]["required"] is False
    assert booking["deposit"]["status"] == "none"
    # Since issue 23 the no-show model says why, in words.
    assert "no deposit needed" in booking["deposit"]["reason"].lower()
    assert "first visit" not in booking["deposit"]["reason"]


def test_missed_bookings_bring_the_deposit_back_even_for_trusted_customers(
    merchant: Merchant, clock: TestClock, runtime: Runtime
) -> None:
    salon(merchant)
    customer = merchant.customer()
    make_trusted(runtime, merchant, customer["id"])
    record(runtime, merchant, customer["id"], "no_shows", 2)
    refused = book(merchant, clock, customer_id=customer["id"])
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "deposit_required"
    assert "2 missed bookings" in refused.json()["error"]["reason"]


def test_a_service_can_override_the_merchant_policy(merchant: Merchant, clock: TestClock) -> None:
    salon(merchant)
    service = cut(merchant, deposit_policy={"fixed": 1000, "preset": "strict"})
    assert service["deposit_policy"] == {"fixed": 1000, "preset": "strict"}
    booking = booked(merchant, clock, service_id=service["id"], card=GOOD)
    assert booking["deposit"]["amount"] == 1000
    cleared = merchant.post(f"/v1/services/{service['id']}", {"deposit_policy": None})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["deposit_policy"] is None
    again = booked(merchant, clock, service_id=service["id"], card=GOOD)
    assert again["deposit"]["amount"] == 600


def test_an_impossible_policy_is_refused(merchant: Merchant) -> None:
    bad = merchant.post(
        "/v1/merchant/deposit-policy", {"deposit_policy": {"minimum": 500, "maximum": 100}}
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["param"] == "maximum"
    unknown = merchant.post("/v1/merchant/deposit-policy", {"deposit_policy": {"preset": "harsh"}})
    assert unknown.status_code == 422
    service = merchant.post(
        "/v1/services",
        {
            "name": "Colour",
            "price": 6000,
            "duration_minutes": 90,
            "expected_results": "Even colour",
            "limits": "No bleach",
            "deposit_policy": {"minimum": 500, "maximum": 100},
        },
    )
    assert service.status_code == 422
    assert merchant.get("/v1/merchant/deposit-policy").json()["enabled"] is False


def test_the_merchant_policy_can_be_read_back(merchant: Merchant) -> None:
    assert merchant.get("/v1/merchant/deposit-policy").json()["enabled"] is False
    policy = salon(merchant, enabled=True, percent="12.5", preset="moderate", mode="hold")
    assert (policy["percent"], policy["preset"], policy["mode"]) == ("12.5", "moderate", "hold")
    assert merchant.get("/v1/merchant/deposit-policy").json() == policy
    assert salon(merchant)["preset"] == "fair"
    assert (
        merchant.post("/v1/merchant/deposit-policy", {"deposit_policy": "cafe"}).json()["enabled"]
        is False
    )


# --- the 402s create nothing ----------------------------------------------------


def test_a_missing_card_when_a_deposit_is_needed_answers_402(
    merchant: Merchant, clock: TestClock
) -> None:
    salon(merchant)
    response = book(merchant, clock)
    assert response.status_code == 402
    error = response.json()["error"]
    assert (error["code"], error["param"], error["amount"]) == ("deposit_required", "card", 600)
    assert "New customer" in error["reason"]
    assert merchant.get("/v1/bookings").json()["data"] == []
    assert nonzero(merchant.balances()) == {}


def test_a_declined_card_answers_402_with_its_code_and_creates_nothing(
    merchant: Merchant, clock: TestClock
) -> None:
    salon(merchant)
    for card, code in ((DECLINED, "card_declined"), (NO_FUNDS, "insufficient_funds")):
        response = book(merchant, clock, card=card)
        assert response.status_code == 402, response.text
        assert response.json()["error"]["code"] == code
        assert response.json()["error"]["type"] == "card_error"
    salon(merchant, enabled=True, percent="15", minimum=200, mode="hold")
    held = book(merchant, clock, card=DECLINED)
    assert held.status_code == 402
    assert merchant.get("/v1/bookings").json()["data"] == []
    assert nonzero(merchant.balances()) == {}
    report = merchant.get("/v1/reports/cash-flow").json()["deposits"]
    assert report == {"held": 0, "on_hold": 0, "applied": 0, "refunded": 0, "forfeited": 0}


# --- times and overlaps ---------------------------------------------------------


def test_a_time_without_a_zone_or_in_the_past_is_refused(
    merchant: Merchant, clock: TestClock
) -> None:
    naive = (clock.now() + timedelta(days=1)).replace(tzinfo=None).isoformat()
    response = book(merchant, clock, starts_at=naive)
    assert response.status_code == 422
    assert response.json()["error"]["param"] == "starts_at"
    past = book(merchant, clock, starts_at=at(clock, hours=-1))
    assert past.status_code == 422
    assert past.json()["error"]["param"] == "starts_at"


def test_a_time_in_another_zone_is_stored_in_utc(merchant: Merchant, clock: TestClock) -> None:
    local = (
        (clock.now() + timedelta(days=3))
        .astimezone(datetime.now().astimezone().tzinfo)
        .replace(microsecond=0)
    )
    lisbon = local.isoformat().replace("+00:00", "+01:00")
    expected = datetime.fromisoformat(lisbon).astimezone(UTC)
    booking = booked(merchant, clock, starts_at=lisbon)
    assert datetime.fromisoformat(booking["starts_at"]) == expected


def test_one_person_cannot_be_booked_twice_at_once(merchant: Merchant, clock: TestClock) -> None:
    service = cut(merchant)
    maria, joao = member(merchant, "Maria"), member(merchant, "João")
    start = (clock.now() + timedelta(days=5)).replace(microsecond=0)
    first = booked(
        merchant, clock, service_id=service["id"], staff_id=maria, starts_at=start.isoformat()
    )
    clash = book(
        merchant,
        clock,
        service_id=service["id"],
        staff_id=maria,
        starts_at=(start + timedelta(minutes=30)).isoformat(),
    )
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "booking_overlaps"
    assert clash.json()["error"]["booking_id"] == first["id"]
    # Back to back is fine, and so is another person.
    booked(
        merchant,
        clock,
        service_id=service["id"],
        staff_id=maria,
        starts_at=(start + timedelta(minutes=45)).isoformat(),
    )
    booked(merchant, clock, service_id=service["id"], staff_id=joao, starts_at=start.isoformat())
    # A cancelled booking frees the slot.
    assert merchant.post(f"/v1/bookings/{first['id']}/cancel").status_code == 200
    booked(
        merchant,
        clock,
        service_id=service["id"],
        staff_id=maria,
        starts_at=(start - timedelta(minutes=30)).isoformat(),
    )


# --- lifecycle with a captured deposit ------------------------------------------


def test_check_in_opens_a_tab_and_applies_the_deposit(merchant: Merchant, clock: TestClock) -> None:
    salon(merchant)
    booking = booked(merchant, clock, card=GOOD, days=0.01)
    checked = merchant.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text
    body = checked.json()
    assert body["status"] == "checked_in"
    assert body["deposit"]["status"] == "applied"
    tab = merchant.get(f"/v1/tabs/{body['tab_id']}").json()
    assert tab["customer_id"] == booking["customer_id"]
    assert [line["service_id"] for line in tab["lines"]] == [booking["service_id"]]
    assert (tab["subtotal"], tab["deposit_applied"], tab["amount_due"]) == (PRICE, 600, 3400)
    assert tab["hold"] is None
    assert merchant.post(f"/v1/tabs/{tab['id']}/serve").status_code == 200
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "tip": 0})
    assert paid.status_code == 201
    assert paid.json()["amount"] == 3400
    assert paid.json()["tab"]["status"] == "paid"
    assert nonzero(merchant.balances()) == {
        "card_clearing": 600,
        "cash": 3400,
        "revenue": -PRICE,
    }
    report = merchant.get("/v1/reports/cash-flow").json()["deposits"]
    assert report == {"held": 0, "on_hold": 0, "applied": 600, "refunded": 0, "forfeited": 0}


def test_a_restricted_customer_can_check_in_behind_a_deposit(
    merchant: Merchant, clock: TestClock, runtime: Runtime
) -> None:
    salon(merchant)
    customer = merchant.customer()
    record(runtime, merchant, customer["id"], "write_offs", 2)
    assert merchant.get(f"/v1/customers/{customer['id']}").json()["trust"]["tier"] == "restricted"
    assert merchant.post("/v1/tabs", {"customer_id": customer["id"]}).status_code == 402
    booking = booked(merchant, clock, customer_id=customer["id"], card=GOOD)
    assert "unpaid or missed" in booking["deposit"]["reason"]
    checked = merchant.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text


def test_a_timely_cancellation_refunds_the_deposit(merchant: Merchant, clock: TestClock) -> None:
    salon(merchant)
    booking = booked(merchant, clock, card=GOOD, days=3)
    response = merchant.post(f"/v1/bookings/{booking['id']}/cancel")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled"
    deposit = body["deposit"]
    assert (deposit["status"], deposit["fee"], deposit["refund"]) == ("refunded", 0, 600)
    assert "24 h or more ahead" in body["outcome_reason"]
    assert nonzero(merchant.balances()) == {}
    customer = merchant.get(f"/v1/customers/{booking['customer_id']}").json()
    assert customer["trust"]["tier"] == "new"


def test_a_late_cancellation_keeps_the_preset_fee(merchant: Merchant, clock: TestClock) -> None:
    salon(merchant)  # fair: a late cancellation costs 10% of the price
    booking = booked(merchant, clock, card=GOOD, hours=5)
    body = merchant.post(f"/v1/bookings/{booking['id']}/cancel").json()
    deposit = body["deposit"]
    assert (deposit["status"], deposit["fee"], deposit["refund"]) == ("forfeited", 400, 200)
    assert nonzero(merchant.balances()) == {"card_clearing": 400, "no_show_fees": -400}
    report = merchant.get("/v1/reports/cash-flow").json()["deposits"]
    assert (report["forfeited"], report["refunded"], report["held"]) == (400, 200, 0)


def test_a_late_cancellation_under_a_flexible_policy_is_free(
    merchant: Merchant, clock: TestClock
) -> None:
    salon(merchant, enabled=True, percent="15", preset="flexible")
    booking = booked(merchant, clock, card=GOOD, hours=5)
    body = merchant.post(f"/v1/bookings/{booking['id']}/cancel").json()
    assert (body["deposit"]["status"], body["deposit"]["refund"]) == ("refunded", 600)
    assert "policy is free" in body["outcome_reason"]


def test_a_no_show_forfeits_the_deposit(merchant: Merchant, clock: TestClock) -> None:
    salon(merchant)  # fair: a no-show costs 30% = 1200, capped by the 600 deposit
    booking = booked(merchant, clock, card=GOOD, hours=2)
    early = merchant.post(f"/v1/bookings/{booking['id']}/no-show")
    assert early.status_code == 422  # not before the slot
    clock.advance(hours=3)
    body = merchant.post(f"/v1/bookings/{booking['id']}/no-show").json()
    assert body["status"] == "no_show"
    deposit = body["deposit"]
    assert (deposit["status"], deposit["fee"], deposit["refund"]) == ("forfeited", 600, 0)
    assert nonzero(merchant.balances()) == {"card_clearing": 600, "no_show_fees": -600}
    assert no_shows_of(merchant, booking["customer_id"]) == 1


def test_a_no_show_past_the_charge_window_closes_without_charge(
    merchant: Merchant, clock: TestClock
) -> None:
    salon(merchant)
    booking = booked(merchant, clock, card=GOOD, hours=2)
    clock.advance(days=14, hours=3)
    body = merchant.post(f"/v1/bookings/{booking['id']}/no-show").json()
    assert body["status"] == "no_show"
    assert (body["deposit"]["status"], body["deposit"]["fee"]) == ("refunded", 0)
    assert "without charge" in body["outcome_reason"]
    assert nonzero(merchant.balances()) == {}


def test_an_ended_booking_takes_no_more_steps(merchant: Merchant, clock: TestClock) -> None:
    booking = booked(merchant, clock)
    assert merchant.post(f"/v1/bookings/{booking['id']}/cancel").status_code == 200
    for step in ("cancel", "check-in", "no-show"):
        again = merchant.post(f"/v1/bookings/{booking['id']}/{step}")
        assert again.status_code == 409, step
        assert again.json()["error"]["code"] == "booking_state_invalid"
        assert again.json()["error"]["booking_status"] == "cancelled"


# --- tenancy, listing, idempotency ----------------------------------------------


def test_another_merchants_booking_is_not_found(
    merchant: Merchant, new_merchant: Any, clock: TestClock
) -> None:
    booking = booked(merchant, clock)
    other = new_merchant("Salão Rosa")
    for path in ("", "/check-in", "/cancel", "/no-show"):
        call = other.get if path == "" else other.post
        response = call(f"/v1/bookings/{booking['id']}{path}")
        assert response.status_code == 404, path
    assert other.get("/v1/bookings").json()["data"] == []
    foreign = book(other, clock, customer_id=booking["customer_id"])
    assert foreign.status_code == 404


def test_today_begins_at_the_merchants_midnight_not_utcs(
    merchant: Merchant, clock: TestClock
) -> None:
    """In New York at nine in the evening it is already tomorrow in UTC: the
    morning's bookings are still today's there, and yesterday's are not."""
    assert merchant.post("/v1/merchant", {"timezone": "America/New_York"}).status_code == 200
    zone = ZoneInfo("America/New_York")
    here = clock.now().astimezone(zone)
    clock.advance(seconds=(here.replace(hour=8, minute=0) - here).total_seconds() % 86400)
    service = cut(merchant)
    yesterday = booked(merchant, clock, service_id=service["id"], hours=1)  # 09:00
    clock.advance(days=1)
    morning = booked(merchant, clock, service_id=service["id"], hours=2)  # 10:00
    clock.advance(hours=13)  # 21:00, 02:00 tomorrow in UTC
    listed = [b["id"] for b in merchant.get("/v1/bookings").json()["data"]]
    assert morning["id"] in listed
    assert yesterday["id"] not in listed


def test_staff_see_today_and_upcoming_bookings(merchant: Merchant, clock: TestClock) -> None:
    service = cut(merchant)
    later = booked(merchant, clock, service_id=service["id"], days=3)
    soon = booked(merchant, clock, service_id=service["id"], hours=1)
    listed = [b["id"] for b in merchant.get("/v1/bookings").json()["data"]]
    assert listed == [soon["id"], later["id"]]
    window = {"from": at(clock, days=2), "to": at(clock, days=4)}
    assert [b["id"] for b in merchant.get("/v1/bookings", params=window).json()["data"]] == [
        later["id"]
    ]
    clock.advance(days=2)
    assert [b["id"] for b in merchant.get("/v1/bookings").json()["data"]] == [later["id"]]
    assert merchant.get(f"/v1/bookings/{soon['id']}").json()["id"] == soon["id"]


def test_booking_creation_is_idempotent(merchant: Merchant, clock: TestClock) -> None:
    salon(merchant)
    body = {
        "customer_id": merchant.customer()["id"],
        "service_id": cut(merchant)["id"],
        "starts_at": at(clock, days=2),
        "card": GOOD,
    }
    headers = {"Idempotency-Key": "book-ana-friday"}
    first = merchant.post("/v1/bookings", body, headers=headers)
    again = merchant.post("/v1/bookings", body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert len(merchant.get("/v1/bookings").json()["data"]) == 1
    assert nonzero(merchant.balances()) == {"card_clearing": 600, "deposits_held": -600}
    other = merchant.post("/v1/bookings", {**body, "staff_id": "maria"}, headers=headers)
    assert other.status_code == 422
