"""The staff console in a real Chromium: sign in, open a tab, add, serve, take cash,
and check in today's booking.

Also proves that the ``Secure`` session cookie works on ``http://127.0.0.1``
(a secure context for Chromium): if it did not, the sign-in would land back on
the sign-in form.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from servefirst.runtime import Runtime
from servefirst.staff.service import create_member, create_staff
from tests.conftest import Merchant, TestClock
from tests.e2e.conftest import PHONE, Screenshot
from tests.integration.test_bookings_api import ALWAYS_ASKED, SALON
from tests.integration.test_pages_staff_bookings import later_today

pytestmark = pytest.mark.browser

PASSWORD = "steamed milk 42"


def _staff_login(runtime: Runtime, merchant: Merchant) -> str:
    email = f"ana.{secrets.token_hex(4)}@azul.example"
    with runtime.uow(merchant.id) as uow:
        create_staff(uow, email=email, password=PASSWORD, name="Ana Sousa", role="owner")
        uow.commit()
    return email


def _walk_a_tab_to_paid(
    page: Any,
    base: str,
    runtime: Runtime,
    merchant: Merchant,
    screenshot: Screenshot,
    size: str,
) -> None:
    email = _staff_login(runtime, merchant)
    merchant.service("Flat white", price=380)
    merchant.service("Pastel de nata", price=150)
    customer = merchant.customer(f"Gabriela Reis {size}", email=f"gabi.{size}@example.com")

    page.goto(f"{base}/staff")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, f"staff-sign-in-{size}", docs=True)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/today?done=signed_in")
    assert page.get_by_text("Ana Sousa").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "Today at Café Azul"
    page.get_by_role("navigation").get_by_role("link", name="Counter").click()
    page.wait_for_url(f"{base}/staff")
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["sf_staff"]
    assert session["httpOnly"] and session["secure"] and session["sameSite"] == "Lax"
    assert page.evaluate("document.cookie") == ""  # no script can read it

    # Search as one types (htmx): the result appears without a page load.
    page.get_by_label("Name, e-mail or phone").fill("gabriela")
    result = page.get_by_role("link", name=f"Gabriela Reis {size}")
    result.wait_for()
    assert page.url == f"{base}/staff"
    screenshot(page, f"staff-home-{size}", docs=True)
    result.click()
    page.wait_for_url(f"{base}/staff/customers/{customer['id']}")
    assert page.locator(".tier").first.inner_text().lower() == "new"

    page.get_by_role("button", name="Open a tab").click()
    page.wait_for_url("**/staff/tabs/*?done=opened")
    assert page.locator("#tab-status").inner_text() == "open"

    page.get_by_label("Service").select_option(label="Flat white — €3.80")
    page.get_by_label("Qty").fill("2")
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url("**?done=line")
    page.get_by_label("Service").select_option(label="Pastel de nata — €1.50")
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url("**?done=line")
    assert page.locator("#amount-due").inner_text() == "€9.10"

    page.get_by_role("button", name="Mark served").click()
    page.wait_for_url("**?done=served")
    assert page.locator("#tab-status").inner_text() == "served"
    assert page.get_by_label("Towards the bill (EUR)").input_value() == "9.10"
    page.get_by_label("Tip (EUR)").fill("0.90")
    screenshot(page, f"staff-tab-{size}", docs=True)

    page.get_by_role("button", name="Record cash").click()
    page.wait_for_url("**?done=paid")
    assert page.locator("#tab-status").inner_text() == "paid"
    assert page.locator("#amount-due").inner_text() == "€0.00"
    assert page.get_by_text("Payment recorded.").is_visible()
    screenshot(page, f"staff-tab-paid-{size}")

    tab_id = page.url.split("/staff/tabs/")[1].split("?")[0]
    api = merchant.get(f"/v1/tabs/{tab_id}").json()
    assert api["status"] == "paid" and api["paid"] == 910 and api["tips"] == 90


def test_staff_take_a_tab_to_paid_on_a_phone(
    phone_page: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Screenshot,
) -> None:
    _walk_a_tab_to_paid(phone_page, live_server, runtime, live_merchant, screenshot, "phone")
    # Nothing is wider than the phone: no sideways scrolling at the counter.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_staff_take_a_tab_to_paid_on_a_tablet(
    tablet_page: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Screenshot,
) -> None:
    _walk_a_tab_to_paid(tablet_page, live_server, runtime, live_merchant, screenshot, "tablet")


def test_a_wrong_password_stays_on_the_sign_in_form(
    phone_page: Any, live_server: str, live_merchant: Merchant, runtime: Runtime
) -> None:
    email = _staff_login(runtime, live_merchant)
    phone_page.goto(f"{live_server}/staff")
    phone_page.get_by_label("E-mail").fill(email)
    phone_page.get_by_label("Password").fill("not the password")
    phone_page.get_by_role("button", name="Sign in").click()
    alert = phone_page.get_by_role("alert")
    alert.wait_for()
    assert "do not match" in alert.inner_text()
    assert "sf_staff" not in {c["name"] for c in phone_page.context.cookies()}


def test_staff_check_in_todays_booking_on_a_tablet(
    tablet_page: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    clock: TestClock,
    screenshot: Screenshot,
) -> None:
    page = tablet_page
    email = _staff_login(runtime, live_merchant)
    # New customers always leave a deposit here (the no-show model decides by default).
    policy = live_merchant.post(
        "/v1/merchant/deposit-policy", {"deposit_policy": ALWAYS_ASKED | SALON}
    )
    assert policy.status_code == 200, policy.text
    cut = live_merchant.service("Cut and blow-dry", price=4000, duration_minutes=45)
    with runtime.uow(live_merchant.id) as uow:
        stylist = create_member(uow, name="Sofia Marques", commission_bps=4000).staff_id
        uow.commit()
    customer = live_merchant.customer("Leonor Batista")
    booked = live_merchant.post(
        "/v1/bookings",
        {
            "customer_id": customer["id"],
            "service_id": cut["id"],
            "starts_at": later_today(clock).isoformat(),
            "staff_id": stylist,
            "card": "4242424242424242",
        },
    )
    assert booked.status_code == 201, booked.text
    booking = booked.json()

    page.goto(f"{live_server}/staff")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/staff/today?done=signed_in")
    row = page.locator(f"#booking-{booking['id']}")
    assert "Leonor Batista" in row.inner_text()
    assert "Deposit €6.00 held" in row.inner_text()
    row.scroll_into_view_if_needed()
    screenshot(page, "staff-bookings-tablet")

    row.get_by_role("button", name="Check in").click()
    page.wait_for_url("**/staff/tabs/*?done=checked_in")
    assert page.get_by_text("Checked in: the booked service is on the tab.").is_visible()
    assert page.locator("#tab-status").inner_text() == "open"
    assert page.locator("#amount-due").inner_text() == "€34.00"  # 40.00 less the deposit
    tab_id = page.url.split("/staff/tabs/")[1].split("?")[0]
    after = live_merchant.get(f"/v1/bookings/{booking['id']}").json()
    assert (after["status"], after["tab_id"]) == ("checked_in", tab_id)
    assert after["deposit"]["status"] == "applied"
