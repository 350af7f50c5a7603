"""The Today page: the day's takings on the merchant's clock, beside the same
weekday last week by the same hour; the running tabs, concerns and bookings."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from tests.conftest import Merchant, TestClock
from tests.integration.test_pages_staff import Staff, https_client, new_staff  # noqa: F401


def at(clock: TestClock, when: datetime) -> None:
    clock.offset += when - clock.now()


def signed_in(new_staff: Callable[..., Staff], merchant: Merchant, access: str) -> Staff:  # noqa: F811
    person = new_staff(merchant, access=access)
    assert person.sign_in().status_code == 200
    return person


def pay_cash(merchant: Merchant, price: int, tip: int = 0) -> dict[str, object]:
    tab = merchant.served_tab(price)
    paid = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": price, "tip": tip}
    )
    assert paid.status_code == 201, paid.text
    return tab


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]+)<', html)
    assert found, html
    return found.group(1)


def section(html: str, section_id: str) -> str:
    found = re.search(rf'id="{section_id}".*?</(section|table)>', html, re.S)
    assert found, html
    return found.group(0)


def test_signing_in_lands_on_today(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    person = new_staff(merchant)
    page = person.client.get("/staff")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    response = person.client.post(
        "/staff/sign-in",
        data={"email": person.email, "password": "steamed milk 42", "csrf_token": token[1]},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/staff/today?done=signed_in"
    today = person.get("/staff/today")
    assert today.status_code == 200
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", today.text) == ["Today at Café Azul"]
    assert 'href="/staff/today" class="current" aria-current="page"' in today.text


def test_a_manager_sees_takings_by_method_tips_service_and_person(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    at_noon: datetime,
) -> None:
    manager = signed_in(new_staff, merchant, "manager")
    pay_cash(merchant, 450, tip=50)
    card_tab = merchant.served_tab(380)
    card = merchant.post(
        f"/v1/tabs/{card_tab['id']}/payments",
        {"method": "card", "amount": 380, "card": "4242424242424242"},
    )
    assert card.status_code == 201, card.text
    # A line the manager adds at the counter is sold by them.
    tab = merchant.tab()
    scone = merchant.service("Scone", price=275)
    added = manager.post(f"/staff/tabs/{tab['id']}/lines", {"service_id": scone["id"]})
    assert added.status_code in (200, 303), added.text

    html = manager.get("/staff/today").text
    assert figure(html, "taken") == "€8.30"
    assert figure(html, "tips") == "€0.50"
    assert figure(html, "sold") == "€11.05"
    by_method = section(html, "by-method")
    assert re.search(r"Cash</th><td[^>]*>1</td><td[^>]*>€4.50</td><td[^>]*>€0.50</td>", by_method)
    assert re.search(r"Card online</th><td[^>]*>1</td><td[^>]*>€3.80</td>", by_method)
    assert '<th scope="row">Scone</th>' in section(html, "by-service")
    by_staff = section(html, "by-staff")
    assert "Ana Sousa" in by_staff and "Nobody named" in by_staff
    running = section(html, "running")
    assert tab["short_code"] in running and "€2.75 owed" in running


def test_today_is_compared_with_the_same_weekday_last_week_by_the_same_hour(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    clock: TestClock,
    at_noon: datetime,
) -> None:
    at(clock, at_noon - timedelta(days=7, hours=2))  # last week, 10:00
    pay_cash(merchant, 400)
    at(clock, at_noon - timedelta(days=7) + timedelta(hours=3))  # last week, 15:00: not yet
    pay_cash(merchant, 9900)
    at(clock, at_noon - timedelta(days=1))  # yesterday: neither today nor last week
    pay_cash(merchant, 7700)
    at(clock, at_noon)
    pay_cash(merchant, 500)
    manager = signed_in(new_staff, merchant, "owner")
    html = manager.get("/staff/today").text
    assert figure(html, "taken") == "€5.00"
    takings = section(html, "takings")
    assert "25% up" in takings
    assert "by this time: €4.00" in takings


def test_the_day_begins_at_the_merchants_midnight(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    clock: TestClock,
    at_noon: datetime,
) -> None:
    assert merchant.post("/v1/merchant", {"timezone": "Asia/Tokyo"}).status_code == 200
    at(clock, at_noon - timedelta(hours=22))  # 23:00 yesterday in Tokyo
    pay_cash(merchant, 1000)
    at(clock, at_noon - timedelta(hours=20))  # 01:00 today in Tokyo
    pay_cash(merchant, 300)
    at(clock, at_noon)  # 21:00 in Tokyo
    owner = signed_in(new_staff, merchant, "owner")
    html = owner.get("/staff/today").text
    assert figure(html, "taken") == "€3.00"
    assert "times in Asia/Tokyo" in html


def test_staff_see_tabs_concerns_and_bookings_but_not_the_money(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
) -> None:
    pay_cash(merchant, 450)
    served = merchant.served_tab(1000)
    raised = merchant.client.post(
        f"/v1/public/tabs/{served['token']}/concerns",
        json={"reason": "The milk was cold", "remedy": "waive"},
    )
    assert raised.status_code == 201, raised.text
    person = signed_in(new_staff, merchant, "staff")
    html = person.get("/staff/today").text
    assert 'id="takings"' not in html and "€4.50" not in html
    assert served["short_code"] in section(html, "running")
    assert "The milk was cold" in section(html, "concerns")
    assert "No bookings today." in section(html, "bookings")


def test_a_portuguese_cafe_shows_its_money_its_way(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    at_noon: datetime,
) -> None:
    changed = merchant.post("/v1/merchant", {"timezone": "Europe/Lisbon", "locale": "pt_PT"})
    assert changed.status_code == 200
    pay_cash(merchant, 450)
    owner = signed_in(new_staff, merchant, "owner")
    html = owner.get("/staff/today").text
    assert figure(html, "taken") == "4,50\xa0€"
    assert "Hoje — Café Azul" in html


def test_a_tab_left_running_from_yesterday_says_which_day(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    clock: TestClock,
    at_noon: datetime,
) -> None:
    assert merchant.post("/v1/merchant", {"timezone": "UTC"}).status_code == 200
    at(clock, at_noon - timedelta(days=1, hours=-4))  # 16:00 yesterday
    yesterday = merchant.served_tab(360)
    at(clock, at_noon - timedelta(hours=2))
    this_morning = merchant.served_tab(450)
    at(clock, at_noon)
    person = signed_in(new_staff, merchant, "staff")
    running = section(person.get("/staff/today").text, "running")
    opened = (at_noon - timedelta(days=1, hours=-4)).strftime("%-d %b")
    assert f"since {opened}, 16:00" in running.split(yesterday["short_code"])[1]
    assert "since 10:00" in running.split(this_morning["short_code"])[1]


def test_a_line_voided_as_a_mistake_is_not_counted_as_sold(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    at_noon: datetime,
) -> None:
    manager = signed_in(new_staff, merchant, "manager")
    tab = merchant.tab()
    latte = merchant.service("Latte", price=350)
    scone = merchant.service("Scone", price=275)
    for service in (latte, scone):
        added = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
        assert added.status_code == 200, added.text
    voided = merchant.post(f"/v1/tabs/{tab['id']}/lines/1/void", {"reason": "Rang up by mistake"})
    assert voided.status_code == 200, voided.text
    html = manager.get("/staff/today").text
    assert figure(html, "sold") == "€2.75"
    assert "Latte" not in section(html, "by-service")
    assert "€2.75 owed" in section(html, "running")


def test_money_given_back_today_is_shown_beside_the_takings(
    merchant: Merchant,
    new_staff: Callable[..., Staff],  # noqa: F811
    at_noon: datetime,
) -> None:
    manager = signed_in(new_staff, merchant, "manager")
    tab = merchant.served_tab(800)
    paid = merchant.post(
        f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "amount": 800, "tip": 100}
    )
    assert paid.status_code == 201, paid.text
    assert 'data-figure="refunded"' not in manager.get("/staff/today").text
    refund = {"amount": 300, "tip": 50, "reason": "Cold coffee"}
    assert merchant.post(f"/v1/payments/{paid.json()['id']}/refunds", refund).status_code == 201
    html = manager.get("/staff/today").text
    assert figure(html, "refunded") == "−€3.50"
    assert "€0.50 of it from tips" in html
    assert figure(html, "taken") == "€8.00"  # what came in, as the method table says
