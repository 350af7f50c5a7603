"""A deposit whose refund the card processor refused, on a 375 px phone in
English and Portuguese: the console's booking row says the money is still
held and what the owner can do, the customer's booking page says it did not
reach their card, the Messages page names the word the customer is sent of
it; nothing wider than the screen, no serious accessibility violation."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.messages.transport import Transports
from servefirst.messages.worker import Worker
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.e2e.test_accessibility import context_at, login, sign_in, violations
from tests.integration.test_availability_api import Salon
from tests.integration.test_booking_cancelled_emails import staff_booking
from tests.integration.test_bookings_api import salon
from tests.integration.test_deposit_refunds import RefundsAsked

pytestmark = pytest.mark.browser
__all__ = ["context_at"]  # a fixture, used by name

NARROW = {"width": 375, "height": 667}

SAID = {
    "en": (
        "not refunded: the card processor refused it, the money is still held",
        "give it back to the customer another way",
        "could not go back to your card",
    ),
    "pt_PT": (
        "recusada pelo processador de cartões, o dinheiro continua retido",
        "devolva-o ao cliente de outra forma",
        "Não foi possível devolver",
    ),
}


def fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{page.url} is {width}px wide on a 375 px phone"
    assert violations(page) == []


@pytest.mark.parametrize("locale", ["en", "pt_PT"])
def test_a_refused_deposit_refund_is_said_on_a_phone(
    context_at: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
    locale: str,
) -> None:
    shop = Salon(live_merchant, clock)
    salon(live_merchant)
    booking = staff_booking(shop, f"lia.{locale.lower()}@example.com", "Lia Matos")
    spy = RefundsAsked(runtime.gateways.sandbox, refuse=True)
    monkeypatch.setattr(runtime.gateways.sandbox, "refund", spy.refund)
    cancelled = live_merchant.post(f"/v1/bookings/{booking['id']}/cancel", {"by": "business"})
    assert cancelled.json()["deposit"]["refund_status"] == "failed", cancelled.text
    if locale != "en":
        assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    held, action, customer_told = SAID[locale]

    page = context_at(NARROW)
    sign_in(page, live_server, login(runtime, live_merchant, "owner"))
    page.goto(f"{live_server}/staff")
    row = page.locator(f"#booking-{booking['id']}")
    assert row.get_by_text(held).is_visible()
    assert row.get_by_text(action).is_visible()
    fits(page)

    customer = context_at(NARROW)
    customer.set_extra_http_headers({"Accept-Language": "pt-PT" if locale != "en" else "en-GB"})
    customer.goto(f"{live_server}/b/{shop.slug}/bookings/{booking['token']}")
    assert customer.get_by_test_id("deposit-refused").is_visible()
    assert customer_told in customer.get_by_test_id("deposit-refused").inner_text()
    fits(customer)


@pytest.mark.parametrize(
    ("locale", "named"),
    [("en", "Deposit refund refused"), ("pt_PT", "Reembolso do sinal recusado")],
)
def test_the_messages_page_names_the_customer_s_word_of_the_refusal_on_a_phone(
    context_at: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
    locale: str,
    named: str,
) -> None:
    shop = Salon(live_merchant, clock)
    salon(live_merchant)
    booking = staff_booking(shop, f"lia.dita.{locale.lower()}@example.com", "Lia Matos")
    spy = RefundsAsked(runtime.gateways.sandbox, refuse=True)
    monkeypatch.setattr(runtime.gateways.sandbox, "refund", spy.refund)
    live_merchant.post(f"/v1/bookings/{booking['id']}/cancel", {"by": "business"})
    if locale != "en":
        assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    # Planned, not sent: no mail server here.
    Worker(runtime, transports=Transports(None), merchants=[live_merchant.id]).plan()

    page = context_at(NARROW)
    sign_in(page, live_server, login(runtime, live_merchant, "owner"))
    page.goto(f"{live_server}/staff/messages")
    assert page.get_by_text(named).first.is_visible()
    fits(page)
