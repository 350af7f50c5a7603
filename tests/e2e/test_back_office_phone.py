"""The back office on a phone in a real Chromium: close the day, read a report
with its server-drawn charts, chase a debtor, set the trust policy; a manager
is refused the owner's pages. Each page's first screen goes to the README."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from servefirst.runtime import Runtime
from servefirst.staff.service import create_staff
from tests.conftest import Merchant
from tests.e2e.conftest import PHONE, Screenshot

pytestmark = pytest.mark.browser

PASSWORD = "steamed milk 42"


def _signed_in(page: Any, base: str, runtime: Runtime, merchant: Merchant, access: str) -> None:
    email = f"ines.{secrets.token_hex(4)}@azul.example"
    with runtime.uow(merchant.id) as uow:
        create_staff(
            uow, email=email, password=PASSWORD, name="Inês Duarte", role=access, access=access
        )
        uow.commit()
    page.goto(f"{base}/staff")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/today?done=signed_in")


def _fits_the_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def _a_morning(merchant: Merchant) -> None:
    for price in (380, 450, 1250):
        tab = merchant.served_tab(price)
        assert (
            merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash"}).status_code == 201
        )
    merchant.served_tab(900)  # left owing


def test_an_owner_runs_the_back_office_on_a_phone(
    phone_page: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Screenshot,
) -> None:
    page, base = phone_page, live_server
    _a_morning(live_merchant)
    _signed_in(page, base, runtime, live_merchant, "owner")

    # Close the day: a negative count comes back in words, as typed.
    page.goto(f"{base}/staff/close-day")
    _fits_the_phone(page)
    page.get_by_label("Opening float").fill("50.00")
    page.get_by_label("€20.00 note").fill("-1")
    page.get_by_role("button", name="Close the day").click()
    assert page.get_by_text("A count cannot be negative.").is_visible()
    assert page.get_by_label("€20.00 note").input_value() == "-1"
    page.get_by_label("€20.00 note").fill("3")
    page.get_by_label("€10.00 note").fill("1")
    for coin in ("€0.50 coin", "€0.20 coin", "€0.10 coin"):
        page.get_by_label(coin).fill("1")
    screenshot(page, "staff-close-day-phone", docs=True)
    page.get_by_role("button", name="Close the day").click()
    page.wait_for_url("**/staff/close-day/*?done=closed")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Z report")
    assert page.get_by_text("Exact").is_visible()  # 50.00 float + 20.80 taken in cash
    _fits_the_phone(page)
    screenshot(page, "staff-z-report-phone", docs=True)

    # Reports: the chart is an image the page may load (the CSP allows it).
    page.goto(f"{base}/staff/reports/sales")
    chart = page.locator("img.chart").first
    chart.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('img.chart').complete")
    assert chart.evaluate("img => img.naturalWidth") > 0
    assert page.get_by_role("table").first.is_visible()
    _fits_the_phone(page)
    screenshot(page, "staff-report-sales-phone", docs=True)
    page.goto(f"{base}/staff/reports/cash-flow")
    assert page.get_by_text("61+ days").first.is_visible()
    _fits_the_phone(page)

    # Debtors: the unpaid tab, written off with a reason and a confirm.
    page.goto(f"{base}/staff/debtors")
    _fits_the_phone(page)
    screenshot(page, "staff-debtors-phone", docs=True)
    page.get_by_text("Write off", exact=True).first.click()
    page.get_by_label("Reason").fill("Tourist, left no contact")
    page.get_by_role("button", name="Write off").click()
    assert page.get_by_text("Tick the box to confirm").is_visible()
    assert page.get_by_label("Reason").input_value() == "Tourist, left no contact"
    page.get_by_label("I confirm").check()
    page.get_by_role("button", name="Write off").click()
    page.wait_for_url("**/staff/debtors?done=written_off")
    assert live_merchant.balances()["write_offs"] == 900

    # The trust policy: what each preset means, one tap to use one.
    page.goto(f"{base}/staff/policies/trust")
    _fits_the_phone(page)
    screenshot(page, "staff-trust-policy-phone", docs=True)
    page.get_by_label("generous").check()
    page.get_by_role("button", name="Use this preset").click()
    page.wait_for_url("**/staff/policies/trust?done=saved")
    assert live_merchant.get("/v1/merchant/trust-policy").json()["half_life_days"] == 90


def test_an_owner_reads_the_tax_report_on_a_phone(
    phone_page: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Screenshot,
) -> None:
    page, base = phone_page, live_server
    standard = live_merchant.post("/v1/tax-rates", {"name": "IVA 23%", "percent": "23"}).json()
    reduced = live_merchant.post("/v1/tax-rates", {"name": "IVA 6%", "percent": "6"}).json()
    tab = live_merchant.tab()
    for price, rate in ((1230, standard), (1060, reduced)):
        service = live_merchant.service(price=price, tax_rate_id=rate["id"])
        live_merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
    _signed_in(page, base, runtime, live_merchant, "owner")
    page.goto(f"{base}/staff/reports/sales")
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Tax").click()
    page.wait_for_url("**/staff/reports/tax?*")
    assert page.get_by_role("cell", name="€2.90").first.is_visible()  # tax, all rates
    chart = page.locator("img.chart").first
    chart.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('img.chart').complete")
    assert chart.evaluate("img => img.naturalWidth") > 0
    _fits_the_phone(page)
    screenshot(page, "staff-report-tax-phone")
    # A period typed backwards comes back as typed, with the reason in words.
    page.get_by_label("From").fill("2026-03-01")
    page.get_by_label("To").fill("2026-02-01")
    page.get_by_role("button", name="Show").click()
    assert page.get_by_text("The first day comes after the last.").is_visible()
    assert page.get_by_label("From").input_value() == "2026-03-01"
    _fits_the_phone(page)


def test_a_manager_closes_the_day_but_may_not_read_reports(
    phone_page: Any, live_server: str, live_merchant: Merchant, runtime: Runtime
) -> None:
    page, base = phone_page, live_server
    _signed_in(page, base, runtime, live_merchant, "manager")
    assert page.goto(f"{base}/staff/close-day").status == 200
    for path in ("/staff/reports/sales", "/staff/policies/trust"):
        response = page.goto(f"{base}{path}")
        assert response.status == 403, path
        assert page.get_by_role("heading", level=1).inner_text() == "Not allowed"


def test_an_owner_reads_the_cash_flow_on_a_tablet(
    tablet_page: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Screenshot,
) -> None:
    page, base = tablet_page, live_server
    _a_morning(live_merchant)
    _signed_in(page, base, runtime, live_merchant, "owner")
    page.goto(f"{base}/staff/reports/cash-flow")
    for chart in page.locator("img.chart").all():
        chart.scroll_into_view_if_needed()
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.get_by_role("cell", name="€9.00").first.is_visible()  # owed, 0-7 days
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "staff-report-cash-flow-tablet", docs=True)


def test_on_a_phone_the_console_menu_is_one_row_showing_the_current_section(
    phone_page: Any, live_server: str, live_merchant: Merchant, runtime: Runtime
) -> None:
    page, base = phone_page, live_server
    _signed_in(page, base, runtime, live_merchant, "owner")
    page.goto(f"{base}/staff/settings")  # near the end of the owner's menu
    menu = page.get_by_role("navigation", name="Console sections")
    one_link = menu.get_by_role("link").first.bounding_box()
    assert menu.bounding_box()["height"] < 2 * one_link["height"], "the menu wraps"
    current = menu.locator("[aria-current='page']")
    box = current.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], "current section hidden"
    _fits_the_phone(page)
