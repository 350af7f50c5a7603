"""A refusal said beside its field is on the phone's screen when the page comes
back, even when the form sits at the bottom of a long page: the menu's sideways
scroll (pages.js) must not take the page back up to the top."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.e2e.test_back_office_phone import _signed_in

pytestmark = pytest.mark.browser


def test_a_refused_policy_at_the_bottom_of_the_page_is_in_view_on_a_phone(
    phone_page: Any, live_server: str, live_merchant: Merchant, runtime: Runtime
) -> None:
    page, base = phone_page, live_server
    _signed_in(page, base, runtime, live_merchant, "owner")
    page.goto(f"{base}/staff/policies")
    page.get_by_label("Average rating needed (1 to 5)").fill("9")
    page.get_by_role("button", name="Save the earnings policy").click()
    page.wait_for_url(f"{base}/staff/policies/earnings")
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    refusal = page.locator("#earnings-bonus_min_average-error")
    assert refusal.text_content() == "Write a number from 1 to 5."
    top, bottom = refusal.evaluate(
        "e => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom]"
    )
    assert top >= 0 and bottom <= page.viewport_size["height"], (top, bottom)
    # Whenever the menu is brought into view, the page stays where the reader is.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    before = page.evaluate("window.scrollY")
    page.evaluate("document.dispatchEvent(new Event('DOMContentLoaded'))")
    assert page.evaluate("window.scrollY") == before
    # The menu still shows where the reader is.
    current = page.locator(".staff-nav a[aria-current='page']")
    left, right = current.evaluate(
        "e => [e.getBoundingClientRect().left, e.getBoundingClientRect().right]"
    )
    assert left >= 0 and right <= page.viewport_size["width"], (left, right)


def test_a_refused_quantity_is_said_beside_it_in_view_on_a_phone(
    phone_page: Any, live_server: str, live_merchant: Merchant, runtime: Runtime
) -> None:
    """A tab with a long bill: the add-line form sits below it. A quantity the
    tab cannot take (a line past what servefirst accepts) comes back with the
    refusal beside the quantity, on screen, the quantity as typed and focused."""
    page, base = phone_page, live_server
    coffee = live_merchant.service("Flat white", price=380)
    hall = live_merchant.service("Hall hire", price=100_000_000)
    tab = live_merchant.tab()
    for _ in range(8):
        added = live_merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": coffee["id"]})
        assert added.status_code == 200, added.text
    _signed_in(page, base, runtime, live_merchant, "staff")
    page.goto(f"{base}/staff/tabs/{tab['id']}")
    page.get_by_label("Service").select_option(hall["id"])
    page.get_by_label("Qty").fill("101")
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(f"{base}/staff/tabs/{tab['id']}/lines")
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    refusal = page.locator("#quantity-error")
    assert refusal.text_content() == "That line is larger than servefirst accepts."
    top, bottom = refusal.evaluate(
        "e => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom]"
    )
    assert top >= 0 and bottom <= page.viewport_size["height"], (top, bottom)
    quantity = page.get_by_label("Qty")
    assert quantity.input_value() == "101"
    assert quantity.get_attribute("aria-invalid") == "true"
    assert quantity.evaluate("e => e === document.activeElement")
    assert page.locator(".flash-error").count() == 0  # said once, beside the field
    assert page.get_by_label("Service").input_value() == hall["id"]
    lines = live_merchant.get(f"/v1/tabs/{tab['id']}").json()["lines"]
    assert len(lines) == 8
