"""A booking's deposit refund held up because the processor refused its key
(first used with other parameters), on a 375 px phone in English and
Portuguese: the console's tab page says, under the deposit being refunded to
the card, that nothing was refunded yet, that it is asked again and made
within 24 hours, and not to refund it again. Nothing wider than the screen,
no serious accessibility violation. (Stripe's refusal itself is driven
through the test double in
tests/integration/test_stripe_deposit_refunds_sent_again.py; here the
sandbox answers the refund as Stripe answers it then.)"""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.kit.money import Money
from servefirst.payments.gateways import RefundResult
from servefirst.payments.refund_rules import KEY_REUSED
from servefirst.runtime import Runtime
from tests.conftest import Merchant, TestClock
from tests.e2e.test_accessibility import context_at, login, sign_in
from tests.e2e.test_refund_held_up_phone import SAID
from tests.e2e.test_refund_refused_later_phone import NARROW, fits
from tests.integration.test_deposit_refunds import captured

pytestmark = pytest.mark.browser
__all__ = ["context_at"]  # a fixture, used by name


def key_refused(charge_reference: str, amount: Money, *, idempotency_key: str, reason: str) -> Any:
    """The processor's answer to a refund whose key it saw with other parameters."""
    return RefundResult(reference="", status="pending", failure_code=KEY_REUSED)


def held_up(merchant: Merchant, clock: TestClock) -> str:
    """Lia's 6.00 deposit, her cut lowered to 4.00 and checked in: 2.00 of it
    being refunded, the processor refusing the refund's key; her tab."""
    booking = captured(merchant, clock, hours=5)
    assert merchant.post(f"/v1/services/{booking['service_id']}", {"price": 400}).status_code == 200
    checked = merchant.post(f"/v1/bookings/{booking['id']}/check-in")
    assert checked.status_code == 200, checked.text
    return str(checked.json()["tab_id"])


@pytest.mark.parametrize("locale", ["en", "pt_PT"])
def test_a_deposit_refund_held_up_by_the_processor_is_said_on_a_phone(
    context_at: Any,  # noqa: F811
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
    locale: str,
) -> None:
    monkeypatch.setattr(runtime.gateways.sandbox, "refund", key_refused)
    tab_id = held_up(live_merchant, clock)
    if locale != "en":
        assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200

    page = context_at(NARROW)
    sign_in(page, live_server, login(runtime, live_merchant, "owner"))
    page.goto(f"{live_server}/staff/tabs/{tab_id}")
    assert page.locator('[data-deposit-back="pending"]').is_visible()
    said = page.locator("[data-deposit-held-up]")
    assert said.inner_text() == SAID[locale]
    assert said.is_visible()
    fits(page)
