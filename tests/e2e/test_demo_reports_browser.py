"""The demo café's owner reads the reports in a real Chromium: six weeks of
history in every chart. The README's report pictures come from here, so they
show what a new owner sees after `servefirst demo`, not a test's one morning."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.demo import build_demo
from servefirst.runtime import Runtime
from tests.e2e.conftest import DOCS_SCREENSHOTS

pytestmark = pytest.mark.browser


def test_the_demo_owner_reads_six_weeks_of_sales_and_satisfaction(
    tablet_page: Any, live_server: str, runtime: Runtime
) -> None:
    page, base = tablet_page, live_server
    demo = build_demo(runtime)
    email, password = demo.staff_logins[0]  # the café's owner
    page.goto(f"{base}/staff")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/today?done=signed_in")

    for report, section, name in (
        ("sales", "by-day", "demo-report-sales-tablet"),
        ("satisfaction", "by-service", "demo-report-satisfaction-tablet"),
    ):
        page.goto(f"{base}/staff/reports/{report}")
        card = page.locator(f"section[aria-labelledby='{section}-heading']")
        chart = card.locator("img.chart")
        chart.scroll_into_view_if_needed()
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0"), report
        rows = card.locator("tbody tr")
        assert rows.count() >= 4, f"{report}: {rows.count()} rows"
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        figure = card.locator("figure")
        figure.screenshot(path=str(DOCS_SCREENSHOTS / f"{name}.png"), animations="disabled")
