"""The console's tab page on the narrowest phone in common use (375 px), its
business speaking English or Portuguese: a manager issues an invoice with the
wrong input and gets the refusal beside a due-date field wide enough to read
and pick a date in; a paid tab shows its tip apart from the bill. Nothing is
wider than the screen, and axe finds nothing serious."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.e2e.conftest import Screenshot
from tests.e2e.test_accessibility import context_at, violations  # noqa: F401
from tests.e2e.test_back_office_phone import _signed_in

pytestmark = pytest.mark.browser

#: The narrowest phone in common use (an iPhone SE, a Galaxy S9).
NARROW = {"width": 375, "height": 667}
#: A date field shows a day, a month, a year and its picker's button in about this much.
DATE_FIELD_MIN = 160
#: The business's language, and how its console says the due date was left out.
LANGUAGES = {"en_GB": "Give the due date", "pt_PT": "Indique a data de vencimento"}


def fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{page.url} is {width}px wide on a 375 px phone"


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_an_invoice_s_due_date_is_usable_on_a_narrow_phone(
    context_at: Any,  # noqa: F811
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Screenshot,
    locale: str,
) -> None:
    page, base = context_at(NARROW), live_server
    assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    tab = live_merchant.served_tab(4500)
    _signed_in(page, base, runtime, live_merchant, "manager")
    page.goto(f"{base}/staff/tabs/{tab['id']}")
    # Wrong input: "on the date below", and no date given.
    page.locator("#terms").select_option("date")
    page.locator("form[action$='/invoice'] button").click()
    page.wait_for_load_state("load")

    due = page.locator("#due_date")
    assert due.get_attribute("aria-invalid") == "true"
    assert due.get_attribute("aria-describedby") == "invoice-due_date-error"
    assert LANGUAGES[locale] in page.locator("#invoice-due_date-error").inner_text()
    assert page.locator("#terms").input_value() == "date"  # the choice kept
    box = due.bounding_box()
    assert box["width"] >= DATE_FIELD_MIN, f"the due date is {box['width']}px wide"
    assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"], box
    fits(page)
    assert violations(page) == []
    screenshot(page, f"invoice-due-date-narrow-{locale}")

    # Three weeks from the day the tab was opened (the server's clock), as a picker sends it.
    day = (date.fromisoformat(tab["opened_at"][:10]) + timedelta(days=21)).isoformat()
    due.fill(day)
    page.locator("form[action$='/invoice'] button").click()
    page.wait_for_url("**?done=invoiced")
    assert live_merchant.get(f"/v1/tabs/{tab['id']}").json()["due_date"] == day
    fits(page)


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_a_paid_tab_s_tip_sits_apart_on_a_narrow_phone(
    context_at: Any,  # noqa: F811
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Screenshot,
    locale: str,
) -> None:
    page, base = context_at(NARROW), live_server
    assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    tab = live_merchant.served_tab(1000)
    paid = live_merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "tip": 200})
    assert paid.status_code == 201, paid.text
    _signed_in(page, base, runtime, live_merchant, "staff")
    page.goto(f"{base}/staff/tabs/{tab['id']}")
    assert page.locator("#tip-totals").is_visible()
    assert "12" in page.locator("#paid-in-all").inner_text()
    assert page.locator("#bill-totals #tips").count() == 0
    fits(page)
    assert violations(page) == []
    screenshot(page, f"tab-tip-apart-narrow-{locale}")
