"""The console's tab on a phone, a line voided with a reason long enough to
wrap: the first column then takes all the room it can, and the figures'
columns must still stand apart ("Qty" and "Amount" used to run together as
"QtyAmount", and so did a quantity and its amount)."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.e2e.test_back_office_phone import _fits_the_phone, _signed_in

pytestmark = pytest.mark.browser

#: The left and right edges of each cell's text in a row of the tab's lines.
TEXT_EDGES = """row => [...row.children].map(cell => {
  const range = document.createRange(); range.selectNodeContents(cell);
  const box = range.getBoundingClientRect(); return [box.left, box.right];
})"""


def test_a_voided_line_s_reason_leaves_the_figures_apart_on_a_phone(
    phone_page: Any, live_server: str, live_merchant: Merchant, runtime: Runtime
) -> None:
    page, base = phone_page, live_server
    tab = live_merchant.tab()
    for name, price in (("Colour and cut", 8500), ("Fringe trim", 500)):
        service = live_merchant.service(name, price=price)
        added = live_merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
        assert added.status_code == 200, added.text
    voided = live_merchant.post(
        f"/v1/tabs/{tab['id']}/lines/1/void",
        {"reason": "The customer asked for a fringe trim only, nothing else today"},
    )
    assert voided.status_code == 200, voided.text
    _signed_in(page, base, runtime, live_merchant, "owner")
    page.goto(f"{base}/staff/tabs/{tab['id']}")
    _fits_the_phone(page)
    for row in page.locator(".tab-lines tr").all():
        edges = row.evaluate(TEXT_EDGES)
        for (_, left_end), (right_start, _) in zip(edges, edges[1:], strict=False):
            gap = right_start - left_end
            assert gap >= 8, f"{row.inner_text()!r}: two columns {gap:.1f}px apart"
