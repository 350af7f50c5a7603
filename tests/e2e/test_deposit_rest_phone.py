"""The rest of a deposit the card processor refused to give back, on a 375 px
phone in English and Portuguese: the customer's tab page and receipt page say
it right under "Deposit applied", whole and readable; nothing wider than the
screen, no serious accessibility violation."""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.e2e.test_accessibility import context_at, violations
from tests.e2e.test_deposit_refused_phone import NARROW
from tests.integration import test_checkin_deposit_refunds as checkin
from tests.integration.test_deposit_refunds import RefundsAsked, captured

pytestmark = pytest.mark.browser
__all__ = ["context_at"]  # a fixture, used by name

SAID = {
    "en": ("en-GB", "Deposit applied", "€2.00 of your deposit could not go back to your card"),
    "pt_PT": ("pt-PT", "Sinal aplicado", "Não foi possível devolver 2,00 € do seu sinal"),
}


def fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{page.url} is {width}px wide on a 375 px phone"
    assert violations(page) == []


def right_under_the_deposit(page: Any, deposit: str, words: str) -> None:
    """The refused rest is the row that follows "Deposit applied", shown whole."""
    said = page.get_by_test_id("deposit-refund-refused")
    assert said.is_visible()
    assert words in said.inner_text().replace("\xa0", " ")
    above = said.locator("xpath=../preceding-sibling::tr[1]/th")
    assert above.inner_text() == deposit
    box = said.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"]


@pytest.mark.parametrize("locale", ["en", "pt_PT"])
def test_a_refused_rest_of_the_deposit_is_said_under_it_on_a_phone(
    context_at: Any,
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
    locale: str,
) -> None:
    spy = RefundsAsked(runtime.gateways.sandbox, refuse=True)
    monkeypatch.setattr(runtime.gateways.sandbox, "refund", spy.refund)
    booking = captured(live_merchant, clock, days=0.01)
    checkin.cheaper(live_merchant, booking)
    checked = live_merchant.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text
    tab = live_merchant.post(f"/v1/tabs/{checked.json()['tab_id']}/serve").json()
    assert tab["status"] == "paid", tab
    if locale != "en":
        assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    language, deposit, words = SAID[locale]

    page = context_at(NARROW)
    page.set_extra_http_headers({"Accept-Language": language})
    page.goto(f"{live_server}/t/{tab['token']}")
    right_under_the_deposit(page, deposit, words)
    fits(page)
    page.goto(f"{live_server}/t/{tab['token']}/receipt")
    right_under_the_deposit(page, deposit, words)
    fits(page)
