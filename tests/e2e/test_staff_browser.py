"""The staff console in a real Chromium: sign in, open a tab, add, serve, take cash.

Also proves that the ``Secure`` session cookie works on ``http://127.0.0.1``
(a secure context for Chromium): if it did not, the sign-in would land back on
the sign-in form.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from servefirst.runtime import Runtime
from servefirst.staff.service import create_staff
from tests.conftest import Merchant

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
    screenshot: Callable[[Any, str], Path],
    size: str,
) -> None:
    email = _staff_login(runtime, merchant)
    merchant.service("Flat white", price=380)
    merchant.service("Pastel de nata", price=150)
    customer = merchant.customer(f"Gabriela Reis {size}", email=f"gabi.{size}@example.com")

    page.goto(f"{base}/staff")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, f"staff-sign-in-{size}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff?done=signed_in")
    assert page.get_by_text("Ana Sousa").is_visible()
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["sf_staff"]
    assert session["httpOnly"] and session["secure"] and session["sameSite"] == "Lax"
    assert page.evaluate("document.cookie") == ""  # no script can read it

    # Search as one types (htmx): the result appears without a page load.
    page.get_by_label("Name, e-mail or phone").fill("gabriela")
    result = page.get_by_role("link", name=f"Gabriela Reis {size}")
    result.wait_for()
    assert page.url == f"{base}/staff?done=signed_in"
    screenshot(page, f"staff-console-{size}")
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
    screenshot(page, f"staff-tab-served-{size}")

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
    screenshot: Callable[[Any, str], Path],
) -> None:
    _walk_a_tab_to_paid(phone_page, live_server, runtime, live_merchant, screenshot, "phone")
    # Nothing is wider than the phone: no sideways scrolling at the counter.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360


def test_staff_take_a_tab_to_paid_on_a_tablet(
    tablet_page: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Callable[[Any, str], Path],
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
