"""A card refund held up because the processor refused its key (first used
with other parameters), on a 375 px phone in English and Portuguese: the
console's tab page says beside the pending refund that nothing was refunded
yet, that it is asked again and made within 24 hours, and not to refund it
again. Nothing wider than the screen, no serious accessibility violation.
(Stripe's refusal itself is driven through the test double in
tests/integration/test_stripe_refund_held_up.py; here the sandbox's refund is
answered as recovery answers it then.)"""

from __future__ import annotations

from typing import Any

import pytest

from servefirst.payments import refunds
from servefirst.payments.gateways import RefundResult
from servefirst.payments.refund_rules import KEY_REUSED
from servefirst.runtime import Runtime
from tests.conftest import Merchant
from tests.e2e.test_accessibility import context_at, login, sign_in
from tests.e2e.test_refund_refused_later_phone import NARROW, fits

pytestmark = pytest.mark.browser
__all__ = ["context_at"]  # a fixture, used by name

SAID = {
    "en": "Held up: the card processor refused this request (its key was first used with"
    " other details), so nothing has been refunded yet. It is asked again by itself and"
    " made within 24 hours: do not refund it again, here or in Stripe's dashboard.",
    "pt_PT": "Retido: o processador de cartões recusou este pedido (a sua chave foi usada"
    " antes com outros dados), por isso ainda nada foi reembolsado. É pedido de novo"
    " automaticamente e feito dentro de 24 horas: não o reembolse outra vez, nem aqui nem"
    " no painel do Stripe.",
}


def held_up(runtime: Runtime, merchant: Merchant) -> str:
    """Ana's 9.00 lunch paid by card, 4.00 of it being refunded, the
    processor refusing the refund's key; the tab."""
    tab = merchant.served_tab(900)
    paid = merchant.post(
        f"/v1/public/tabs/{tab['token']}/pay", {"method": "card", "card": "4242424242424242"}
    )
    assert paid.status_code == 201, paid.text
    with runtime.uow(merchant.id) as uow:
        refund = refunds.begin_refund(
            uow, paid.json()["id"], amount=400, tip=None, reason="Cold soup"
        )
        uow.commit()
        refused = RefundResult(reference="", status="pending", failure_code=KEY_REUSED)
        refunds.finish_refund(uow, refund.refund_id, refused)
        uow.commit()
    return str(tab["id"])


@pytest.mark.parametrize("locale", ["en", "pt_PT"])
def test_a_refund_held_up_by_the_processor_is_said_on_a_phone(
    context_at: Any,  # noqa: F811
    live_server: str,
    live_merchant: Merchant,
    runtime: Runtime,
    locale: str,
) -> None:
    tab_id = held_up(runtime, live_merchant)
    if locale != "en":
        assert live_merchant.post("/v1/merchant", {"locale": locale}).status_code == 200

    page = context_at(NARROW)
    sign_in(page, live_server, login(runtime, live_merchant, "owner"))
    page.goto(f"{live_server}/staff/tabs/{tab_id}")
    said = page.locator("[data-refund-held-up]")
    assert said.inner_text() == SAID[locale]
    assert said.is_visible()
    fits(page)
