"""The back office's management pages in a real Chromium at phone width: the
counter's grid (a refused line paid for first), the bookings day view, the
customer merge, services and policies. Each fits the phone's width, and a
screenshot of each goes to docs/screenshots/."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest

from servefirst.runtime import Runtime
from servefirst.staff.service import create_member, create_staff
from tests.conftest import Merchant, TestClock
from tests.e2e.conftest import PHONE, Screenshot

pytestmark = pytest.mark.browser

PASSWORD = "steamed milk 42"


def _sign_in(page: Any, base: str, runtime: Runtime, merchant: Merchant) -> None:
    email = f"rita.{secrets.token_hex(4)}@azul.example"
    with runtime.uow(merchant.id) as uow:
        create_staff(uow, email=email, password=PASSWORD, name="Rita Lopes", access="owner")
        uow.commit()
    page.goto(f"{base}/staff")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/today?done=signed_in")  # sign-in lands on Today


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_counter_on_a_phone_a_refused_line_is_paid_for_first(
    phone_page: Any,
    live_server: str,
    runtime: Runtime,
    live_merchant: Merchant,
    screenshot: Screenshot,
) -> None:
    page, base = phone_page, live_server
    live_merchant.service("Flat white", price=380)
    live_merchant.service("Pastel de nata", price=150)
    live_merchant.service("Full colour", price=11250)
    tab = live_merchant.tab(live_merchant.customer("Gabriela Reis")["id"])
    _sign_in(page, base, runtime, live_merchant)

    page.goto(f"{base}/staff/tabs/{tab['id']}/counter")
    fewer = page.get_by_role("button", name="One fewer")
    more = page.get_by_role("button", name="One more")
    for step in (fewer, more):  # a thumb's target: at least 44 px square
        box = step.bounding_box()
        assert box is not None and box["width"] >= 44 and box["height"] >= 44
    assert fewer.is_disabled()  # never below 1
    more.click()
    page.wait_for_url("**/counter?quantity=2")
    assert page.get_by_label("How many").input_value() == "2"
    page.get_by_label("How many").fill("4")
    page.get_by_role("button", name="One fewer").click()
    page.wait_for_url("**/counter?quantity=3")
    page.get_by_role("button", name="One fewer").click()
    page.wait_for_url("**/counter?quantity=2")
    page.get_by_role("button", name="Flat white").click()
    page.wait_for_url("**/counter?done=line")
    assert "€7.60" in page.locator("body").inner_text()

    page.get_by_role("button", name="Full colour").click()
    error = page.locator("#error")
    error.wait_for()
    assert "tab limit" in error.inner_text()
    assert page.get_by_role("heading", name="Take €112.50 now and add it").is_visible()
    _fits(page)
    screenshot(page, "staff-counter-refused-phone", docs=True)
    page.get_by_label("Paid by").first.select_option("card_terminal")
    page.get_by_role("button", name="Paid: add it").click()
    page.wait_for_url("**/counter?done=prepaid")
    after = live_merchant.get(f"/v1/tabs/{tab['id']}").json()
    assert [line["name"] for line in after["lines"]] == ["Flat white", "Full colour"]
    assert after["amount_due"] == 760
    screenshot(page, "staff-counter-phone", docs=True)


def test_the_management_pages_fit_a_phone(
    phone_page: Any,
    live_server: str,
    runtime: Runtime,
    live_merchant: Merchant,
    clock: TestClock,
    screenshot: Screenshot,
) -> None:
    page, base = phone_page, live_server
    cut = live_merchant.service("Cut and blow-dry", price=4000, duration_minutes=45)
    with runtime.uow(live_merchant.id) as uow:
        sofia = create_member(uow, name="Sofia Marques").staff_id
        create_member(uow, name="João Pires")
        uow.commit()
    ana = live_merchant.customer("Ana Conceição", phone="+351 912 345 678")
    twin = live_merchant.customer("Ana C.", email="ana@example.com")
    starts = (clock.now() + timedelta(days=1)).replace(hour=10, minute=0, second=0)
    booked = live_merchant.post(
        "/v1/bookings",
        {
            "customer_id": ana["id"],
            "service_id": cut["id"],
            "starts_at": starts.isoformat(),
            "staff_id": sofia,
        },
    )
    assert booked.status_code == 201, booked.text
    _sign_in(page, base, runtime, live_merchant)

    page.goto(f"{base}/staff/bookings/day?date={starts.date().isoformat()}")
    assert page.get_by_role("heading", name="Sofia Marques").is_visible()
    assert page.get_by_role("heading", name="João Pires").is_visible()
    _fits(page)
    screenshot(page, "staff-bookings-day-phone", docs=True)

    page.goto(f"{base}/staff/customers/{twin['id']}/merge?q=ana conceicao")
    assert page.get_by_role("button", name="Merge into Ana Conceição").is_visible()
    _fits(page)
    screenshot(page, "staff-customer-merge-phone", docs=True)

    page.goto(f"{base}/staff/services/{cut['id']}")
    page.get_by_label("What the customer can expect (one a line)").fill(
        "A cut you chose\nHair dried and styled"
    )
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**?done=saved")
    assert page.get_by_role("heading", name="Version 2", exact=False).is_visible()
    _fits(page)
    screenshot(page, "staff-service-phone", docs=True)

    page.goto(f"{base}/staff/policies")
    page.get_by_label("Deposit (% of the price)").fill("abc")
    page.get_by_role("button", name="Save the deposit policy").click()
    said = page.locator("#deposit-percent-error")  # beside its field, not at the top
    said.wait_for()
    assert "Write a number from 0 to 100" in said.inner_text()
    assert page.get_by_label("Deposit (% of the price)").input_value() == "abc"
    _fits(page)
    screenshot(page, "staff-policies-phone", docs=True)
