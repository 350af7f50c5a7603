"""A card refund that went through and then failed (the customer's card was
closed), on a 375 px phone in English and Portuguese: the console's tab page
says it was refused after it went through, why, and that the money came back
to the business; the refund form is offered again for what came back, and an
amount above it is refused in the form's place. Nothing wider than the
screen, no serious accessibility violation. (Stripe's ``charge.refund.updated``
itself is driven through the webhook in
tests/integration/test_refunds_refused_after_they_went_through.py; here the
sandbox's refund is refused as that event refuses it.)"""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.payments.refund_repository import RefundRepository
from servefirst.payments.refund_reversals import refused_at_processor
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.e2e.test_accessibility import context_at, login, sign_in, violations

pytestmark = pytest.mark.browser
__all__ = ["context_at"]  # a fixture, used by name

NARROW = {"width": 375, "height": 667}

SAID = {
    "en": (
        "Refused after it went through: the card was closed or has expired. The money came"
        " back to the business.",
        "Refund more of this payment",
        "€9.50 is more than the €9.00 left to refund from the bill.",
    ),
    "pt_PT": (
        "Recusado depois de feito: o cartão foi cancelado ou expirou. O dinheiro voltou para"
        " o negócio.",
        "Reembolsar mais deste pagamento",
        "9,50 € é mais do que os 9,00 € que restam para reembolsar da conta.",
    ),
}


def fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{page.url} is {width}px wide on a 375 px phone"
    assert violations(page) == []


def refunded_then_returned(runtime: Runtime, merchant: Merchant) -> tuple[str, str]:
    """Rui's 9.00 lunch paid by card with a 1.00 tip, 4.00 refunded, and the
    refund then returned by his bank (his card was closed); (tab, payment)."""
    tab = merchant.served_tab(900)
    paid = merchant.post(
        f"/v1/public/tabs/{tab['token']}/pay",
        {"method": "card", "card": "4242424242424242", "tip": 100},
    )
    assert paid.status_code == 201, paid.text
    payment_id = paid.json()["id"]
    made = merchant.post(
        f"/v1/payments/{payment_id}/refunds", {"amount": 400, "reason": "Cold soup"}
    )
    assert made.status_code == 201, made.text
    with runtime.uow(merchant.id) as uow:
        refund = RefundRepository(uow).get(made.json()["id"])
        assert refund is not None and refund.gateway_reference
        refused_at_processor(
            uow, reference=refund.gateway_reference, key=None, failure="expired_or_canceled_card"
        )
        uow.commit()
    return tab["id"], payment_id


@pytest.mark.parametrize("locale", ["en", "pt_PT"])
def test_a_refund_returned_by_the_card_s_bank_is_said_on_a_phone(
    context_at: Any,  # noqa: F811
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    locale: str,
) -> None:
    tab_id, payment_id = refunded_then_returned(runtime, live_merchant)
    if locale != "en":
        assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200
    refused, again, too_much = SAID[locale]

    page = context_at(NARROW)
    sign_in(page, live_server, login(runtime, live_merchant, "owner"))
    page.goto(f"{live_server}/staff/tabs/{tab_id}")
    said = page.locator("[data-refund-refused]")
    assert said.inner_text() == refused
    assert said.is_visible()
    fits(page)

    # The 4.00 is the business's again: the form offers all 9.00; 9.50 is refused.
    form = page.locator("details.refund-payment")
    form.locator("summary").click()
    assert again in form.locator("summary").inner_text()
    form.locator(f"#refund-{payment_id}-amount").fill("9,50" if locale != "en" else "9.50")
    form.locator(f"#refund-{payment_id}-reason").fill("Wrong table")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    said_why = page.locator(f"#refund-{payment_id}-amount ~ *").first.inner_text()
    assert said_why.replace("\xa0", " ") == too_much
    fits(page)
