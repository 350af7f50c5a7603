"""The Today page's "By method" table on a 375 px phone, in English and in
Portuguese: each method's figures fit the card under their names instead of
running off its right edge; on a wide screen it stays a five-column table,
and the page's other tables are left as they are."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.e2e.conftest import Screenshot
from tests.e2e.test_accessibility import context_at, violations
from tests.e2e.test_back_office_phone import _signed_in

pytestmark = pytest.mark.browser
__all__ = ["context_at"]  # a fixture, used by name

#: The narrowest phone in common use (an iPhone SE, a Galaxy S9).
NARROW = {"width": 375, "height": 667}
WIDE = {"width": 1024, "height": 800}
#: The "Payments" column's name, as the phone shows it beside each count.
PAYMENTS = {"en": "Payments", "pt_PT": "Pagamentos"}

#: Where each cell of the table ends, beside the right edge of the box it sits in.
EDGES = """() => {
  const box = document.querySelector('#by-method').closest('.table-scroll');
  const right = box.getBoundingClientRect().right;
  const cells = [...document.querySelectorAll('#by-method tbody th, #by-method tbody td')];
  return {right, widest: Math.max(...cells.map(c => c.getBoundingClientRect().right)),
          scroll: box.scrollWidth, client: box.clientWidth};
}"""


def _a_day_of_three_methods(merchant: Merchant) -> None:
    for method in ("cash", "card_terminal"):
        tab = merchant.served_tab(9999)
        paid = merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": method, "tip": 1234})
        assert paid.status_code == 201, paid.text
    tab = merchant.served_tab(380)
    paid = merchant.client.post(
        f"/v1/public/tabs/{tab['token']}/pay",
        json={"method": "card", "card": "4242424242424242", "tip": 100},
    )
    assert paid.status_code == 201, paid.text


def _displays(page: Any, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.map(e => getComputedStyle(e).display)")  # type: ignore[no-any-return]


@pytest.mark.parametrize("locale", sorted(PAYMENTS))
def test_by_method_fits_a_phone_and_stays_a_table_on_a_wide_screen(
    context_at: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Screenshot,
    locale: str,
) -> None:
    _a_day_of_three_methods(live_merchant)
    if locale != "en":
        assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    page = context_at(NARROW)
    _signed_in(page, live_server, runtime, live_merchant, "owner")
    page.goto(f"{live_server}/staff/today")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"the page is {width}px wide"
    edges = page.evaluate(EDGES)
    assert edges["widest"] <= edges["right"] + 0.5, edges  # nothing cut off on the right
    assert edges["scroll"] <= edges["client"], edges  # nothing to scroll sideways to
    counts = page.locator("#by-method tbody td:first-of-type")
    assert counts.count() == 3
    label = counts.first.evaluate("e => getComputedStyle(e, '::before').content")
    assert label == f'"{PAYMENTS[locale]}"', label
    # The other tables of the page are drawn as before.
    assert set(_displays(page, "#by-service tr, #by-staff tr")) == {"table-row"}
    assert violations(page) == []
    screenshot(page, f"staff-today-by-method-phone-{locale}")

    page.set_viewport_size(WIDE)
    assert set(_displays(page, "#by-method tr")) == {"table-row"}
    assert page.locator("#by-method thead").is_visible()
    edges = page.evaluate(EDGES)
    assert edges["scroll"] <= edges["client"], edges
