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
