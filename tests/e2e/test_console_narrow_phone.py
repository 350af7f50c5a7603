"""Console pages on the narrowest phone in common use (375 px), in English and
in Portuguese, with wrong input: a manager issues an invoice and gets the
refusal beside a due-date field wide enough to read and pick a date in; a paid
tab shows its tip apart from the bill; an owner's message search too long is
refused beside its field; and a customer's refused move of a booking is said
beside its times. Nothing is wider than the screen, every checkbox keeps room
before its words, and axe finds nothing serious."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.e2e.conftest import Screenshot
from tests.e2e.test_accessibility import context_at, violations  # noqa: F401
from tests.e2e.test_back_office_phone import _signed_in
from tests.integration.test_availability_api import Salon
from tests.integration.test_bookings_api import GOOD, salon

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


#: Each shown checkbox's words, and how far they start from its right edge
#: (the first line's: a label that wraps starts its other lines under it).
CHECKBOX_GAPS = """() => [...document.querySelectorAll('label')].flatMap(label => {
  const box = label.querySelector('input[type=checkbox]');
  const words = [...label.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim());
  if (!box || !box.offsetParent || !words.length) return [];
  const range = document.createRange();
  range.setStartBefore(words[0]); range.setEndAfter(words[words.length - 1]);
  const first = range.getClientRects()[0];
  return [[label.textContent.trim(), first.left - box.getBoundingClientRect().right]];
})"""
#: The least room between a checkbox and its words that still reads as apart.
CHECKBOX_GAP_MIN = 6


def checkboxes_stand_apart(page: Any) -> None:
    """Every checkbox keeps a gap before its words, whether its label lays
    them out beside it (``label.choice``) or runs them on as text (the
    policies' "Ask for deposits on bookings" stood 3 px from its box)."""
    gaps = page.evaluate(CHECKBOX_GAPS)
    assert gaps, f"no checkbox shown on {page.url}"
    touching = [(words, round(gap, 1)) for words, gap in gaps if gap < CHECKBOX_GAP_MIN]
    assert touching == [], f"checkboxes without room before their words: {touching}"


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


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
@pytest.mark.parametrize("path", ["/staff/messages", "/staff/policies"])
def test_every_checkbox_keeps_room_before_its_words_on_a_narrow_phone(
    context_at: Any,  # noqa: F811
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    locale: str,
    path: str,
) -> None:
    """The messages sent (a grid of boxed choices) and the policies' switches
    (a box in a line of text), in both languages."""
    page, base = context_at(NARROW), live_server
    assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    _signed_in(page, base, runtime, live_merchant, "owner")
    page.goto(f"{base}{path}")
    checkboxes_stand_apart(page)
    fits(page)


#: How the Messages page says a search too long to be a name or an address.
TOO_LONG = {"en_GB": "Search by a name, an e-mail", "pt_PT": "Procure por um nome, um e-mail"}


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_an_owner_searches_the_messages_on_a_narrow_phone(
    context_at: Any,  # noqa: F811
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Screenshot,
    locale: str,
) -> None:
    page, base = context_at(NARROW), live_server
    assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    _signed_in(page, base, runtime, live_merchant, "owner")
    page.goto(f"{base}/staff/messages")
    fits(page)
    # Wrong input: a pasted paragraph, not a name or an address.
    page.locator("#message-customer").fill("x" * 300)
    page.locator("#message-state").select_option("failed")
    page.locator("form.message-search button").click()
    page.wait_for_load_state("load")
    field = page.locator("#message-customer")
    assert field.get_attribute("aria-invalid") == "true"
    assert "search-customer-error" in (field.get_attribute("aria-describedby") or "")
    assert TOO_LONG[locale] in page.locator("#search-customer-error").inner_text()
    assert field.input_value() == "x" * 300
    assert page.locator("#message-state").input_value() == "failed"
    for shown in (field, page.locator("#message-state")):
        box = shown.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"], box
    fits(page)
    assert violations(page) == []
    screenshot(page, f"messages-search-refused-narrow-{locale}")


@pytest.mark.parametrize(
    ("language", "expired"),
    [("en-GB", "This form expired."), ("pt-PT", "Este formulário expirou.")],
)
def test_a_refused_move_is_said_beside_the_times_on_a_narrow_phone(
    browser: Any,
    live_server: str,
    live_merchant: Merchant,
    clock: TestClock,
    screenshot: Screenshot,
    language: str,
    expired: str,
) -> None:
    shop = Salon(live_merchant, clock)
    salon(live_merchant)
    booked = shop.book(shop.at(shop.day(3), "10:00"), card=GOOD)
    assert booked.status_code == 201, booked.text
    manage = "/b/" + booked.json()["manage_url"].split("/b/", 1)[1]
    context = browser.new_context(viewport=NARROW, locale=language, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server}{manage}")
        page.locator(f'#move a[href*="day={shop.day(5).isoformat()}"]').click()
        chosen = page.locator('#move input[name="starts_at"]').nth(1)
        chosen.check()
        value = chosen.get_attribute("value")
        # The form's guard lost (a browser's cookies cleared while the page was open).
        context.clear_cookies()
        page.locator("#move button[type=submit]").click()
        page.wait_for_load_state("load")

        error = page.locator("#move #starts_at-error")
        assert expired in error.inner_text()
        assert page.locator("#error").count() == 0  # not at the page's top
        kept = page.locator(f'#move input[name="starts_at"][value="{value}"]')
        assert kept.is_checked() and kept.get_attribute("aria-invalid") == "true"
        top = error.evaluate("e => e.getBoundingClientRect().top")
        assert 0 <= top < NARROW["height"], top  # in view, where the times are
        fits(page)
        assert violations(page) == []
        screenshot(page, f"manage-booking-refused-narrow-{language}")
    finally:
        context.close()
