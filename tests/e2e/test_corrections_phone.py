"""Corrections on a phone in a real Chromium: the owner of a Lisbon café (its
console in Portuguese) voids a wrong line and refunds part of a payment on a
tab; the customer's page shows the line struck through with its reason and
"Reembolsada em parte" beside "Paga", and both pages the sale's tax as charged
with the refund below it, as the receipt does. Every page fits 390 px, a reason typed
without spaces (a pasted reference) too, and axe finds nothing serious."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.e2e.conftest import PHONE, Screenshot
from tests.e2e.test_accessibility import context_at, violations  # noqa: F401
from tests.e2e.test_back_office_phone import _fits_the_phone, _signed_in

pytestmark = pytest.mark.browser

#: A reason as staff paste it: an order reference, no spaces to wrap at.
PASTED = "POS-REF-" + "7F3A9C2E" * 10


def _taxed_tab(merchant: Merchant, *prices: int) -> dict[str, Any]:
    """A served tab with one line per price, each at 23 %."""
    rate = merchant.post("/v1/tax-rates", {"name": "IVA 23%", "percent": "23"}).json()
    tab = merchant.tab()
    for price in prices:
        service = merchant.service(price=price, tax_rate_id=rate["id"])
        added = merchant.post(f"/v1/tabs/{tab['id']}/lines", {"service_id": service["id"]})
        assert added.status_code == 200, added.text
    served = merchant.post(f"/v1/tabs/{tab['id']}/serve")
    assert served.status_code == 200, served.text
    return served.json()  # type: ignore[no-any-return]


def test_an_owner_corrects_a_tab_on_a_phone_in_portuguese(
    context_at: Any,  # noqa: F811
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    screenshot: Screenshot,
) -> None:
    page, base = context_at(PHONE), live_server  # axe may run (past the CSP)
    changed = live_merchant.post("/v1/merchant", {"timezone": "Europe/Lisbon", "locale": "pt_PT"})
    assert changed.status_code == 200, changed.text
    tab = _taxed_tab(live_merchant, 3500, 380, 150)
    _signed_in(page, base, runtime, live_merchant, "owner")  # the console speaks the business's

    # Void the wrong coffee (3,80 €), with a pasted reference for a reason.
    page.goto(f"{base}/staff/tabs/{tab['id']}")
    page.get_by_text("Anular uma linha errada").click()
    page.locator("#void-2-reason").fill(PASTED)
    page.locator("form[action$='/lines/2/void'] button").click()
    page.wait_for_url("**?done=line_voided")
    _fits_the_phone(page)

    # The customer pays the 36,50 € left in cash; the owner gives 5,00 € back.
    paid = live_merchant.post(f"/v1/tabs/{tab['id']}/payments", {"method": "cash", "tip": 200})
    assert paid.status_code == 201, paid.text
    page.goto(f"{base}/staff/tabs/{tab['id']}")
    page.get_by_text("Reembolsar o pagamento de 36,50\xa0€").click()
    page.get_by_label("Da conta (EUR)").fill("5,00")
    page.get_by_label("Motivo").fill("Bolo frio")
    page.get_by_role("button", name="Reembolsar", exact=True).click()
    page.wait_for_url("**?done=refunded")
    assert page.locator("#tab-status").inner_text() == "paga"
    assert page.locator("#tab-refunded").inner_text() == "reembolsada em parte"
    assert page.get_by_text("concluído").first.is_visible()
    assert page.locator("[data-testid=taxes] [data-testid=tax]").inner_text() == "6,82\xa0€"
    assert page.locator("[data-testid=paid-after-refunds]").inner_text() == "33,50\xa0€"
    _fits_the_phone(page)
    assert violations(page) == []
    screenshot(page, "staff-tab-refunded-phone-pt")

    customer = page.context.new_page()
    customer.set_extra_http_headers({"Accept-Language": "pt-PT,pt;q=0.9"})
    customer.goto(f"{base}/t/{tab['token']}")
    assert customer.locator("[data-line='2'][data-voided=true] del").count() == 2  # name, amount
    assert customer.get_by_text(f"Retirado da sua conta: {PASTED}").is_visible()
    assert customer.locator("[data-status=paid]").inner_text() == "Paga"
    assert customer.locator("[data-status=refunded]").inner_text() == "Reembolsada em parte"
    assert customer.get_by_text("5,00\xa0€").first.is_visible()
    # The sale's tax as charged (36,50 € at 23 %, rounded per line: 6,82 €), the refund below it.
    assert customer.locator("[data-testid=taxes] [data-testid=tax]").inner_text() == "6,82\xa0€"
    refunds = customer.locator("[data-testid=refunds]")
    assert "Imposto incluído a 23%" in refunds.inner_text()
    assert refunds.locator("[data-testid=paid-after-refunds]").inner_text() == "33,50\xa0€"
    _fits_the_phone(customer)
    assert violations(customer) == []
    screenshot(customer, "customer-refunded-phone-pt")
    customer.close()


def test_a_void_without_a_reason_is_said_beside_the_reason_on_a_phone(
    context_at: Any,  # noqa: F811
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
) -> None:
    page, base = context_at(PHONE), live_server
    changed = live_merchant.post("/v1/merchant", {"timezone": "Europe/Lisbon", "locale": "pt_PT"})
    assert changed.status_code == 200, changed.text
    tab = _taxed_tab(live_merchant, 3500, 380)
    _signed_in(page, base, runtime, live_merchant, "owner")
    page.goto(f"{base}/staff/tabs/{tab['id']}")
    page.get_by_text("Anular uma linha errada").click()
    page.locator("#void-2-reason").fill("   ")  # spaces pass the browser's check, not ours
    page.locator("form[action$='/lines/2/void'] button").click()
    page.wait_for_load_state()
    said = page.locator("#void-2-reason-error")
    assert said.is_visible() and "Diga porquê" in said.inner_text()
    assert page.locator("#void-2-reason").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "void-2-reason"  # in view, to retype
    assert page.locator(".flash-error").count() == 0
    _fits_the_phone(page)
    assert violations(page) == []
