"""Closing the day through the API: the drawer's count against what the ledger
expects, the difference booked once to ``cash_over_short``, one close a day."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from servefirst.cashup import service as cashup
from servefirst.kit.errors import Conflict
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock


def paid_in_cash(merchant: Merchant, price: int, tip: int = 0) -> None:
    tab = merchant.served_tab(price)
    body: dict[str, Any] = {"method": "cash"}
    if tip:
        body["tip"] = tip
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", body)
    assert paid.status_code == 201, paid.text


def today(merchant: Merchant, clock: TestClock) -> date:
    zone = ZoneInfo(merchant.get("/v1/merchant").json()["timezone"])
    return clock.now().astimezone(zone).date()


def test_a_drawer_twenty_cents_short_is_booked_once(merchant: Merchant, clock: TestClock) -> None:
    """Float 100.00; a 3.80 coffee with a 0.50 tip and a 5.00 cake in cash: the
    drawer should hold 109.30. It holds 109.10: 0.20 short."""
    paid_in_cash(merchant, 380, tip=50)
    paid_in_cash(merchant, 500)
    counted = {"5000": 2, "500": 1, "200": 2, "10": 1}  # 100 + 5 + 4 + 0.10
    response = merchant.post("/v1/day-closes", {"opening_float": 10000, "counted": counted})
    assert response.status_code == 201, response.text
    close = response.json()
    assert close["date"] == today(merchant, clock).isoformat()
    assert (close["expected_cash"], close["counted_cash"]) == (10930, 10910)
    assert (close["difference"], close["result"]) == (-20, "short")
    assert close["entry_id"]
    assert close["closed_by"] == {"id": "api_key", "name": "API key"}
    assert close["takings"] == {"total": 930, "cash": 930, "card": 0, "card_terminal": 0}
    assert close["tips"] == 50
    balances = merchant.balances()
    assert balances["cash_over_short"] == 20
    assert balances["cash"] == 930 - 20

    again = merchant.get(f"/v1/day-closes/{close['date']}")
    assert again.status_code == 200
    assert again.json() == close

    twice = merchant.post("/v1/day-closes", {"opening_float": 10000, "counted": counted})
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "day_already_closed"
    assert merchant.balances() == balances


def test_an_exact_drawer_posts_nothing(merchant: Merchant) -> None:
    paid_in_cash(merchant, 450)
    response = merchant.post(
        "/v1/day-closes", {"opening_float": 5000, "counted": {"5000": 1, "200": 2, "50": 1}}
    )
    assert response.status_code == 201, response.text
    assert (response.json()["difference"], response.json()["entry_id"]) == (0, None)
    assert response.json()["result"] == "exact"
    assert merchant.balances()["cash_over_short"] == 0


def test_a_drawer_over_credits_cash_over_short(merchant: Merchant) -> None:
    response = merchant.post("/v1/day-closes", {"opening_float": 0, "counted": {"100": 1}})
    assert response.status_code == 201, response.text
    assert response.json()["result"] == "over"
    assert merchant.balances()["cash_over_short"] == -100


def test_bad_counts_are_refused_in_words_and_nothing_is_kept(
    merchant: Merchant, clock: TestClock
) -> None:
    day = today(merchant, clock).isoformat()
    cases = [
        ({"opening_float": 1000, "counted": {"2000": -1}}, "counted.2000", "negative"),
        ({"opening_float": 1000, "counted": {"300": 1}}, "counted.300", "no note or coin"),
        ({"opening_float": -5, "counted": {}}, "opening_float", "negative"),
    ]
    for body, param, words in cases:
        response = merchant.post("/v1/day-closes", body)
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["param"] == param
        assert words in error["message"]
    for body in ({"opening_float": "abc", "counted": {}}, {"counted": {"2000": "two"}}):
        assert merchant.post("/v1/day-closes", body).status_code == 422
    assert merchant.get(f"/v1/day-closes/{day}").status_code == 404
    assert merchant.balances()["cash_over_short"] == 0


def test_a_day_not_begun_cannot_close(merchant: Merchant, clock: TestClock) -> None:
    tomorrow = today(merchant, clock) + timedelta(days=1)
    response = merchant.post(
        "/v1/day-closes", {"date": tomorrow.isoformat(), "opening_float": 0, "counted": {}}
    )
    assert response.status_code == 422
    assert response.json()["error"]["param"] == "date"


def test_a_day_before_the_business_began_cannot_close(merchant: Merchant, clock: TestClock) -> None:
    """A day in 1999 (or the eve of the day the merchant was created) had no
    trade here: closing it would book the whole count as over or short."""
    opened = today(merchant, clock)  # the fixture's merchant was created just now
    for day in (date(1999, 12, 4), opened - timedelta(days=1)):
        response = merchant.post(
            "/v1/day-closes",
            {"date": day.isoformat(), "opening_float": 10000, "counted": {"5000": 1}},
        )
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert (error["code"], error["param"]) == ("parameter_invalid", "date")
        assert f"{day.isoformat()} is before {opened.isoformat()}" in error["message"]
        assert merchant.get(f"/v1/day-closes/{day.isoformat()}").status_code == 404
    assert merchant.balances()["cash_over_short"] == 0
    first_day = merchant.post(
        "/v1/day-closes", {"date": opened.isoformat(), "opening_float": 0, "counted": {}}
    )
    assert first_day.status_code == 201, first_day.text


def test_the_day_follows_the_merchant_zone(merchant: Merchant, clock: TestClock) -> None:
    """Kiritimati is 14 hours ahead of UTC: its today is often UTC's tomorrow."""
    assert merchant.post("/v1/merchant", {"timezone": "Pacific/Kiritimati"}).status_code == 200
    response = merchant.post("/v1/day-closes", {"opening_float": 0, "counted": {}})
    assert response.status_code == 201, response.text
    kiritimati = clock.now().astimezone(ZoneInfo("Pacific/Kiritimati")).date()
    assert response.json()["date"] == kiritimati.isoformat()
    assert response.json()["timezone"] == "Pacific/Kiritimati"


