"""The pages under the Content-Security-Policy, in a real Chromium: the
customer's page (htmx's live refresh included), its receipt and QR code, the
staff console's search as one types, and /docs all work, and Chromium reports
no violation of the policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.e2e.test_customer_browser import served_tab
from tests.e2e.test_staff_browser import PASSWORD, _staff_login

pytestmark = pytest.mark.browser


class Watched:
    """A page with every console message and script error it produces."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def violations(self) -> list[str]:
        return [
            line
            for line in self.console + self.errors
            if "Content Security Policy" in line or "Refused to" in line
        ]


@pytest.fixture
def watched(tablet_page: Any) -> Iterator[Watched]:
    yield Watched(tablet_page)


def test_the_customers_pages_work_under_the_policy(
    live_server: str, live_merchant: Merchant, watched: Watched
) -> None:
    from playwright.sync_api import expect

    page = watched.page
    tab = served_tab(live_merchant, 2000, 450)
    page.goto(f"{live_server}/t/{tab['token']}")
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    page.get_by_role("button", name="I accept these terms").click()
    expect(page.get_by_role("status")).to_contain_text("accepted the terms")

    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Pay now").click()
    expect(page).to_have_url(f"{live_server}/t/{tab['token']}/receipt")
    # Print is wired by /static/pages.js, not by an inline handler.
    page.evaluate("window.print = () => { window.printed = true }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed") is True

    page.goto(f"{live_server}/t/{tab['token']}/qr")
    page.evaluate("window.print = () => { window.printed = true }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed") is True
    assert watched.violations() == []
    assert watched.errors == []


def test_the_live_refresh_runs_under_the_policy(
    live_server: str, live_merchant: Merchant, watched: Watched
) -> None:
    from playwright.sync_api import expect

    page = watched.page
    tab = live_merchant.tab()
    page.goto(f"{live_server}/t/{tab['token']}")
    svc = live_merchant.service("Espresso", price=150)
    live_merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": svc["id"]})
    expect(page.get_by_text("Espresso").first).to_be_visible(timeout=15_000)
    assert watched.violations() == []


def test_the_staff_console_works_under_the_policy(
    live_server: str, live_merchant: Merchant, runtime: Runtime, watched: Watched
) -> None:
    page = watched.page
    email = _staff_login(runtime, live_merchant)
    live_merchant.customer("Gabriela Reis")
    page.goto(f"{live_server}/staff")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/staff/today?done=signed_in")
    page.get_by_role("navigation").get_by_role("link", name="Counter").click()
    page.wait_for_url(f"{live_server}/staff")
    page.get_by_label("Name, e-mail or phone").fill("gabriela")  # htmx search
    page.get_by_role("link", name="Gabriela Reis").wait_for()
    assert page.url == f"{live_server}/staff"
    assert watched.violations() == []
    assert watched.errors == []


def test_the_api_reference_renders_offline_under_the_policy(
    live_server: str, watched: Watched
) -> None:
    page = watched.page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server}/docs")
    # 1.7 MB of Swagger UI to parse on a busy machine: more time than a page.
    page.locator(".swagger-ui .info .title").wait_for(timeout=45_000)
    assert "servefirst" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock").first.wait_for(timeout=45_000)
    assert page.locator(".opblock").count() > 40
    assert requests and all(url.startswith(live_server) for url in requests), requests
    assert watched.violations() == []
    assert watched.errors == []