def test_a_retried_close_answers_as_the_first(merchant: Merchant) -> None:
    headers = {"Idempotency-Key": "close-1"}
    body = {"opening_float": 1000, "counted": {"1000": 1}}
    first = merchant.post("/v1/day-closes", body, headers=headers)
    again = merchant.post("/v1/day-closes", body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()


def test_two_closes_of_one_day_at_once_book_the_difference_once(
    runtime: Runtime, merchant: Merchant
) -> None:
    """Two managers press "close" together: one close, one over/short entry."""
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def close() -> None:
        start.wait()
        try:
            with runtime.uow(merchant.id) as uow:
                cashup.close_day(
                    uow,
                    closer=cashup.Closer("api_key", "API key"),
                    opening_float=0,
                    counted={"100": 1},
                )
                uow.commit()
            outcomes.append("closed")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=close) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["closed", "refused"]
    assert merchant.balances()["cash_over_short"] == -100


def test_the_z_report_shows_refunds_and_voided_lines_of_the_day(merchant: Merchant) -> None:
    tab = merchant.served_tab(500)
    paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"})
    assert paid.status_code == 201, paid.text
    refund = merchant.post(
        f"/v1/payments/{paid.json()['id']}/refunds", {"amount": 200, "reason": "Cold coffee"}
    )
    assert refund.status_code == 201, refund.text
    other = merchant.tab()
    for price in (300, 150):
        svc = merchant.service(price=price)
        assert (
            merchant.post(f"/v1/tabs/{other['id']}/lines", {"service_id": svc["id"]}).status_code
            == 200
        )
    voided = merchant.post(f"/v1/tabs/{other['id']}/lines/2/void", {"reason": "Wrong order"})
    assert voided.status_code == 200, voided.text
    close = merchant.post("/v1/day-closes", {"opening_float": 0, "counted": {"200": 1, "100": 1}})
    assert close.status_code == 201, close.text
    body = close.json()
    assert (body["refunds"], body["voids"]["lines"]) == (200, 150)
    assert (body["expected_cash"], body["result"]) == (300, "exact")
